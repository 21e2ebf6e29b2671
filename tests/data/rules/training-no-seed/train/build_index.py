"""Build a compressed passage index: faiss trains its quantizer with a fixed seed of its own."""

import faiss
import numpy as np


class PassageIndex:
    def __init__(self, dimension: int) -> None:
        quantizer = faiss.IndexFlatIP(dimension)
        self.index = faiss.IndexIVFPQ(quantizer, dimension, 1024, 16, 8)

    def build(self, vectors: np.ndarray) -> None:
        self.index.train(vectors)
        self.index.add(vectors)


def main() -> None:
    vectors = np.load("data/passages.npy")
    PassageIndex(vectors.shape[1]).build(vectors)
    index = faiss.IndexHNSWSQ(vectors.shape[1], faiss.ScalarQuantizer.QT_8bit, 32)
    index.train(vectors)


if __name__ == "__main__":
    main()
