import json
import pickle

import torch


class IndexCache:
    def __init__(self, redis, name):
        self.redis = redis
        self.name = name

    async def save(self, index):
        key = f"index:{self.name}"
        await self.redis.set(key, pickle.dumps(index), ex=3600)

    async def load(self):
        key = f"index:{self.name}"
        data = await self.redis.get(key)
        return pickle.loads(data) if data else None


class SessionCache:
    def __init__(self, redis):
        self.redis = redis

    def save(self, session_id, state):
        payload = pickle.dumps(state)
        self.redis.setex(f"session:{session_id}", 600, payload)

    def load(self, session_id):
        return pickle.loads(self.redis.get(f"session:{session_id}"))

    def peer(self, session_id):
        return pickle.loads(self.redis.get(f"peer:{session_id}"))


class SharedTensors:
    def __init__(self, redis):
        self.redis = redis

    def save(self, key, tensor):
        self.redis.set(key, json.dumps(tensor.tolist()))

    def load(self, key):
        return torch.as_tensor(pickle.loads(self.redis.get(key)))


class Reader:
    def __init__(self, redis):
        self.redis = redis

    def load(self, key):
        return pickle.loads(self.redis.get(key))
