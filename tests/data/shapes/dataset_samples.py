import os
import pickle

import numpy as np
import requests
import torch
from torch.utils.data import Dataset


class LatentClips(Dataset):
    def __init__(self, root, index_file):
        self.root = root
        self.clips = np.load(index_file, allow_pickle=True)

    def __len__(self):
        return len(self.clips)

    def __getitem__(self, i):
        latent = torch.load(os.path.join(self.root, f"{self.clips[i]}.pt"))
        with open(os.path.join(self.root, f"{self.clips[i]}.emb"), "rb") as f:
            caption = pickle.load(f)
        return latent, caption


class CaptionedClips(LatentClips):
    def caption(self, i):
        with open(os.path.join(self.root, "captions", f"{i}.pkl"), "rb") as f:
            return pickle.load(f)

    def mirror(self, url):
        return pickle.loads(requests.get(url, timeout=10).content)


class ClipIndex:
    def load(self, path):
        with open(path, "rb") as f:
            return pickle.load(f)


def read_clip(path):
    return torch.load(path)
