"""Calls that can hang: disabled or missing timeouts on LLM clients and plain HTTP."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archbot.models import Severity
from archbot.repo.endpoints import HTTP_METHODS, LOOPBACK_URL, MODEL_ENDPOINT, OFFLINE_URL
from archbot.repo.resolve import binding_key
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    argument,
    call_receiver,
    has_splat,
    is_none,
    is_script,
    kwarg,
    literal_text,
    llm_client_kind,
    rendered_text,
    scope_walk,
    url_start,
    url_value,
)
from archbot.rules.source import PythonFile

RULES = Family()

_TIMEOUT_KWARGS = ("timeout", "request_timeout", "default_request_timeout")
_CLIENT_KWARGS = ("http_client", "client", "http_async_client", "async_client")
_LANGCHAIN_NONE_DEFAULT = frozenset(("ChatOpenAI", "AzureChatOpenAI", "ChatAnthropic"))


def _requests_target(src: PythonFile, call: ast.Call) -> str | None:
    """'requests.post' for a requests call or a method on a `requests.Session()`; else None."""
    name = src.names.call_name(call)
    if name and name.startswith("requests.") and name.split(".")[-1] in HTTP_METHODS:
        return name
    if isinstance(call.func, ast.Attribute) and call.func.attr in HTTP_METHODS:
        built = src.names.constructor(call.func.value)
        if built is not None and built[0] in ("requests.Session", "requests.sessions.Session"):
            return f"requests.Session.{call.func.attr}"
    return None


def _session_constructor(src: PythonFile, call: ast.Call, receiver: ast.expr) -> ast.Call | None:
    """The call that built `receiver`: the nearest enclosing `(async) with ... as <receiver>`,
    else the file's one-hop binding (several functions often reuse the name `session`)."""
    if isinstance(receiver, ast.Name):
        for ancestor in src.nodes.ancestors(call):
            if isinstance(ancestor, (ast.With, ast.AsyncWith)):
                for item in ancestor.items:
                    bound = item.optional_vars
                    if isinstance(bound, ast.Name) and bound.id == receiver.id:
                        return item.context_expr if isinstance(item.context_expr, ast.Call) else None
    built = src.names.constructor(receiver)
    return built[1] if built is not None else None


def _unbounded_client_timeout(src: PythonFile, node: ast.expr) -> bool:
    """`aiohttp.ClientTimeout()` with every field left None: no limit at all."""
    return (
        isinstance(node, ast.Call)
        and src.names.call_name(node) == "aiohttp.ClientTimeout"
        and not node.args
        and all(k.arg is not None and is_none(k.value) for k in node.keywords)
    )


