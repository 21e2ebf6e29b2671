"""Model calls with hand-written and tenacity retries."""

import asyncio
import random
import time

from openai import AsyncOpenAI, BadRequestError, OpenAI, RateLimitError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

client = OpenAI(timeout=30)
aclient = AsyncOpenAI(timeout=30)


def _messages(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


@retry(stop=stop_after_attempt(3))  # positive: retries immediately
def title(text: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=20)
    return reply.choices[0].message.content or ""


@retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter(max=20))  # negative
def abstract(text: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=200)
    return reply.choices[0].message.content or ""


@retry  # negative here: unbounded, which is retry-unbounded's finding
def keywords(text: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=50)
    return reply.choices[0].message.content or ""


def hammer(text: str) -> str:
    for _attempt in range(4):  # positive (medium): no sleep at all
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=50)
            return reply.choices[0].message.content or ""
        except RateLimitError:
            continue
    raise RuntimeError("rate limited")


def fixed_pause(text: str) -> str:
    for _attempt in range(4):  # positive (low): a sub-second constant sleep, barely a pause
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=50)
            return reply.choices[0].message.content or ""
        except RateLimitError:
            time.sleep(0.2)
    raise RuntimeError("rate limited")


def backs_off(text: str) -> str:
    for attempt in range(4):  # negative: exponential backoff with jitter
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=50)
            return reply.choices[0].message.content or ""
        except RateLimitError:
            time.sleep(2**attempt + random.random())
    raise RuntimeError("rate limited")


async def backs_off_async(text: str) -> str:
    for attempt in range(4):  # negative
        try:
            reply = await aclient.chat.completions.create(
                model="gpt-4o-mini", messages=_messages(text), max_tokens=50
            )
            return reply.choices[0].message.content or ""
        except RateLimitError:
            await asyncio.sleep(min(30, 2**attempt))
    raise RuntimeError("rate limited")


def label_rows(rows: list[str]) -> list[str | None]:
    labels: list[str | None] = []
    for index in range(len(rows)):  # negative: a batch loop, not a retry loop
        try:
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=_messages(rows[index]), max_tokens=5
            )
            labels.append(reply.choices[0].message.content)
        except RateLimitError:
            labels.append(None)
    return labels


def sample(text: str, count: int) -> list[str]:
    outputs: list[str] = []
    for _index in range(count):  # negative: collects samples, returns early when rate limited
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=50)
        except RateLimitError:
            return outputs
        outputs.append(reply.choices[0].message.content or "")
    return outputs


async def waits_out(text: str) -> str | None:
    for _attempt in range(4):  # negative: a constant wait of seconds gives the provider room
        try:
            return (await aclient.completions.create(model="gpt-4o-mini", prompt=text, max_tokens=50)).id
        except RateLimitError:
            await asyncio.sleep(10)
    return None


def with_fallback(text: str) -> str | None:
    options: dict[str, object] = {"model": "gpt-4o", "messages": _messages(text), "max_tokens": 50}
    for _attempt in range(2):  # negative: the handler sends another request, a fallback
        try:
            return client.chat.completions.create(**options).choices[0].message.content
        except BadRequestError:
            options["model"] = "gpt-4o-mini"
    return None


def repeated(text: str) -> str | None:
    options: dict[str, object] = {"model": "gpt-4o", "messages": _messages(text), "max_tokens": 50}
    for _attempt in range(2):  # positive: the handler only counts, the same request goes again
        try:
            return client.chat.completions.create(**options).choices[0].message.content
        except RateLimitError:
            failures = _attempt + 1
            print(f"rate limited {failures}")
    return None


def reask(text: str) -> int | None:
    messages = _messages(text)
    for _attempt in range(3):  # negative: the handler re-asks with a correction
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=5)
            return int(reply.choices[0].message.content or "")
        except ValueError:
            messages.append({"role": "user", "content": "Answer with a number only."})
    return None


class QuestionParseError(Exception):
    """The reply held no question."""


def _question(reply: str) -> str:
    if "?" not in reply:
        raise QuestionParseError(reply)
    return reply


@retry(stop=stop_after_attempt(3), retry=retry_if_exception_type(QuestionParseError))  # negative: a re-ask
def follow_up(text: str) -> str:
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=40)
    return _question(reply.choices[0].message.content or "")


@retry(stop=stop_after_attempt(3), retry=retry_if_exception_type((QuestionParseError, RateLimitError)))
def follow_up_or_wait(text: str) -> str:  # positive: a rate limit retried at once
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=40)
    return _question(reply.choices[0].message.content or "")


def parsed_score(text: str) -> float | None:
    for attempt in range(2):  # negative: only an unreadable answer goes again; a failed call gives up
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=5)
            return float(reply.choices[0].message.content or "")
        except ValueError:
            if attempt == 0:
                continue
            return None
        except RateLimitError:
            return None
    return None


def parsed_or_anything(text: str) -> float | None:
    for _attempt in range(2):  # positive: after any other error too, the same request goes again
        try:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=_messages(text), max_tokens=5)
            return float(reply.choices[0].message.content or "")
        except ValueError:
            continue
        except Exception:
            print("call failed")
    return None
