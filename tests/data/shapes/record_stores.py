import pickle

import lmdb
import torch


class FrameStore:
    def __init__(self, root):
        self.env = lmdb.open(root, readonly=True, lock=False)

    def frame(self, key):
        with self.env.begin() as txn:
            return pickle.loads(txn.get(key.encode()))


def read_record(db_path, key):
    env = lmdb.open(db_path, readonly=True)
    with env.begin() as txn:
        value = txn.get(key)
    return pickle.loads(value)


def read_blob(blob):
    torch.set_grad_enabled(False)
    return pickle.loads(blob)
