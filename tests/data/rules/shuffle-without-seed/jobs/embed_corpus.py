"""Embed the token corpus in batches and write the vectors."""

import torch

from data.shards import token_batches


def main() -> None:
    corpus = torch.load("tokens.pt", weights_only=True)
    encoder = torch.nn.EmbeddingBag(50_000, 256)
    vectors = [encoder(batch) for batch in token_batches(corpus)]
    torch.save(torch.cat(vectors), "vectors.pt")


if __name__ == "__main__":
    main()
