import json
from pathlib import Path
from typing import Any

from transformers import AutoModel

from store.encoders import Chunker, DenseEncoder, GuardedEncoder, PinnedEncoder

ALLOWED = frozenset(["device", "cache_folder"])


def dense_from_config(config: dict[str, Any]) -> DenseEncoder:
    model_kwargs = config.get("kwargs", {})
    return DenseEncoder(config["checkpoint"], **model_kwargs)


def reranker_from_file(path: Path) -> Any:
    stored = json.loads(path.read_text())
    return AutoModel.from_pretrained(stored["checkpoint"], **stored["kwargs"])


def guarded_from_config(config: dict[str, Any]) -> GuardedEncoder:
    return GuardedEncoder(config["checkpoint"], **config["kwargs"])


def pinned_from_config(config: dict[str, Any]) -> PinnedEncoder:
    return PinnedEncoder(config["checkpoint"], **config["kwargs"])


def chunker_from_config(config: dict[str, Any]) -> Chunker:
    return Chunker(config["checkpoint"], **config["kwargs"])


def allow_listed(config: dict[str, Any]) -> DenseEncoder:
    kwargs = {k: v for k, v in config["kwargs"].items() if k in ALLOWED}
    return DenseEncoder(config["checkpoint"], **kwargs)


def screened(config: dict[str, Any]) -> DenseEncoder:
    kwargs = dict(config["kwargs"])
    if kwargs.get("trust_remote_code"):
        raise ValueError("remote code is not allowed in a stored configuration")
    return DenseEncoder(config["checkpoint"], **kwargs)


def literal_options(checkpoint: str) -> DenseEncoder:
    kwargs = {"device": "cpu"}
    return DenseEncoder(checkpoint, **kwargs)


def explicit_false(config: dict[str, Any]) -> Any:
    return AutoModel.from_pretrained(config["checkpoint"], trust_remote_code=False, **config["kwargs"])


def typed_options(config: dict[str, Any]) -> DenseEncoder:
    kwargs = {"device": config["device"]}
    return DenseEncoder(config["checkpoint"], **kwargs)


def spread_options(config: dict[str, Any]) -> DenseEncoder:
    return DenseEncoder(config["checkpoint"], **{"device": config["device"], **config["kwargs"]})


def updated_options(config: dict[str, Any]) -> DenseEncoder:
    kwargs = {"device": config["device"]}
    kwargs.update(config["extra"])
    return DenseEncoder(config["checkpoint"], **kwargs)


def overridden_options(config: dict[str, Any]) -> DenseEncoder:
    kwargs = {"device": config["device"]}
    kwargs["pooling"] = config["pooling"]
    kwargs.update(normalize=config["normalize"])
    kwargs.setdefault("batch_size", config["batch_size"])
    return DenseEncoder(config["checkpoint"], **kwargs)


def keyed_options(config: dict[str, Any]) -> DenseEncoder:
    kwargs = {"device": config["device"]}
    kwargs[config["option"]] = config["value"]
    return DenseEncoder(config["checkpoint"], **kwargs)
