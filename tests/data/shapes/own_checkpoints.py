import io
import os

import torch


class ChunkStore:
    def __init__(self, persist_path):
        self.persist_path = persist_path
        self.chunks = {}
        if os.path.isfile(persist_path):
            self.chunks = torch.load(self.persist_path)

    def persist(self):
        torch.save(self.chunks, self.persist_path)


def save_rng(ckpt_dir, rank, states):
    torch.save(states, os.path.join(ckpt_dir, f"rng_states_{rank}.pt"))


def load_rng(load_dir, tag, rank):
    return torch.load(os.path.join(load_dir, tag, f"rng_states_{rank}.pt"))


def save_adapter(out_dir, weights):
    with open(f"{out_dir}/adapter.bin", "wb") as sink:
        torch.save(weights, sink)


def load_adapter(adapter_dir):
    with open(f"{adapter_dir}/adapter.bin", "rb") as source:
        return torch.load(source)


def load_pretrained(model_dir):
    return torch.load(os.path.join(model_dir, "pytorch_model.bin"))


def load_given(path):
    return torch.load(path)


def export(buffer, state):
    torch.save(state, buffer)


def restore(buffer):
    return torch.load(buffer)


def save_snapshot(out_dir, state, epoch, is_best):
    target = os.path.join(out_dir, "snapshot_{}.pth".format("best" if is_best else epoch))
    torch.save(state, target)


def reload_best_snapshot(out_dir):
    target = os.path.join(out_dir, "snapshot_best.pth")
    return torch.load(target, map_location="cpu")


def save_shard(state, save_dir, rank):
    torch.save(state, os.path.join(save_dir, "shard_%02d.bin" % rank))


def load_shard(load_dir, rank):
    shard = os.path.join(load_dir, "shard_%02d.bin" % rank)
    return torch.load(shard)


def save_step(state, save_dir, step):
    torch.save(state, os.path.join(save_dir, "{}.pt".format(step)))


def load_final(load_dir):
    return torch.load(os.path.join(load_dir, "final.pt"))


class ShardedIndex:
    def __init__(self, out_dir):
        self.out_dir = out_dir

    def _shard_path(self, index):
        return os.path.join(self.out_dir, f"shard-{index}.pt")

    def write(self, index, embeddings):
        target = self._shard_path(index)
        torch.save(embeddings, target)

    def read(self, index):
        target: str = self._shard_path(index)
        return torch.load(target)


def to_bytes(state):
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def from_bytes(data):
    buffer = io.BytesIO(data)
    return torch.load(buffer)


def export_named(state, prefix):
    torch.save(state, prefix + ".pt")


def load_named(name):
    return torch.load(name + ".pt")


def save_parts(parts, out_dir):
    for key, part in parts.items():
        part_file = f"part_{key}.bin"
        torch.save(part, os.path.join(out_dir, part_file))


def load_parts(keys, in_dir):
    for key in keys:
        part_file = f"part_{key}.bin"
        yield torch.load(os.path.join(in_dir, part_file))


class Policy:
    def __init__(self, model):
        self.model = model

    def save(self, path="./policy.pt"):
        torch.save(self.model.state_dict(), path)

    def load(self, path="./policy.pt"):
        self.model.load_state_dict(torch.load(path))

    def load_reference(self, path="./reference.pt"):
        self.model.load_state_dict(torch.load(path))

    def load_any(self, path=None):
        self.model.load_state_dict(torch.load(path))
