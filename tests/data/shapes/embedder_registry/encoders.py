from typing import Any

from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer


class DenseEncoder:
    def __init__(self, checkpoint: str, **kwargs: Any) -> None:
        self.model = SentenceTransformer(checkpoint, **kwargs)


class GuardedEncoder:
    def __init__(self, checkpoint: str, **kwargs: Any) -> None:
        kwargs.pop("trust_remote_code", None)
        self.model = SentenceTransformer(checkpoint, **kwargs)


class PinnedEncoder:
    def __init__(self, checkpoint: str, **kwargs: Any) -> None:
        self.model = SentenceTransformer(checkpoint, trust_remote_code=False, **kwargs)


class Chunker:
    def __init__(self, checkpoint: str, **kwargs: Any) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        self.options = kwargs
