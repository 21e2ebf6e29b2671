"""Support-assistant endpoints: every client here sits on a request path."""

import cohere
import httpx
import litellm
from anthropic import Anthropic
from fastapi import FastAPI
from google import genai
from google.genai import types
from huggingface_hub import AsyncInferenceClient, InferenceClient
from openai import AsyncOpenAI, OpenAI

app = FastAPI()

drafts = OpenAI()  # positive (medium): 600 s default in a serving module
quick = OpenAI().with_options(timeout=15)  # negative: .with_options(timeout=)
pooled = OpenAI(http_client=httpx.Client(timeout=20.0))  # negative: custom http client timeout
plain_pool = OpenAI(http_client=httpx.Client())  # positive (medium): httpx client keeps SDK default
claude = Anthropic(timeout=30.0)  # negative
per_call = AsyncOpenAI()  # negative: every call below passes timeout=
reranker = cohere.ClientV2()  # positive (medium): 300 s default
tgi = InferenceClient(model="http://tgi.internal:8080")  # positive (high): no timeout at all
tgi_async = AsyncInferenceClient(model="http://tgi.internal:8080", timeout=20)  # negative
gemini = genai.Client()  # positive (high): google-genai has no default timeout
gemini_bounded = genai.Client(http_options=types.HttpOptions(timeout=30_000))  # negative
gemini_v1 = genai.Client(http_options={"api_version": "v1"})  # positive (high): no timeout key
catalog = httpx.Client()  # negative: httpx defaults to 5 s, never flagged


@app.post("/draft")
def draft(ticket: str) -> str:
    reply = drafts.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}], max_tokens=400
    )
    return reply.choices[0].message.content or ""


@app.post("/classify")
async def classify(ticket: str) -> str:
    reply = await per_call.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": ticket}],
        max_tokens=5,
        timeout=10,
    )
    return reply.choices[0].message.content or ""


@app.post("/route")
async def route(ticket: str) -> str:
    routed = await litellm.acompletion(  # positive (medium): litellm waits 6000 s
        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}], max_tokens=5
    )
    checked = litellm.completion(  # negative: per-call timeout
        model="gpt-4o-mini", messages=[{"role": "user", "content": ticket}], max_tokens=5, timeout=10
    )
    catalog.get("https://catalog.internal/v1/products")  # negative: httpx call
    return routed.choices[0].message.content + checked.choices[0].message.content
