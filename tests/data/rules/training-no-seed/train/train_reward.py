"""Fit the reward head on preference pairs: the options helper seeds the run."""

import torch

from rlkit import parse_options
from train.heads import RewardHead, preference_batches

if __name__ == "__main__":
    options = parse_options()
    head = RewardHead()
    optimizer = torch.optim.AdamW(head.parameters(), lr=options.lr)
    for chosen, rejected in preference_batches("data/pairs.jsonl"):
        optimizer.zero_grad()
        loss = -torch.nn.functional.logsigmoid(head(chosen) - head(rejected)).mean()
        loss.backward()
        optimizer.step()
