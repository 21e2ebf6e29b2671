"""Fine-tune with the head drawn after seeding, and with model_init (the Trainer seeds first)."""

from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments, set_seed

from models.net import load_tickets

MODEL_ID = "distilbert/distilbert-base-uncased"
REVISION = "12040accade4e8a0f71eabdb258fecc2e7e948be"


def build() -> AutoModelForSequenceClassification:
    return AutoModelForSequenceClassification.from_pretrained(MODEL_ID, revision=REVISION, num_labels=12)


def main() -> None:
    set_seed(7)
    model = build()  # negative: the module seeds explicitly
    args = TrainingArguments(output_dir="out", num_train_epochs=2, seed=7)
    Trainer(model=model, args=args, train_dataset=load_tickets("data/train.jsonl")).train()
    Trainer(model_init=build, args=args, train_dataset=load_tickets("data/train.jsonl")).train()


if __name__ == "__main__":
    main()
