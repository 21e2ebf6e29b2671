import pickle

import torch
import torch.distributed as dist


def gather_objects(obj: object, group_size: int) -> list[object]:
    payload = torch.frombuffer(bytearray(pickle.dumps(obj)), dtype=torch.uint8)
    gathered = [torch.empty_like(payload) for _ in range(group_size)]
    dist.all_gather(gathered, payload)
    return [pickle.loads(t.numpy().tobytes()) for t in gathered]


def load_peer_state(blob: bytes) -> object:
    return pickle.loads(blob)
