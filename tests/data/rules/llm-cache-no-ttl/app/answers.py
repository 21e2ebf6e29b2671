"""Cached answers and embeddings for the FAQ service."""

import functools

import cachetools
import diskcache
import redis
from fastapi import FastAPI
from langchain_community.cache import InMemoryCache, RedisCache
from langchain_core.globals import set_llm_cache
from openai import OpenAI

app = FastAPI()
client = OpenAI(timeout=20)
store = redis.Redis(host="cache.internal", port=6379)
disk = diskcache.Cache("/var/cache/faq")

set_llm_cache(InMemoryCache())  # positive: in-process cache in a serving module, never expires
semantic = RedisCache(redis_=store)  # positive: no ttl
semantic_ttl = RedisCache(redis_=store, ttl=3600)  # negative


def _ask(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=300
    )
    return reply.choices[0].message.content or ""


@functools.lru_cache(maxsize=4096)  # positive
def embed(text: str) -> list[float]:
    return client.embeddings.create(model="text-embedding-3-small", input=[text]).data[0].embedding


@functools.cache  # positive
def faq_answer(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=300
    )
    return reply.choices[0].message.content or ""


@cachetools.cached(cachetools.LRUCache(maxsize=1024))  # positive
def category(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=5
    )
    return reply.choices[0].message.content or ""


@cachetools.cached(cachetools.TTLCache(maxsize=1024, ttl=600))  # negative
def category_fresh(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=5
    )
    return reply.choices[0].message.content or ""


@functools.lru_cache(maxsize=32)  # negative: no model call
def load_template(name: str) -> str:
    with open(f"prompts/{name}.txt", encoding="utf-8") as handle:
        return handle.read()


@app.get("/faq")
def cached_answer(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=300
    )
    text = reply.choices[0].message.content or ""
    store.set(f"faq:{question}", text)  # positive
    store.set(f"faq-ttl:{question}", text, ex=3600)  # negative
    store.set(f"seen:{question}", "1")  # negative: not a model response
    disk.set(question, text)  # positive
    disk.set(question, text, expire=3600)  # negative
    return text


def cached_hash(question: str) -> str:
    text = _ask(question)
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=300
    )
    store.hset("faq", question, answer.choices[0].message.content)  # negative: expired below
    store.expire("faq", 3600)
    return text
