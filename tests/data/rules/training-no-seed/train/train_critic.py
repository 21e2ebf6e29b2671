"""Critic fitting: its helpers shard and shuffle data, but nothing seeds the run."""

import argparse

from rlkit import make_strategy
from rlkit.data import load_prompts
from train.heads import RewardHead


def train(options: argparse.Namespace) -> None:
    strategy = make_strategy(options)
    prompts = strategy.shard(list(load_prompts("data/prompts.jsonl")))
    critic = RewardHead()
    optimizer = strategy.optimizer(critic)
    for row in prompts:
        optimizer.zero_grad()
        loss = critic(row["input_ids"]).pow(2).mean()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-5)
    train(parser.parse_args())
