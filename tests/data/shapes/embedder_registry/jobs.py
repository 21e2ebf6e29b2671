from typing import Any

from store.encoders import DenseEncoder


def nightly_encoder(config: dict[str, Any]) -> DenseEncoder:
    model_kwargs = config.get("kwargs", {})
    return DenseEncoder(config["checkpoint"], **model_kwargs)
