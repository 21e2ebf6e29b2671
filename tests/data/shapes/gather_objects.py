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


def ring_gather(tensor: torch.Tensor) -> list[torch.Tensor]:
    gathered = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, tensor)
    return gathered


def gather_list(data: object) -> list[object]:
    payload = torch.frombuffer(bytearray(pickle.dumps(data)), dtype=torch.uint8)
    return [pickle.loads(t.numpy().tobytes()) for t in ring_gather(payload)]


def summed_list(data: object) -> list[object]:
    buffer = torch.zeros(1024, dtype=torch.uint8)
    dist.all_reduce(buffer)
    return [pickle.loads(buffer.numpy().tobytes())]


def exchange_objects(obj: object, transport) -> list[object]:
    payload = torch.ByteTensor(torch.ByteStorage.from_buffer(pickle.dumps(obj)))
    gathered = transport.all_gather(payload)
    objects = []
    for rank in range(gathered.size(0)):
        data = gathered[rank].cpu().numpy().tobytes()
        objects.append(pickle.loads(data))
    return objects
