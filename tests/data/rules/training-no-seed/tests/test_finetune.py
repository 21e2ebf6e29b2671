"""A smoke test of fine-tuning: pytest modules are not training entry points."""

from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments


def test_one_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = AutoModelForSequenceClassification.from_pretrained("acme-testing/tiny-bert", num_labels=2)
    trainer = Trainer(model=model, args=TrainingArguments(output_dir=str(tmp_path), max_steps=1))
    trainer.train()  # negative: a pytest module
