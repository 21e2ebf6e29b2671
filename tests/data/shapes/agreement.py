from sentence_transformers import CrossEncoder


class Agreement:
    def __init__(self, model_name: str) -> None:
        self.encoder = CrossEncoder(model_name)

    def pair_score(self, first: list[str], second: list[str]) -> float:
        return float(self.encoder.predict(list(zip(first, second))).mean())

    def scores(self, answers: list[list[str]]) -> list[float]:
        found = []
        for answer in answers:
            found.append(self.pair_score(answer, answers[0]))
        return found

    def direct(self, pairs: list[tuple[str, str]]) -> list[float]:
        return [self.encoder.predict([pair])[0] for pair in pairs]
