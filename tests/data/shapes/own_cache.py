import os
import pickle
import tempfile

import dill
import joblib
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression


def listing(bucket, cache_dir):
    cache_file = os.path.join(cache_dir, f"{bucket}.cache")
    if os.path.exists(cache_file):
        with open(cache_file, "rb") as handle:
            return pickle.load(handle)
    names = sorted(bucket.list())
    with open(cache_file, "wb") as handle:
        pickle.dump(names, handle)
    return names


def sample_index(prefix, documents):
    index_path = prefix + "_idx.npy"
    if not os.path.exists(index_path):
        np.save(index_path, np.arange(len(documents)), allow_pickle=True)
    return np.load(index_path, allow_pickle=True, mmap_mode="r")


def classifier(features, labels, path):
    if not os.path.exists(path):
        joblib.dump(LogisticRegression().fit(features, labels), path)
    return joblib.load(path)


def vocabulary(texts, out):
    with open(out, "wb") as sink:
        dill.dump(sorted(set(texts)), sink)
    with open(out, "rb") as source:
        return pickle.load(source)


def mismatched(cache_dir, name):
    written = os.path.join(cache_dir, name + ".new")
    read = os.path.join(cache_dir, name)
    with open(written, "wb") as sink:
        pickle.dump([], sink)
    with open(read, "rb") as source:
        return pickle.load(source)


def loaded_elsewhere(path):
    with open(path, "rb") as source:
        return pickle.load(source)


def saved_elsewhere(path, value):
    with open(path, "wb") as sink:
        pickle.dump(value, sink)


def other_format(path, rows):
    np.save(path, rows)
    with open(path, "rb") as source:
        return pickle.load(source)


def hand_off(spool, request_id, message):
    pickle.dump(message, open(spool / f"{request_id}.pkl", "wb"))
    while (spool / f"{request_id}.pkl").exists():
        reply = pickle.load(open(spool / f"{request_id}.pkl", "rb"))
        if reply.get("answered"):
            return reply
    return None


def read_spool(spool, request_id):
    return pickle.load(open(spool / f"{request_id}.pkl", "rb"))


def memoized(store, key, compute):
    target = store / f"{key}.pickle"
    if target.exists():
        with target.open("rb") as source:
            return pickle.load(source)
    value = compute()
    staging = tempfile.NamedTemporaryFile("wb", dir=store, delete=False)
    pickle.dump(value, staging)
    staging.close()
    os.replace(staging.name, target)
    return value


def staged(store, key, value):
    target = store / f"{key}.pickle"
    partial = target.with_suffix(".partial")
    with partial.open("wb") as sink:
        pickle.dump(value, sink)
    partial.replace(target)
    with target.open("rb") as source:
        return pickle.load(source)


def adopted(store, key, fetched, index):
    with open(store / "index.pickle", "wb") as sink:
        pickle.dump(index, sink)
    target = store / f"{key}.pickle"
    os.replace(fetched, target)
    with target.open("rb") as source:
        return pickle.load(source)


def remembered(store, compute, *args):
    key = repr(args)
    if key in store:
        return pickle.loads(store[key])
    value = compute(*args)
    store[key] = pickle.dumps(value)
    return value


def shared_entry(store, key):
    return pickle.loads(store[key])


def features(root, compute):
    cache = f"{root}/features.pt"
    if not os.path.exists(cache):
        torch.save(compute(), cache)
    return torch.load(cache)


def features_saved_elsewhere(root):
    return torch.load(f"{root}/features.pt")


def rotation(model, cache_path, given_path, out_path):
    load_from = ""
    if given_path:
        load_from = given_path
    elif os.path.exists(cache_path):
        load_from = cache_path
    if load_from:
        return pickle.load(open(load_from, "rb"))
    matrix = model.rotation()
    pickle.dump(matrix, open(cache_path, "wb"))
    return matrix


def rotation_given(model, given_path, other_path):
    load_from = given_path if given_path else other_path
    return pickle.load(open(load_from, "rb"))
