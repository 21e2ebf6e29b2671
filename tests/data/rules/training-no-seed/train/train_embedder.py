"""An embedding model fine-tuned with sentence-transformers' trainer, a Hugging Face Trainer."""

from datasets import load_dataset
from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
from sentence_transformers.losses import MultipleNegativesRankingLoss


def main() -> None:
    model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
    pairs = load_dataset("json", data_files="data/pairs.jsonl", split="train")
    trainer = SentenceTransformerTrainer(model=model, train_dataset=pairs, loss=MultipleNegativesRankingLoss(model))
    trainer.train()


if __name__ == "__main__":
    main()
