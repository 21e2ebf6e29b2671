import requests

from serving.codecs import CODECS


class ScoringClient:
    def __init__(self, url: str, content_type: str = "application/json") -> None:
        self.url = url
        self.content_type = content_type
        self.codec = CODECS[self.content_type]()

    def score(self, features: list[float]) -> list[float]:
        reply = requests.post(self.url, data=self.codec.encode(features), timeout=30)
        return self.codec.decode(reply.content)
