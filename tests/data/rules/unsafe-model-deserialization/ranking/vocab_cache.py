"""A library's vocabulary cache (the fixture's .archbot.yml): it reads whatever its callers point
it at, its own files as much as any other."""

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
            return pickle.load(handle)  # high: its own cache, read from where its caller says

    def load_shared(self) -> dict[str, int]:
        with open(self.cache_dir / "shared_vocab.pkl", "rb") as handle:
            return pickle.load(handle)  # high: a file the module never writes


class IndexMetadata:
    """An index's metadata, persisted at the path the object holds."""

    def __init__(self, root: Path, name: str) -> None:
        self.metadata_path = root / f"{name}_metadata.pkl"

    def save(self, metadata: dict[str, list[int]]) -> None:
        with open(self.metadata_path, "wb") as handle:
            pickle.dump(metadata, handle)

    def load(self) -> dict[str, list[int]]:
        with open(self.metadata_path, "rb") as handle:
            return pickle.load(handle)  # high: the object's own file, where its caller put it

    def adopt(self, peer: "IndexMetadata") -> dict[str, list[int]]:
        with open(peer.metadata_path, "rb") as handle:
            return pickle.load(handle)  # high: another object's file


class MetadataReader:
    def __init__(self, metadata_path: Path) -> None:
        self.metadata_path = metadata_path

    def load(self) -> dict[str, list[int]]:
        with open(self.metadata_path, "rb") as handle:
            return pickle.load(handle)  # high: a path no method of this class writes

