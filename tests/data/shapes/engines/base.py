"""Engines that load a causal language model and its configuration from the Hub."""

from transformers import AutoConfig, AutoModelForCausalLM

REVIEWED = "5d1e6c2b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d"


class Engine:
    def __init__(self, model_id: str, revision: str | None = None, dtype: str = "auto"):
        self.config = AutoConfig.from_pretrained(model_id, revision=revision)
        self.model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision, torch_dtype=dtype)


def load_weights(checkpoint: str, *, revision: str = "main"):
    return AutoModelForCausalLM.from_pretrained(checkpoint, revision=revision)


def load_reviewed(checkpoint: str, revision: str = REVIEWED):
    return AutoModelForCausalLM.from_pretrained(checkpoint, revision=revision)


def load_exact(checkpoint: str, revision: str):
    return AutoModelForCausalLM.from_pretrained(checkpoint, revision=revision)


class Runtime:
    def __init__(self, model_id: str, dtype: str = "auto"):
        self.model_id = model_id
        self.dtype = dtype


class LoadingRuntime(Runtime):
    def __init__(self, model_id: str, revision: str | None = None):
        super().__init__(model_id)
        self.model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision)
