"""Scores a prompt with the fine-tuned routing classifier: the checkpoint brings its head."""

from transformers import AutoModelForSequenceClassification, AutoTokenizer


class RouteScorer:
    def __init__(self, checkpoint_dir: str) -> None:
        self.model = AutoModelForSequenceClassification.from_pretrained(checkpoint_dir, num_labels=3)
        self.tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir)

    def score(self, prompt: str) -> list[float]:
        logits = self.model(**self.tokenizer(prompt, return_tensors="pt")).logits
        return logits.softmax(-1)[0].tolist()
