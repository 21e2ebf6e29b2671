"""Loading the ranker's checkpoints, features and vectorizer."""

import pickle

import joblib
import numpy as np
import pandas as pd
import requests
import torch
import torch.utils.cpp_extension
from huggingface_hub import hf_hub_download
from safetensors.torch import load_file

RANKER_REPO = "acme/ranker"


def load_local_checkpoint(path: str) -> dict:
    return torch.load(path, map_location="cpu")


def load_hub_checkpoint() -> dict:
    weights = hf_hub_download(RANKER_REPO, "model.pt", revision="767c76fb008f86bebb2737f6a6f0fb23c6f5da2c")
    return torch.load(weights, map_location="cpu")


def load_hub_checkpoint_unsafely() -> dict:
    return torch.load(
        hf_hub_download(RANKER_REPO, "model.pt", revision="767c76fb008f86bebb2737f6a6f0fb23c6f5da2c"),
        weights_only=False,
    )


def load_trusted_checkpoint(path: str) -> dict:
    return torch.load(path, weights_only=False)


def load_weights(path: str) -> dict:
    return torch.load(path, map_location="cpu", weights_only=True)


def load_checkpoint(path: str, trusted: bool) -> dict:
    return torch.load(path, weights_only=not trusted)


def load_scripted_ranker(path: str) -> torch.jit.ScriptModule:
    return torch.jit.load(path, map_location="cpu")


def build_kernels() -> object:
    return torch.utils.cpp_extension.load(name="fused_rank", sources=["kernels/rank.cu"])


def load_vectorizer() -> object:
    return joblib.load("artifacts/vectorizer.joblib")


def load_remote_features(url: str) -> object:
    blob = requests.get(url, timeout=30).content
    return pickle.loads(blob)


def load_feature_table(path: str) -> pd.DataFrame:
    return pd.read_pickle(path)


def load_embeddings(path: str) -> np.ndarray:
    return np.load(path, allow_pickle=True)


def load_scores(path: str) -> np.ndarray:
    return np.load(path)


def load_adapter(path: str, use_safetensors: bool) -> dict:
    loader = load_file if use_safetensors else torch.load
    options = {} if use_safetensors else {"map_location": "cpu"}
    return loader(path, **options)


def load_adapter_weights_only(path: str, use_safetensors: bool) -> dict:
    loader = load_file if use_safetensors else torch.load
    options = {} if use_safetensors else {"map_location": "cpu", "weights_only": True}
    return loader(path, **options)


def load_hub_adapter(use_safetensors: bool) -> dict:
    loader = load_file if use_safetensors else torch.load
    weights = hf_hub_download(RANKER_REPO, "adapter.bin", revision="767c76fb008f86bebb2737f6a6f0fb23c6f5da2c")
    return loader(weights)


def load_with(path: str, loader_options: dict) -> dict:
    loader = torch.load
    return loader(path, **loader_options)


def load_safetensors_only(path: str) -> dict:
    loader = load_file
    return loader(path)


def copy_scorer(scorer: object) -> object:
    return pickle.loads(pickle.dumps(scorer))


class TensorsOnly(pickle.Unpickler):
    """Admits the classes a checkpoint's tensors need, nothing else."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) != ("torch._utils", "_rebuild_tensor_v2"):
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


class TensorsOnlyModule:
    Unpickler = TensorsOnly


def load_index(path: str) -> dict:
    return torch.load(path, pickle_module=TensorsOnlyModule)


def load_index_with_dill(path: str) -> dict:
    import dill

    return torch.load(path, pickle_module=dill)


def load_thresholds() -> dict:
    with open("ranking/thresholds.pkl", "rb") as handle:
        return pickle.load(handle)


import os  # noqa: E402
import pathlib  # noqa: E402

CALIBRATOR = pathlib.Path(__file__).parent / "assets" / "calibrator.pkl"


def load_calibrator() -> object:
    with open(CALIBRATOR, "rb") as handle:
        return pickle.load(handle)  # medium: a file shipped beside the module


def load_vocabulary() -> object:
    return joblib.load(os.path.join(os.path.dirname(__file__), "vocab.joblib"))  # medium: beside the module


def load_user_state(name: str) -> object:
    return joblib.load(pathlib.Path(__file__).parent / name)  # high: a name decided at run time


def load_reranker(path: str) -> dict:
    options = {"weights_only": True} if torch.__version__ >= "1.13" else {}
    return torch.load(path, map_location="cpu", **options)  # weights_only through a shown splat


def load_reranker_from(url: str) -> dict:
    options = {"map_location": "cpu"}
    return torch.load(hf_hub_download("org/reranker", url), **options)  # high: the splat lacks it


def load_reranker_with(path: str, **options: object) -> dict:
    return torch.load(path, **options)  # the caller's keywords may carry weights_only
