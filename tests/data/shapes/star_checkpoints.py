import torch

from .common import *


def save_head(state, out_dir):
    torch.save(state, os.path.join(out_dir, "head.bin"))


def load_head(in_dir):
    return torch.load(os.path.join(in_dir, "head.bin"))


def load_backbone(in_dir):
    return torch.load(os.path.join(in_dir, "backbone.bin"))
