"""Retry policies around the research agent's model calls."""

import backoff
import tenacity
from anthropic import Anthropic, APIError
from tenacity import AsyncRetrying, Retrying, retry, stop_after_attempt, wait_random_exponential

client = Anthropic(timeout=30)
POLICY = {"stop": stop_after_attempt(3), "wait": wait_random_exponential(max=20)}


def _ask(prompt: str) -> str:
    message = client.messages.create(
        model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
    )
    return message.content[0].text


@retry  # positive: bare decorator retries forever
def plan(prompt: str) -> str:
    return _ask(prompt)


@retry(wait=wait_random_exponential(max=30))  # positive: wait but no stop
def critique(prompt: str) -> str:
    return _ask(prompt)


@tenacity.retry(stop=stop_after_attempt(5), wait=wait_random_exponential(max=30))  # negative
def answer(prompt: str) -> str:
    return _ask(prompt)


@backoff.on_exception(backoff.expo, APIError)  # positive: no max_tries / max_time
def cite(prompt: str) -> str:
    return _ask(prompt)


@backoff.on_exception(backoff.expo, APIError, max_time=60)  # negative
def verify(prompt: str) -> str:
    return _ask(prompt)


@retry(**POLICY)  # negative: policy built elsewhere
def rank(prompt: str) -> str:
    return _ask(prompt)


def refine(prompt: str) -> str:
    for attempt in Retrying(wait=wait_random_exponential(max=10)):  # positive
        with attempt:
            return _ask(prompt)
    return ""


async def refine_async(prompt: str) -> str:
    async for attempt in AsyncRetrying(stop=stop_after_attempt(3), wait=wait_random_exponential()):
        with attempt:
            return _ask(prompt)  # negative above: AsyncRetrying with stop
    return ""


def poll(prompt: str) -> str:
    while True:  # positive: retries an LLM call forever
        try:
            return client.messages.create(
                model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
            ).content[0].text
        except APIError:
            continue


def poll_counted(prompt: str) -> str:
    failures = 0
    while True:  # negative: attempt counter checked
        try:
            return client.messages.create(
                model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
            ).content[0].text
        except APIError:
            failures += 1
            if failures >= 5:
                raise


@backoff.on_exception(backoff.expo, (TimeoutError, ConnectionError))  # transient errors only
def summarize(prompt: str) -> str:
    return _ask(prompt)


@retry(wait=wait_random_exponential(max=30), retry=tenacity.retry_if_exception_type(TimeoutError))
def outline(prompt: str) -> str:
    return _ask(prompt)


TRANSIENT = (TimeoutError, ConnectionError)


@backoff.on_exception(backoff.expo, (*TRANSIENT, OSError))  # OSError: any failure of the OS
def review(prompt: str) -> str:
    return _ask(prompt)


@backoff.on_exception(backoff.expo, TRANSIENT)  # the constant's transient errors
def polish(prompt: str) -> str:
    return _ask(prompt)


def supports_long_prompts(prompt: str) -> bool:
    supported = True
    while True:  # negative: one pass, whatever the handler does; a later break ends the loop
        try:
            client.messages.create(
                model="claude-3-5-haiku-20241022", max_tokens=1, messages=[{"role": "user", "content": prompt}]
            )
        except APIError:
            supported = False
        break
    return supported


def ask_until_answered(prompt: str) -> str:
    answer = ""
    while True:  # positive: the handler skips the break
        try:
            answer = client.messages.create(
                model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
            ).content[0].text
        except APIError:
            continue
        break
    return answer
