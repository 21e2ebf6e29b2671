"""A vocabulary cached between runs: one method dumps it, another reads it back."""

import pickle
from pathlib import Path


class VocabularyCache:
    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def save(self, vocabulary: dict[str, int]) -> None:
        with open(self.cache_dir / "vocab.pkl", "wb") as handle:
            pickle.dump(vocabulary, handle)

    def load(self) -> dict[str, int]:
        with open(self.cache_dir / "vocab.pkl", "rb") as handle:
            return pickle.load(handle)  # the module's own cache, read back

    def load_shared(self) -> dict[str, int]:
        with open(self.cache_dir / "shared_vocab.pkl", "rb") as handle:
            return pickle.load(handle)  # high: a file the module never writes
