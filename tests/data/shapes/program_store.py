import pickle
import shelve
from pathlib import Path

import cloudpickle
import nltk
import numpy as np


def load_program(path: str):
    with open(Path(path) / "program.pkl", "rb") as f:
        return cloudpickle.load(f)


def sentence_splitter(folder: str, language: str):
    return nltk.data.load(f"file:{folder}/{language}.pickle", format="pickle")


def splitter_by_extension(folder: str):
    return nltk.data.load(f"file:{folder}/english.pickle")


def splitter_table(folder: str):
    return nltk.data.load(f"file:{folder}/english.json", format="json")


def cached_answers(path: str):
    return shelve.open(path)


def from_message(body: bytes):
    return pickle.loads(body)


def copied(state: dict):
    return pickle.loads(pickle.dumps(state))


def vectors(path: str):
    options = {"allow_pickle": True}
    return np.load(path, **options)


def plain_vectors(path: str):
    return np.load(path)


def from_worker(payload: bytes, allow_unpickling: bool = False):
    if not allow_unpickling:
        raise ValueError("pickle payloads are refused unless allow_unpickling=True")
    return pickle.loads(payload)


def from_local_cache(data: bytes, allow_cached: bool = False):
    if allow_cached:
        return pickle.loads(data)
    return None


def from_queue(payload: bytes, allow_unpickling: bool = False):
    if not allow_unpickling:
        print("pickle payloads are not recommended")
    return pickle.loads(payload)
