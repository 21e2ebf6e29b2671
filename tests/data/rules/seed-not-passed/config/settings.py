"""Settings of the fine-tuning and evaluation runs."""

from dataclasses import dataclass

from transformers import TrainingArguments


@dataclass
class FinetuneConfig:
    data_path: str = "data/train.jsonl"
    batch_size: int = 16
    example_seed: int = 13
    """Seed for the order of the training examples."""


@dataclass
class EvalConfig:
    data_path: str = "data/eval.jsonl"
    eval_seed: int = 7


@dataclass
class LoaderArguments(TrainingArguments):
    loader_seed: int = 3


@dataclass
class MixConfig:
    batch_size: int = 8
    mix_seed: int = 5
