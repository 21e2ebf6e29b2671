"""Toxicity of the evaluated model's answers, scored by a local classifier."""

from transformers import pipeline


class ToxicityEval:
    def __init__(self) -> None:
        self.scorer = pipeline("text-classification", model="acme/toxicity-scorer")
        self.rewriter = pipeline(task="text-generation", model="acme/rewriter")

    def score(self, answers: list[str]) -> list[dict]:
        return self.scorer(answers, batch_size=8)

    def rewrite(self, answer: str) -> str:
        return self.rewriter(answer)[0]["generated_text"]
