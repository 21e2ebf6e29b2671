"""Model restore endpoints of the ranking service."""

import pickle
from collections.abc import Callable
from pathlib import Path

import joblib
from fastapi import FastAPI

app = FastAPI()
CACHE_DIR = Path("/var/cache/ranking")


def restore_default(model_path: str) -> object:
    return joblib.load(model_path)  # the operator's configured model: no outside source shown


@app.post("/models/restore")
def restore(model_path: str) -> dict[str, str]:
    model = joblib.load(model_path)  # high: in a route handler, the client may choose the file
    return {"restored": type(model).__name__}


def save_labels(labels: list[str]) -> None:
    with open(CACHE_DIR / "labels.pkl", "wb") as handle:
        pickle.dump(labels, handle)


@app.get("/labels")
def labels() -> list[str]:
    with open(CACHE_DIR / "labels.pkl", "rb") as handle:
        return pickle.load(handle)  # the module's own cache, written by save_labels


def load_published(name: str, root: str, fetch: Callable[[str, str], None]) -> object:
    url = "https://models.example.com/ranking/" + name
    path = f"{root}/{name}"
    fetch(url, path)
    return joblib.load(path)  # critical: fetched from that URL, whatever `fetch` is
