"""Generation helpers for the docs assistant."""

import asyncio

import aiohttp
import backoff
import httpx
import requests
from google import genai
from google.genai import types
from huggingface_hub import InferenceClient
from requests.adapters import HTTPAdapter
from tenacity import Retrying, stop_after_attempt, wait_random_exponential
from urllib3.util.retry import Retry

gemini = genai.Client(http_options=types.HttpOptions(timeout=30_000))
gemini_retrying = genai.Client(
    http_options=types.HttpOptions(timeout=30_000, retry_options=types.HttpRetryOptions(attempts=4))
)
tgi = InferenceClient(model="http://tgi.internal:8080", timeout=30)


def outline(topic: str) -> str:
    response = gemini.models.generate_content(model="gemini-2.0-flash", contents=topic)  # positive
    return response.text


def outline_retrying(topic: str) -> str:
    response = gemini_retrying.models.generate_content(model="gemini-2.0-flash", contents=topic)
    return response.text


def complete(prompt: str) -> str:
    return tgi.text_generation(prompt, max_new_tokens=200)  # positive: InferenceClient never retries


@backoff.on_exception(backoff.expo, httpx.HTTPError, max_tries=4)
def complete_with_backoff(prompt: str) -> str:
    return tgi.text_generation(prompt, max_new_tokens=200)  # negative: backoff decorator


def raw_generate(prompt: str) -> str:
    resp = requests.post(  # positive: raw POST to an LLM endpoint
        "http://vllm.internal:8000/v1/chat/completions",
        json={"model": "llama", "messages": [{"role": "user", "content": prompt}]},
        timeout=30,
    )
    return resp.json()["choices"][0]["message"]["content"]


def reload_adapter() -> int:
    resp = requests.post("http://vllm.internal:8000/admin/reload", timeout=5)  # negative: not LLM
    return resp.status_code


def generate_with_loop(prompt: str) -> str:
    for _attempt in range(3):
        try:
            resp = httpx.post("http://tgi.internal:8080/generate", json={"inputs": prompt}, timeout=30)
            return resp.json()["generated_text"]  # negative above: manual retry loop
        except httpx.HTTPError:
            continue
    raise RuntimeError("generation failed")


async def ask_ollama(prompt: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(  # positive
            "http://ollama.internal:11434/api/generate", json={"model": "llama3", "prompt": prompt}
        ) as resp:
            return (await resp.json())["response"]


class EndpointEmbedder:
    def __init__(self, inference_endpoint: str, host: str) -> None:
        self.inference_endpoint = inference_endpoint
        self.host = host

    def embed(self, text: str) -> list[float]:
        resp = requests.post(self.inference_endpoint, json={"inputs": [text]}, timeout=30)  # positive
        return resp.json()["embeddings"][0]

    def complete(self, prompt: str) -> str:
        url = f"http://{self.host}:8000/v1/completions"
        resp = requests.post(url, json={"prompt": prompt}, timeout=30)  # positive: URL bound above
        return resp.json()["choices"][0]["text"]

    def embed_all(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), 100):
            resp = requests.post(  # positive: a batching loop is not a retry loop
                self.inference_endpoint, json={"inputs": texts[start : start + 100]}, timeout=30
            )
            try:
                resp.raise_for_status()
            except requests.HTTPError:
                raise
            vectors.extend(resp.json()["embeddings"])
        return vectors

    def stats(self) -> int:
        url = f"http://{self.host}:8000/stats"
        return requests.post(url, timeout=5).status_code  # negative: not an LLM endpoint


def complete_with_tenacity(prompt: str) -> str:
    for attempt in Retrying(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10)):
        with attempt:
            return tgi.text_generation(prompt, max_new_tokens=200)  # negative: tenacity loop
    return ""


async def _with_retries(make_call, attempts: int = 3):  # a project retry helper
    for attempt in range(attempts):
        try:
            return await make_call()
        except aiohttp.ClientError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(2**attempt)
    return None


async def generate_via_helper(prompt: str, server_url: str) -> dict:
    async with aiohttp.ClientSession() as session:

        async def _post() -> dict:
            async with session.post(f"{server_url}/v1/completions", json={"prompt": prompt}) as resp:
                return await resp.json()  # negative above: handed to a retry helper

        return await _with_retries(_post)


def pause(vllm_server_url: str) -> int:
    return requests.post(f"{vllm_server_url}/pause", timeout=5).status_code  # negative: admin path


class RolloutClient:
    """Talks to the rollout generation server over one HTTP session."""

    def __init__(self, host: str) -> None:
        self.base_url = f"http://{host}:8000"
        self.session = requests.Session()  # positive: used for /generate, no retry adapter

    def generate(self, prompts: list[str]) -> list[str]:
        url = f"{self.base_url}/generate/"
        response = self.session.post(url, json={"prompts": prompts}, timeout=120)
        return response.json()["completions"]

    def score(self, prompts: list[str]) -> list[float]:
        url = f"{self.base_url}/v1/completions"
        response = self.session.post(url, json={"prompt": prompts}, timeout=120)
        return [choice["logprobs"] for choice in response.json()["choices"]]


class RetryingRolloutClient:
    def __init__(self, host: str) -> None:
        self.base_url = f"http://{host}:8000"
        self.session = requests.Session()  # negative: an adapter with urllib3 retries is mounted
        retry = Retry(total=4, backoff_factor=1, status_forcelist=[429, 502, 503, 504], allowed_methods=None)
        self.session.mount("http://", HTTPAdapter(max_retries=retry))

    def generate(self, prompts: list[str]) -> list[str]:
        url = f"{self.base_url}/generate/"
        response = self.session.post(url, json={"prompts": prompts}, timeout=120)
        return response.json()["completions"]
