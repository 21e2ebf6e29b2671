import os
import tempfile
from pathlib import Path

from transformers import AutoImageProcessor

from engines.base import Engine, LoadingRuntime, load_exact, load_reviewed, load_weights


class VisionEngine(Engine):
    def __init__(self, model_id: str, *, revision: str | None, **kwargs):
        self.processor = AutoImageProcessor.from_pretrained(model_id, revision=revision)
        super().__init__(model_id=model_id, **kwargs)


class PinnedVisionEngine(Engine):
    def __init__(self, model_id: str, *, revision: str | None, **kwargs):
        self.processor = AutoImageProcessor.from_pretrained(model_id, revision=revision)
        super().__init__(model_id, revision, **kwargs)


class OptionsEngine(Engine):
    def __init__(self, model_id: str, **kwargs):
        self.processor = AutoImageProcessor.from_pretrained(model_id, revision=kwargs.get("revision"))
        super().__init__(model_id, **kwargs)


class ExplicitEngine(Engine):
    def __init__(self, model_id: str, revision: str | None = None):
        Engine.__init__(self, model_id)


def load_head(checkpoint: str, revision: str):
    return load_weights(checkpoint)


def load_head_pinned(checkpoint: str, revision: str):
    return load_weights(checkpoint, revision=revision), load_reviewed(checkpoint), load_exact(checkpoint, revision)


def load_other(checkpoint: str):
    return load_weights(checkpoint)


def load_named(revision: str):
    return Engine("acme/vision-base")


class MergedEngine(Engine):
    def __init__(self, model_id: str, *, revision: str | None, **kwargs):
        kwargs = {**kwargs, "revision": revision}
        super().__init__(model_id=model_id, **kwargs)


class PrebuiltRuntime(LoadingRuntime):
    def __init__(self, model_id: str, model, revision: str | None = None):
        super(LoadingRuntime, self).__init__(model_id)
        self.model = model


def export_and_load(checkpoint: str, revision: str):
    exported = tempfile.TemporaryDirectory()
    export_dir = Path(exported.name)
    onnx = load_weights(os.path.join(exported.name, "onnx"))
    return load_weights(export_dir), onnx
