"""A pairwise preference trainer: it builds its scoring head itself, before the Trainer seeds."""

from transformers import AutoModelForSequenceClassification, Trainer


class PreferenceTrainer(Trainer):
    def __init__(self, model_name: str, args, train_dataset) -> None:
        model = AutoModelForSequenceClassification.from_pretrained(model_name, num_labels=1)
        super().__init__(model=model, args=args, train_dataset=train_dataset)
