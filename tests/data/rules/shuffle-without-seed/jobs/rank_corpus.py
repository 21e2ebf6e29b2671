"""Score the corpus with the ranking head, reproducibly."""

import torch

from data.shards import ranked_batches


def main() -> None:
    torch.manual_seed(0)
    corpus = torch.load("tokens.pt", weights_only=True)
    head = torch.nn.Linear(256, 1)
    scores = [head(batch) for batch in ranked_batches(corpus)]
    torch.save(torch.cat(scores), "scores.pt")


if __name__ == "__main__":
    main()
