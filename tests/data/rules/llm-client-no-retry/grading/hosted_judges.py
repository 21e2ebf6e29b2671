"""Judging generated replies with hosted classifier and model APIs."""

import asyncio

import requests
from datasets import Dataset
from tenacity import retry, stop_after_attempt, wait_random_exponential


def harm_scores(replies: Dataset, token: str) -> list[float]:
    endpoint = f"https://commentanalyzer.googleapis.com/v1alpha1/comments:analyze?key={token}"
    scores = []
    for reply in replies["reply"]:
        body = {"comment": {"text": reply}, "requestedAttributes": {"INSULT": {}}}
        answer = requests.post(endpoint, json=body, timeout=30)  # positive: hosted scorer, per reply
        scores.append(answer.json()["attributeScores"]["INSULT"]["summaryScore"]["value"])
    return scores


def label(text: str, token: str) -> dict:
    route = "https://router.huggingface.co/hf-inference/models/org/classifier"
    headers = {"Authorization": f"Bearer {token}"}
    return requests.post(route, json={"text": text}, headers=headers, timeout=30).json()  # positive


@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=20))
def harm_score_retrying(reply: str, token: str) -> float:
    endpoint = f"https://commentanalyzer.googleapis.com/v1alpha1/comments:analyze?key={token}"
    body = {"comment": {"text": reply}}
    return requests.post(endpoint, json=body, timeout=30).json()  # negative: retried


def upload(blob: bytes, bucket: str) -> None:
    url = f"https://storage.googleapis.com/upload/storage/v1/b/{bucket}/o"
    requests.post(url, json={"name": "replies.jsonl"}, timeout=30)  # negative: not a model host


def mirror(text: str) -> None:
    url = "https://myapi.mistral.ai.example.net/v1/notes"
    requests.post(url, json={"text": text}, timeout=30)  # negative: a look-alike host


def label_or_none(text: str, token: str) -> dict | None:
    route = "https://router.huggingface.co/hf-inference/models/org/classifier"
    try:
        answer = requests.post(route, json={"text": text}, timeout=30)  # negative: its failure handled
        answer.raise_for_status()
    except requests.RequestException:
        return None
    return answer.json()


def label_or_fail(text: str) -> dict:
    route = "https://router.huggingface.co/hf-inference/models/org/classifier"
    try:
        return requests.post(route, json={"text": text}, timeout=30).json()  # negative: any error
    except Exception as error:
        raise RuntimeError("the classifier is unavailable") from error


def label_parsed(text: str) -> dict:
    route = "https://router.huggingface.co/hf-inference/models/org/classifier"
    try:
        return requests.post(route, json={"text": text}, timeout=30).json()  # positive
    except ValueError:
        return {}


def label_logged(text: str) -> dict:
    route = "https://router.huggingface.co/hf-inference/models/org/classifier"
    try:
        reply = {}
    except requests.RequestException:
        reply = {}
    finally:
        reply = requests.post(route, json={"text": text}, timeout=30).json()  # positive: in finally
    return reply


async def label_in_thread(text: str) -> dict:
    def request() -> dict:
        route = "https://router.huggingface.co/hf-inference/models/org/classifier"
        return requests.post(route, json={"text": text}, timeout=30).json()  # negative: run in a try

    try:
        return await asyncio.to_thread(request)
    except Exception:
        return {}


async def label_in_thread_bare(text: str) -> dict:
    def request() -> dict:
        route = "https://router.huggingface.co/hf-inference/models/org/classifier"
        return requests.post(route, json={"text": text}, timeout=30).json()  # positive

    first = await asyncio.to_thread(request)
    try:
        return first | await asyncio.to_thread(request)
    except Exception:
        return first
