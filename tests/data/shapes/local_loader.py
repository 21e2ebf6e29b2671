"""Load a model from a local export when one exists, else from the Hub."""

import os
from pathlib import Path

from transformers import AutoModel, AutoTokenizer


def load(name_or_dir: str):
    if os.path.isdir(name_or_dir):
        return AutoModel.from_pretrained(str(name_or_dir), trust_remote_code=True)
    return AutoModel.from_pretrained(name_or_dir, trust_remote_code=True)


def tokenizer(export: Path, name: str):
    if export.exists() and name:
        return AutoTokenizer.from_pretrained(export, trust_remote_code=True)
    if not os.path.exists(name):
        return AutoTokenizer.from_pretrained(name, trust_remote_code=True)
    return AutoTokenizer.from_pretrained(export / "tokenizer", trust_remote_code=True)
