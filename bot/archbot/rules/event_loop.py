"""Blocking work on the asyncio event loop."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import SYNC_CLIENTS, call_receiver, llm_client_kind
from archbot.rules.source import PythonFile
from archbot.rules.timeouts import HTTP_METHODS

RULES = Family()

_LANGCHAIN_BLOCKING = frozenset(["invoke", "batch", "stream", "embed_query", "embed_documents", "predict"])
_LITELLM_BLOCKING = frozenset(
    [
        "litellm.completion",
        "litellm.embedding",
        "litellm.text_completion",
        "litellm.image_generation",
    ]
)
_HTTP_BLOCKING_CLIENTS = frozenset(("httpx.Client", "requests.Session", "requests.sessions.Session"))
_NOT_IO = frozenset(("with_options", "copy", "bind", "with_retry", "with_structured_output"))


def _blocking_call(src: PythonFile, call: ast.Call) -> tuple[str, Severity | None] | None:
    """Describe why `call` blocks, with a severity override for CPU-bound work; None if it does not."""
    names = src.names
    name = names.call_name(call)
    if name is not None:
        module, _, function = name.rpartition(".")
        if name in _LITELLM_BLOCKING:
            return f"`{name}` is synchronous (use `litellm.acompletion`/`aembedding`).", None
        if module in ("requests", "httpx") and function in HTTP_METHODS:
            return f"`{name}` is a synchronous HTTP call.", None
        if name == "urllib.request.urlopen":
            return "`urllib.request.urlopen` is a synchronous HTTP call.", None
    receiver, chain = call_receiver(call)
    built = names.constructor(receiver)
    if built is None:
        return None
    ctor = built[0]
    method = ".".join(chain)
    if not chain or chain[0] in _NOT_IO:
        if not chain and ctor == "transformers.pipeline":
            return (
                "a local `transformers.pipeline` runs the model on the event loop.",
                Severity.MEDIUM,
            )
        return None
    if ctor in SYNC_CLIENTS:
        return f"`{ctor}` is the synchronous client: `.{method}()` blocks the loop.", None
    if ctor == "google.genai.Client" and chain[0] == "models":
        return "`genai.Client().models` is synchronous (use `client.aio.models`).", None
    if ctor in _HTTP_BLOCKING_CLIENTS and chain[-1] in HTTP_METHODS:
        return f"`{ctor}.{chain[-1]}` is a synchronous HTTP call.", None
    class_name = ctor.rsplit(".", 1)[-1]
    is_langchain = llm_client_kind(ctor) == "langchain" or (
        ctor.startswith("langchain") and class_name.endswith("Embeddings")
    )
    if is_langchain and chain[-1] in _LANGCHAIN_BLOCKING:
        return f"LangChain `.{chain[-1]}()` is synchronous (use `.a{chain[-1]}()`).", None
    if ctor.endswith(".from_pretrained") and chain == ["generate"]:
        return "a local `model.generate()` runs the model on the event loop.", Severity.MEDIUM
    return None


@RULES.rule(
    "sync-llm-client-in-async",
    title="Blocking LLM or HTTP client used inside async def",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    peers=("ASYNC210", "ASYNC212"),
)
def sync_llm_client_in_async(src: PythonFile) -> Iterator[Hit]:
    """A synchronous LLM SDK or HTTP call made directly inside an `async def`.

    Why:
        The call blocks the event loop for the whole upstream latency — seconds for an LLM — so
        every other request on that worker stalls, health checks time out and throughput
        collapses to one request at a time.
    Fix:
        Use the async client (`AsyncOpenAI`, `AsyncAnthropic`, `client.aio`, `litellm.acompletion`,
        LangChain `ainvoke`, `httpx.AsyncClient`), or move the call to a thread with
        `await asyncio.to_thread(...)`.
    Bad:
        async def answer(q: str) -> str:
            return client.chat.completions.create(model=MODEL, messages=[...])  # client = OpenAI()
    Good:
        async def answer(q: str) -> str:
            return await aclient.chat.completions.create(model=MODEL, messages=[...])  # AsyncOpenAI()
    """
    for call in src.changed_calls():
        if not src.nodes.in_async_context(call):
            continue
        found = _blocking_call(src, call)
        line = src.changed_line(call)
        if found is not None and line is not None:
            detail, severity = found
            yield Hit(line, detail, severity)


@RULES.rule(
    "blocking-sleep-in-async",
    title="time.sleep inside async def",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    peers=("ASYNC251",),
)
def blocking_sleep_in_async(src: PythonFile) -> Iterator[Hit]:
    """`time.sleep()` called directly inside an `async def`.

    Why:
        `time.sleep` freezes the whole event loop, not just this coroutine: a hand-rolled retry
        backoff of a few seconds stops every request the worker is serving.
    Fix:
        `await asyncio.sleep(...)`, or use a retry library's async support (tenacity's
        `AsyncRetrying`, `backoff` on async functions).
    Bad:
        async def call_with_retry():
            time.sleep(2 ** attempt)
    Good:
        async def call_with_retry():
            await asyncio.sleep(2 ** attempt)
    """
    for call in src.changed_calls():
        if src.names.call_name(call) == "time.sleep" and src.nodes.in_async_context(call):
            line = src.changed_line(call)
            if line is not None:
                yield Hit(line, "`time.sleep` blocks the event loop.")
