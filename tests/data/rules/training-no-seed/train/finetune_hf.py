"""Fine-tune a small encoder with the Hugging Face Trainer: it seeds from its arguments, too late for the head."""

from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments

from models.net import load_tickets

MODEL_ID = "distilbert/distilbert-base-uncased"
REVISION = "12040accade4e8a0f71eabdb258fecc2e7e948be"


def main() -> None:
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID, revision=REVISION, num_labels=12)
    args = TrainingArguments(output_dir="out", num_train_epochs=2, seed=7)
    trainer = Trainer(model=model, args=args, train_dataset=load_tickets("data/train.jsonl"))
    trainer.train()


if __name__ == "__main__":
    main()


def load_reranker() -> AutoModelForSequenceClassification:
    return AutoModelForSequenceClassification.from_pretrained(MODEL_ID, revision=REVISION)  # negative
