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
