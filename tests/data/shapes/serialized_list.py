import pickle

import numpy as np
import torch


class SerializedList:
    def __init__(self, items):
        def encode(item):
            return np.frombuffer(pickle.dumps(item, protocol=-1), dtype=np.uint8)

        self._chunks = [encode(item) for item in items]
        self._ends = np.cumsum([len(chunk) for chunk in self._chunks])
        self._chunks = np.concatenate(self._chunks)

    def __getitem__(self, index):
        start = 0 if index == 0 else self._ends[index - 1].item()
        view = memoryview(self._chunks[start : self._ends[index].item()])
        return pickle.loads(view)


class TensorSerializedList(SerializedList):
    def __init__(self, items):
        super().__init__(items)
        self._chunks = torch.from_numpy(self._chunks)

    def __getitem__(self, index):
        start = 0 if index == 0 else self._ends[index - 1].item()
        return pickle.loads(memoryview(self._chunks[start : self._ends[index].item()].numpy()))


class RemoteRows:
    def __init__(self, client):
        self._client = client

    def row(self, key):
        return pickle.loads(self._client.get(key))