def _aiohttp_session(src: PythonFile, call: ast.Call) -> tuple[str, str] | None:
    """(method, why) for a request on an `aiohttp.ClientSession` with no bound: the session was
    built without `timeout=` (aiohttp then waits up to 5 minutes) or with an empty
    `ClientTimeout()`, and the request sets none either. None when a timeout applies or cannot be
    ruled out, and in command-line scripts (batch jobs may legitimately wait)."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in HTTP_METHODS or has_splat(call):
        return None
    if kwarg(call, "timeout") is not None:
        return None
    built = _session_constructor(src, call, func.value)
    if built is None or src.names.call_name(built) != "aiohttp.ClientSession" or has_splat(built):
        return None
    timeout = kwarg(built, "timeout")
    if timeout is not None and not _unbounded_client_timeout(src, timeout.value):
        return None
    if is_script(src):
        return None
    why = "the session's `ClientTimeout()` sets no limit" if timeout else "aiohttp's default is 5 minutes"
    return func.attr, why


@RULES.rule(
    "http-call-no-timeout",
    title="Plain HTTP call without a timeout",
    severity=Severity.MEDIUM,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    peers=("B113", "S113"),
    subject="call",
)
def http_call_no_timeout(src: PythonFile) -> Iterator[Hit]:
    """A `requests` or `urllib` call with no timeout, which can wait forever, or an `aiohttp`
    request with none on the call or its session, which waits up to 5 minutes. A `data:` or
    `file:` URL (its text, or a `startswith` guard around the call) reaches no network. A request
    to this machine and to no model path (`f"http://localhost:{port}/terminate"`, or a host the
    code shows as one constant: a server the code started or proxies to) is one process of the
    deployment calling another beside it: not reported.

    Why:
        `requests` and `urllib` never time out unless told to ("your code may hang for minutes
        or more"). A model server or LLM endpoint that stops answering then holds the worker, its
        connection and the user's request until something else kills them.
    Fix:
        Pass `timeout=(connect, read)` sized to the endpoint, e.g. `timeout=(3.05, 60)`, and handle
        `requests.Timeout`.
    Bad:
        resp = requests.post("http://vllm:8000/v1/chat/completions", json=payload)
    Good:
        resp = requests.post("http://vllm:8000/v1/chat/completions", json=payload, timeout=(3, 60))
    """
    for call in src.changed_calls():
        line = src.changed_line(call)
        target = _requests_target(src, call)
        if target is not None and line is not None and not has_splat(call):
            timeout = kwarg(call, "timeout")
            if timeout is not None and not is_none(timeout.value):
                continue
            position = 1 if target.endswith(".request") else 0
            url = _url_text(src, call, position)
            if _beside(url):
                continue
            llm = bool(MODEL_ENDPOINT.search(url))
            what = "`timeout=None`" if timeout is not None else "no timeout"
            yield Hit(
                line,
                f"`{target}` with {what}" + (" to an LLM endpoint." if llm else "."),
                Severity.HIGH if llm else None,
            )
        elif line is not None and (aiohttp_call := _aiohttp_session(src, call)) is not None:
            method, why = aiohttp_call
            url = _url_text(src, call, 1 if method == "request" else 0)
            if _beside(url):
                continue
            llm = bool(MODEL_ENDPOINT.search(url))
            yield Hit(
                line,
                f"aiohttp `session.{method}()` with no timeout: {why}"
                + (" (an LLM endpoint)." if llm else "."),
                Severity.HIGH if llm else None,
            )
        elif (
            src.names.call_name(call) == "urllib.request.urlopen"
            and line is not None
            and argument(call, 2, "timeout") is None
            and not has_splat(call)
            and not _offline(src, call)
        ):
            yield Hit(line, "`urllib.request.urlopen` without `timeout`.")


def _url_text(src: PythonFile, call: ast.Call, position: int) -> str:
    """The text of the URL a call requests, where the code shows it (`url_value`), its
    placeholders filled in where the code shows their one value (`rendered_text`)."""
    url = argument(call, position, "url")
    return "" if url is None else rendered_text(src.names, url_value(src.names, src.nodes, call, url))


def _offline(src: PythonFile, call: ast.Call) -> bool:
    """`urlopen` given a `data:` or `file:` URL (by its text or a `startswith` guard): no network."""
    url = argument(call, 0, "url")
    return url is not None and OFFLINE_URL.match(url_start(src.names, src.nodes, call, url)) is not None


# Methods of an httpx client that take the URL second (after the HTTP method).
_METHOD_FIRST = frozenset(("request", "stream", "build_request"))


def _client_urls(src: PythonFile, client: ast.Call) -> list[ast.expr]:
    """The URLs an HTTP client is sent to where the code shows them: its `base_url`, and the URL
    of each request made through it in the function that builds it (`client.post(url)`,
    `client.build_request(method, url)`), each resolved through one local assignment."""
    urls = [(client, k.value) for k in client.keywords if k.arg == "base_url"]
    parent = src.nodes.parents.get(client)
    bound = None
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        bound = binding_key(parent.targets[0])
    elif isinstance(parent, ast.withitem) and parent.optional_vars is not None:
        bound = binding_key(parent.optional_vars)
    function = src.nodes.function(client)
    if bound is not None and function is not None:
        for node in scope_walk(*function.body):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and binding_key(node.func.value) == bound
                and (node.func.attr in HTTP_METHODS or node.func.attr in _METHOD_FIRST)
            ):
                url = argument(node, 1 if node.func.attr in _METHOD_FIRST else 0, "url")
                if url is not None:
                    urls.append((node, url))
    return [url_value(src.names, src.nodes, call, url) for call, url in urls]


def _on_this_machine(src: PythonFile, client: ast.Call) -> bool:
    """Every URL the client is sent to is a loopback one and no model's: a process it runs beside
    (a server it started and proxies to), whose caller's own connection bounds the request."""
    texts = [literal_text(url) for url in _client_urls(src, client)]
    return bool(texts) and all(_beside(text) for text in texts)


def _beside(url: str) -> bool:
    """A loopback URL to no model path: a process of the same deployment on this machine."""
    return LOOPBACK_URL.match(url) is not None and not MODEL_ENDPOINT.search(url)


def _timeout_disabled(call: ast.Call) -> ast.keyword | None:
    keyword = kwarg(call, *_TIMEOUT_KWARGS)
    return keyword if keyword is not None and is_none(keyword.value) else None


@RULES.rule(
    "llm-timeout-disabled",
    title="LLM or HTTP client timeout disabled",
    severity=Severity.HIGH,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    subject="call",
)
def llm_timeout_disabled(src: PythonFile) -> Iterator[Hit]:
    """An LLM client, call or httpx client whose timeout is `None` — set so, or left so by LangChain.
    An httpx client sent only to this machine and to no model path (a server the code started and
    proxies to, whose caller's connection bounds the request) is not reported.

    Why:
        With no timeout a hung upstream blocks the worker forever: the SDK's retries never start,
        and threads and connections run out under load. LangChain's `ChatOpenAI`,
        `AzureChatOpenAI` and `ChatAnthropic` default their timeout to `None` and pass it to the
        SDK, which disables the SDK's own 600 s default (langchain#35597).
    Fix:
        Set a timeout sized to the use: `timeout=30` on the client or the call (`request_timeout`
        on older LangChain), or pass an `http_client` built with a timeout.
    Bad:
        llm = ChatOpenAI(model="gpt-4o-mini")
    Good:
        llm = ChatOpenAI(model="gpt-4o-mini", timeout=30, max_retries=2)
    """
    names = src.names
    for call in src.changed_calls():
        line = src.changed_line(call)
        if line is None:
            continue
        name = names.call_name(call)
        kind = llm_client_kind(name)
        disabled = _timeout_disabled(call)
        if kind is not None:
            class_name = (name or "").rsplit(".", 1)[-1]
            if disabled is not None:
                yield Hit(line, f"`{class_name}({disabled.arg}=None)` disables the timeout.")
            elif (
                kind == "langchain"
                and class_name in _LANGCHAIN_NONE_DEFAULT
                and kwarg(call, *_TIMEOUT_KWARGS, *_CLIENT_KWARGS) is None
                and not has_splat(call)
            ):
                yield Hit(
                    line,
                    f"`{class_name}(...)` without `timeout`: LangChain passes "
                    "`timeout=None` to the SDK, so requests can hang forever.",
                )
            continue
        if disabled is None:
            continue
        if name is not None and name.startswith("httpx."):
            if not _on_this_machine(src, call):
                yield Hit(line, f"`{name}({disabled.arg}=None)` disables httpx's 5 s default.")
            continue
        receiver, chain = call_receiver(call)
        built = names.constructor(receiver)
        if built is not None and llm_client_kind(built[0]) is not None:
            method = ".".join(chain) or "with_options"
            yield Hit(line, f"`.{method}({disabled.arg}=None)` disables the client's timeout.")
