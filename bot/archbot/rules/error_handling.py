"""Provider errors from LLM calls: unhandled in request and task handlers, or swallowed."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator

from archbot.models import Severity
from archbot.repo.resolve import Names
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    contains_llm_call,
    is_route_handler,
    kwarg,
    llm_call,
)
from archbot.rules.source import PythonFile

RULES = Family()

_PROVIDER_ERROR_MODULES = (
    "openai.",
    "anthropic.",
    "cohere.",
    "httpx.",
    "requests.",
    "aiohttp.",
    "google.genai.",
    "google.api_core.",
    "litellm.",
    "huggingface_hub.",
    "langchain",
    "tenacity.",
)
_EXCEPTION_HANDLER = re.compile(
    r"(?:exception_handler|errorhandler)\(\s*(?:[\w.]+\.)?"
    r"(Exception|BaseException|APIError|OpenAIError|AnthropicError|APIStatusError|HTTPError)\b"
)
_SWALLOW_RETURNS = (None, "")


def _catches(names: Names, handler: ast.ExceptHandler) -> bool:
    """The handler catches provider errors: bare, Exception/BaseException, a provider error class,
    or a class the file cannot resolve (prefer silence)."""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for node in types:
        symbol = names.symbol(node)
        if symbol is not None and symbol.in_project:
            return True  # a project error class: whether the SDK error becomes one is not visible
        name = names.qualname(node)
        if name is None:
            if isinstance(node, ast.Name) and node.id in ("Exception", "BaseException"):
                return True
            if not (isinstance(node, ast.Name) and hasattr(builtins, node.id)):
                return True
        elif name.startswith(_PROVIDER_ERROR_MODULES):
            return True
    return False


def _inside_handled_try(src: PythonFile, call: ast.Call) -> bool:
    child: ast.AST = call
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if (
            isinstance(ancestor, ast.Try)
            and child in ancestor.body
            and any(_catches(src.names, h) for h in ancestor.handlers)
        ):
            return True
        child = ancestor
    return False


def _app_handles_errors(src: PythonFile) -> bool:
    return _EXCEPTION_HANDLER.search(src.text) is not None or src.repo.mentions(
        _EXCEPTION_HANDLER, "*.py", ("exception_handler", "errorhandler")
    )


def _task_retries(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Celery `@app.task(autoretry_for=...)`: the task framework handles the error."""
    return any(
        isinstance(d, ast.Call) and kwarg(d, "autoretry_for") is not None for d in function.decorator_list
    )


@RULES.rule(
    "llm-call-no-error-handling",
    title="LLM call in a request or task handler has no error handling",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_call_no_error_handling(src: PythonFile) -> Iterator[Hit]:
    """An LLM call directly in a route handler or task, outside any `try` that catches provider
    errors, in an app with no exception handler for them. A model run in-process (the SDK
    table's local clients: a sentence-transformers encoder, a transformers pipeline) has no
    provider whose errors these are.

    Why:
        Provider errors (rate limit, timeout, overload, content filter) are expected events.
        Unhandled, they surface as bare HTTP 500s or poison-message task failures, with no
        fallback, no useful message to the user and no degradation path.
    Fix:
        Catch the provider's error family (`openai.APIError`, `anthropic.APIError`, ...) and map
        it to a clear response or fallback, or register an app-level exception handler for it.
    Bad:
        @app.post("/answer")
        async def answer(q: Question):
            return await client.chat.completions.create(model=MODEL, messages=q.messages)
    Good:
        @app.post("/answer")
        async def answer(q: Question):
            try:
                return await client.chat.completions.create(model=MODEL, messages=q.messages)
            except openai.APIError as error:
                raise HTTPException(503, "model unavailable") from error
    """
    candidates = []
    for call in src.changed_calls():
        function = src.nodes.function(call)
        if function is None or not is_route_handler(function) or _task_retries(function):
            continue
        site = llm_call(src.names, call)
        line = src.changed_line(call)
        if site is None or (site.facts is not None and site.facts.local):
            continue  # an in-process model (a local encoder, a pipeline) has no provider to fail
        if line is not None and not _inside_handled_try(src, call):
            candidates.append(Hit(line, f"`.{site.method}()` errors reach the caller unhandled."))
    if candidates and not _app_handles_errors(src):
        yield from candidates


def _swallows(handler: ast.ExceptHandler) -> bool:
    broad = handler.type is None or any(
        isinstance(n, ast.Name) and n.id in ("Exception", "BaseException")
        for n in (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])
    )
    if not broad:
        return False
    for statement in handler.body:
        if isinstance(statement, (ast.Pass, ast.Continue)):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None
            or (
                isinstance(statement.value, ast.Constant)
                and statement.value.value in _SWALLOW_RETURNS
                and not isinstance(statement.value.value, bool)
            )
        ):
            continue
        return False
    return True


@RULES.rule(
    "llm-error-swallowed",
    title="LLM exception caught and discarded",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    peers=("B110", "S110", "B112", "S112", "BLE001"),
)
def llm_error_swallowed(src: PythonFile) -> Iterator[Hit]:
    """A broad `except` around an LLM call whose body only passes, continues or returns
    `None`/`""` — no logging, no re-raise.

    Why:
        Rate limits, auth failures and timeouts turn into empty answers or missing rows with no
        trace: users see blank results, dashboards show success, and nobody learns the provider
        is failing.
    Fix:
        Catch the provider's error classes, log them with context (`logger.exception(...)`), and
        re-raise, return an explicit error value, or count the failure.
    Bad:
        try:
            summary = llm.invoke(prompt).content
        except Exception:
            pass
    Good:
        try:
            summary = llm.invoke(prompt).content
        except Exception:
            logger.exception("summary failed for %s", doc_id)
            raise
    """
    for attempt in src.nodes.walked:
        if not isinstance(attempt, ast.Try) or not contains_llm_call(src.names, *attempt.body):
            continue
        for handler in attempt.handlers:
            if _swallows(handler):
                line = src.changed_line(handler)
                if line is not None:
                    yield Hit(line, "the LLM error is caught and discarded without a trace.")
