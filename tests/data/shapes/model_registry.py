from dataclasses import dataclass, field
from typing import Any

from transformers import AutoModel, AutoTokenizer


@dataclass
class ModelCard:
    name: str
    revision: str | None = None
    loader_options: dict[str, Any] = field(default_factory=dict)

    def load(self) -> Any:
        return AutoModel.from_pretrained(self.name, revision=self.revision, **self.loader_options)


ENCODER = ModelCard(
    name="acme/encoder",
    revision="4f3b1c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
    loader_options=dict(trust_remote_code=True, max_length=512),
)
RERANKER = ModelCard(
    name="acme/reranker",
    revision="main",
    loader_options=dict(trust_remote_code=True),
)
CLASSIFIER = ModelCard(name="acme/classifier", loader_options=dict(trust_remote_code=True))
SHARED_OPTIONS = dict(trust_remote_code=True)


def tokenizer_for(name: str, revision: str) -> Any:
    return AutoTokenizer.from_pretrained(name, revision=revision, trust_remote_code=True)


def default_tokenizer() -> Any:
    return AutoTokenizer.from_pretrained("acme/encoder", revision="main", trust_remote_code=True)


def unpinned_tokenizer(name: str) -> Any:
    return AutoTokenizer.from_pretrained(name, revision=None, trust_remote_code=True)


class Scenario:
    def __init__(self, dataset: str, revision: str) -> None:
        self.dataset = dataset
        self.revision = revision

    def load(self) -> Any:
        return AutoModel.from_pretrained(self.dataset, revision=self.revision, trust_remote_code=True)


class NightlyScenario:
    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.revision = "main"

    def load(self) -> Any:
        return AutoModel.from_pretrained(self.dataset, revision=self.revision, trust_remote_code=True)
