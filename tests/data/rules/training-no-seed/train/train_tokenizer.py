"""Learn a BPE vocabulary for the action codes, and a codec processor's scale."""

from tokenizers import Tokenizer
from tokenizers.models import BPE
from tokenizers.trainers import BpeTrainer
from transformers import AutoProcessor

CODEC_REVISION = "3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"


def main(files: list[str], codes: list[list[int]]) -> None:
    vocab = Tokenizer(BPE(unk_token="[UNK]"))
    vocab.train(files, BpeTrainer(vocab_size=1024))
    vocab.save("vocab.json")
    codec = AutoProcessor.from_pretrained("acme/action-codec", revision=CODEC_REVISION)
    codec.fit(codes, scale=10)
    codec.save_pretrained("codec")


if __name__ == "__main__":
    main(["corpus.txt"], [[1, 2, 3]])
