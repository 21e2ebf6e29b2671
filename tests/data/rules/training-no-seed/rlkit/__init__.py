"""Reinforcement-learning fine-tuning toolkit: re-exports the entry points' helpers."""

from rlkit.factory import make_strategy
from rlkit.options import parse_options

__all__ = ["make_strategy", "parse_options"]
