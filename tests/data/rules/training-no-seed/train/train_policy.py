"""Policy fine-tuning: the strategy seeds every RNG when it starts the workers."""

import argparse

from rlkit import make_strategy
from train.heads import RewardHead, preference_batches


def train(options: argparse.Namespace) -> None:
    strategy = make_strategy(options)
    strategy.init_workers()
    policy = RewardHead()
    optimizer = strategy.optimizer(policy)
    for chosen, _ in preference_batches("data/pairs.jsonl"):
        optimizer.zero_grad()
        loss = -policy(chosen).mean()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-5)
    train(parser.parse_args())
