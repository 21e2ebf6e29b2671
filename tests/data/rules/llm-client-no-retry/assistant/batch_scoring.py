"""Batch scoring of the corpus against the self-hosted model server."""

import time

import httpx
import requests
from tenacity import retry, stop_after_attempt, wait_random_exponential
from transformers import AutoTokenizer

from assistant.http_session import retrying_session


class CorpusScorer:
    def __init__(self, api_url: str, index_url: str, model: str) -> None:
        self.api_url = api_url
        self.index_url = index_url
        self.model = model
        self.tokenizer = AutoTokenizer.from_pretrained(model, revision="v1.0")
        self.session = requests.Session()  # positive: a request body for a model, in a loop
        self.shared = retrying_session()
        self.pooled = httpx.Client(transport=httpx.HTTPTransport(retries=3), timeout=60)

    def classify(self, batches: list[list[str]]) -> list[dict]:
        scores = []
        for batch in batches:
            response = requests.post(self.api_url, json={"inputs": batch}, timeout=60)  # positive
            scores.extend(response.json())
        return scores

    def embed(self, chunks: list[str]) -> list[list[float]]:
        vectors = []
        for chunk in chunks:
            payload = {"model": self.model}
            payload["input"] = chunk
            response = self.session.request("POST", self.api_url, json=payload, timeout=60)
            vectors.append(response.json()["data"][0]["embedding"])
        return vectors

    def review(self, rows: list[str]) -> list[str]:
        body = {"model": self.model, "max_tokens": 50}
        for row in rows:
            body["messages"] = [{"role": "user", "content": row}]
            reply = httpx.post(self.api_url, json=body, timeout=60)  # positive: httpx, in a loop
            yield reply.json()["choices"][0]["message"]["content"]

    def index(self, batches: list[list[dict]]) -> None:
        for batch in batches:
            requests.post(self.index_url, json={"records": batch}, timeout=60)  # negative: no model

    def classify_retrying(self, batches: list[list[str]]) -> list[dict]:
        scores = []
        for batch in batches:
            attempt = 0
            while True:
                try:
                    response = requests.post(self.api_url, json={"inputs": batch}, timeout=60)
                    response.raise_for_status()
                    break  # negative above: a while retry loop
                except requests.HTTPError:
                    attempt += 1
                    if attempt == 4:
                        raise
                    time.sleep(2**attempt)
            scores.extend(response.json())
        return scores

    def classify_shared(self, batches: list[list[str]]) -> list[dict]:
        return [
            self.shared.post(self.api_url, json={"inputs": b}, timeout=60).json()  # negative: adapter
            for b in batches
        ]

    def classify_pooled(self, batches: list[list[str]]) -> list[dict]:
        return [
            self.pooled.post(self.api_url, json={"inputs": b}).json()  # negative: own transport
            for b in batches
        ]

    def classify_through(self, client: httpx.Client, batches: list[list[str]]) -> list[dict]:
        return [client.post(self.api_url, json={"inputs": b}).json() for b in batches]  # negative


@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=20))
def score_batch(url: str, batch: list[str]) -> dict:
    return requests.post(url, json={"inputs": batch}, timeout=60).json()  # negative: retried


def score_all(url: str, batches: list[list[str]]) -> list[dict]:
    return [score_batch(url, batch) for batch in batches]


def start_finetunes(url: str, configs: list[dict]) -> None:
    for config in configs:
        job = {"learning_rate": config["lr"], "temperature": 0.7, "max_tokens": 512}
        requests.post(url, json=job, timeout=60)  # negative: a job's configuration, not a request


def kickoff_all(base_url: str, runs: list[dict]) -> None:
    for run in runs:
        requests.post(f"{base_url}/kickoff", json={"inputs": run}, timeout=60)  # negative: not a model


def probe(api_url: str, text: str) -> dict:
    reply = requests.post(api_url, json={"inputs": [text]}, timeout=60)
    return reply.json()  # negative above: one call answering one request, in a service


def converse(api_url: str, rounds: int, text: str) -> dict:
    for _ in range(rounds):
        reply = requests.post(api_url, json={"inputs": [text]}, timeout=60).json()
        if reply.get("done"):
            return reply  # negative above: rounds that stop at an answer, no pass over data
        text = reply["next"]
    return {}


def stream_reply(api_url: str, text: str) -> list[bytes]:
    chunks = []
    for chunk in requests.post(api_url, json={"inputs": [text]}, timeout=60, stream=True).iter_lines():
        chunks.append(chunk)
    return chunks  # negative above: the loop's own iterable, one call
