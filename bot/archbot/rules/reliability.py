"""LLM calls that fail badly: long or unbounded waits, missing or runaway retries, unhandled or
swallowed provider errors."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    LLMCall,
    Names,
    argument,
    call_receiver,
    has_retry_wrapper,
    has_splat,
    is_route_handler,
    is_serving_module,
    kwarg,
    literal_text,
    llm_call,
    llm_client_kind,
    string_value,
)
from archbot.rules.source import PythonFile
from archbot.rules.timeouts import LLM_ENDPOINT

RULES = Family()

_LONG_DEFAULT = {"openai": "600 s", "anthropic": "600 s", "cohere": "300 s"}
_HTTP_CLIENT_KWARGS = ("http_client", "httpx_client")
_LITELLM_GLOBAL_TIMEOUT = re.compile(r"\blitellm\.request_timeout\s*=")
_RETRYING = frozenset(["tenacity.retry", "tenacity.Retrying", "tenacity.AsyncRetrying"])
_BACKOFF = frozenset(["backoff.on_exception", "backoff.on_predicate"])
_POST_CLIENTS = frozenset(
    ["requests.Session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient"]
)
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
_RETRY_HELPER = re.compile(r"retry|retries", re.IGNORECASE)
_ENDPOINT_NAME = re.compile(
    r"(inference|llm|completions?|embeddings?|generation|vllm|tgi|ollama)_?(endpoint|url|server|api)",
    re.IGNORECASE,
)


def _serving(src: PythonFile, node: ast.AST) -> bool:
    function = src.nodes.function(node)
    return is_serving_module(src.names) or (function is not None and is_route_handler(function))


def _retry_covered(src: PythonFile, node: ast.AST) -> bool:
    """A retry wrapper around `node`, or around a call, in this file, of the function holding it,
    or the function handed to a retry helper (`Retrying(...)(fn)`, `_retry_on_error(fn, ...)`)."""
    if has_retry_wrapper(src.names, src.nodes, node):
        return True
    function = src.nodes.function(node)
    if function is None:
        return False
    for call in src.nodes.calls:
        target = call.func
        called = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
        if called == function.name and has_retry_wrapper(src.names, src.nodes, call):
            return True
        passed = any(isinstance(a, ast.Name) and a.id == function.name for a in call.args)
        if passed and (
            src.names.call_name(call) in _RETRYING
            or _calls_retrying(src.names, call.func)
            or _RETRY_HELPER.search(ast.unparse(call.func)) is not None
        ):
            return True
    return False


def _calls_retrying(names: Names, func: ast.expr) -> bool:
    """`retry(...)(fn)` or `Retrying(...)(fn)`."""
    return isinstance(func, ast.Call) and names.call_name(func) in _RETRYING


def _client_calls(src: PythonFile, ctor: ast.Call) -> list[tuple[ast.Call, LLMCall]]:
    found = []
    for call in src.nodes.calls:
        site = llm_call(src.names, call)
        if site is not None and site.client is ctor:
            found.append((call, site))
    return found


def _options_timeout(names: Names, node: ast.AST, depth: int = 0) -> bool:
    """The receiver went through `.with_options(timeout=...)` (directly or via one binding)."""
    if depth > 4:
        return False
    if isinstance(node, ast.Await):
        return _options_timeout(names, node.value, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("with_options", "copy"):
            if kwarg(node, "timeout") is not None or has_splat(node):
                return True
            return _options_timeout(names, node.func.value, depth + 1)
        return False
    key = names.key(node)
    if key is not None and key in names.bindings:
        return _options_timeout(names, names.bindings[key], depth + 1)
    return False


def _call_timeout(names: Names, call: ast.Call) -> bool:
    receiver, _ = call_receiver(call)
    return kwarg(call, "timeout") is not None or has_splat(call) or _options_timeout(names, receiver)


def _custom_client_bounded(names: Names, ctor: ast.Call, provider: str) -> bool | None:
    """True: a custom http client sets the timeout; False: none, or one without a timeout;
    None: a client the file cannot show."""
    keyword = kwarg(ctor, *_HTTP_CLIENT_KWARGS)
    if keyword is None:
        return False
    if provider == "cohere":
        return True  # cohere drops its 300 s default when given an httpx client
    built = names.constructor(keyword.value)
    if built is None or built[1] is None or has_splat(built[1]):
        return None
    if not (built[0].startswith("httpx.") or built[0].endswith("HttpxClient")):
        return None
    return kwarg(built[1], "timeout") is not None


def _ctor_has_timeout(src: PythonFile, ctor: ast.Call, provider: str) -> bool | None:
    if kwarg(ctor, "timeout") is not None or has_splat(ctor):
        return True
    parent = src.nodes.parents.get(ctor)
    grand = src.nodes.parents.get(parent) if parent is not None else None
    if (
        isinstance(parent, ast.Attribute)
        and parent.attr == "with_options"
        and isinstance(grand, ast.Call)
        and kwarg(grand, "timeout") is not None
    ):
        return True
    custom = _custom_client_bounded(src.names, ctor, provider)
    return None if custom is None else custom


def _genai_options_lack(options: ast.expr | None, field: str) -> bool:
    """google-genai `http_options`: missing, or a literal dict / HttpOptions(...) without `field`."""
    if options is None:
        return True
    if isinstance(options, ast.Dict):
        keys = {string_value(k) for k in options.keys if k is not None}
        return field not in keys and None not in options.keys
    if isinstance(options, ast.Call):
        return kwarg(options, field) is None and not has_splat(options)
    return False


def _per_call_http_options(src: PythonFile) -> bool:
    """Any call in the file passes `config` carrying `http_options`: settings the ctor cannot show."""
    for call in src.nodes.calls:
        config = kwarg(call, "config")
        if config is None:
            continue
        for node in ast.walk(config.value):
            if isinstance(node, ast.keyword) and node.arg == "http_options":
                return True
            if isinstance(node, ast.Dict) and "http_options" in {
                string_value(k) for k in node.keys if k is not None
            }:
                return True
    return False


def _litellm_timeout_set(src: PythonFile) -> bool:
    if _LITELLM_GLOBAL_TIMEOUT.search(src.text):
        return True
    for path in src.repo.glob("*.py"):
        text = src.repo.text(path)
        if text is not None and _LITELLM_GLOBAL_TIMEOUT.search(text):
            return True
    return False


def _unbounded_client(src: PythonFile, call: ast.Call) -> Hit | None:
    name = src.names.call_name(call) or ""
    kind = llm_client_kind(name)
    class_name = name.rsplit(".", 1)[-1]
    if kind == "huggingface" and kwarg(call, "timeout") is None and not has_splat(call):
        return Hit(0, f"`{class_name}(...)` without `timeout` waits for the server forever.")
    if kind == "google-genai" and not has_splat(call):
        options = kwarg(call, "http_options")
        if _genai_options_lack(options.value if options else None, "timeout") and not _per_call_http_options(
            src
        ):
            return Hit(0, "`genai.Client(...)` without `http_options` timeout has no timeout.")
    return None


@RULES.rule(
    "llm-client-no-timeout",
    title="LLM client relies on an unbounded or very long default timeout",
    severity=Severity.HIGH,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_client_no_timeout(src: PythonFile) -> Iterator[Hit]:
    """An LLM client whose default timeout is unbounded, or (in serving code) 5 to 100 minutes.

    Why:
        HF `InferenceClient` and `google-genai` wait forever by default; openai and anthropic wait
        600 s, cohere 300 s, litellm 6000 s. Gateways and users give up after about a minute, so in
        a request path slow upstream calls pile up until the worker's capacity is gone. Batch
        scripts may legitimately wait, so the long-default variant only applies to serving code.
    Fix:
        Set a timeout sized to the caller: `OpenAI(timeout=20)`, `.with_options(timeout=...)` or
        per call; `InferenceClient(timeout=30)`; `genai.Client(http_options={"timeout": 30_000})`
        (milliseconds); `litellm.completion(..., timeout=30)`.
    Bad:
        client = InferenceClient(model="meta-llama/Llama-3.1-8B-Instruct")
    Good:
        client = InferenceClient(model="meta-llama/Llama-3.1-8B-Instruct", timeout=30)
    """
    names = src.names
    for call in src.changed_calls():
        line = src.changed_line(call)
        if line is None:
            continue
        unbounded = _unbounded_client(src, call)
        if unbounded is not None:
            yield Hit(line, unbounded.detail)
            continue
        if not _serving(src, call):
            continue
        name = names.call_name(call) or ""
        provider = llm_client_kind(name)
        if provider in _LONG_DEFAULT:
            if _ctor_has_timeout(src, call, provider) is not False:
                continue
            uses = _client_calls(src, call)
            if uses and all(_call_timeout(names, use) for use, _ in uses):
                continue
            yield Hit(
                line,
                f"`{name.rsplit('.', 1)[-1]}(...)` without a timeout waits up to "
                f"{_LONG_DEFAULT[provider]} in a request path.",
                Severity.MEDIUM,
            )
            continue
        site = llm_call(names, call)
        if site is None:
            continue
        if site.provider == "litellm" and site.client is None:
            if kwarg(call, "timeout", "request_timeout") or has_splat(call):
                continue
            if site.method in ("completion", "acompletion") and not _litellm_timeout_set(src):
                yield Hit(
                    line,
                    f"`litellm.{site.method}` without `timeout` waits up to 6000 s.",
                    Severity.MEDIUM,
                )
        elif (
            site.provider in _LONG_DEFAULT
            and site.client is not None
            and src.changed_line(site.client) is None
            and _ctor_has_timeout(src, site.client, site.provider) is False
            and not _call_timeout(names, call)
        ):
            yield Hit(
                line,
                f"`.{site.method}()` through a client without a timeout waits up to "
                f"{_LONG_DEFAULT[site.provider]}.",
                Severity.MEDIUM,
            )


def _is_zero(keyword: ast.keyword | None) -> bool:
    return (
        keyword is not None
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value == 0
        and not isinstance(keyword.value.value, bool)
    )


def _with_retry_applied(src: PythonFile, ctor: ast.Call) -> bool:
    """LangChain `llm.with_retry(...)` on this model anywhere in the file."""
    for call in src.nodes.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "with_retry":
            built = src.names.constructor(func.value)
            if func.value is ctor or (built is not None and built[1] is ctor):
                return True
    return False


def _retries_disabled(src: PythonFile, call: ast.Call) -> str | None:
    names = src.names
    name = names.call_name(call) or ""
    kind = llm_client_kind(name)
    class_name = name.rsplit(".", 1)[-1]
    if _is_zero(kwarg(call, "max_retries")):
        if kind in ("openai", "anthropic", "cohere") or class_name in (
            "ChatOpenAI",
            "AzureChatOpenAI",
            "ChatAnthropic",
        ):
            if _with_retry_applied(src, call) or any(
                _retry_covered(src, use) for use, _ in _client_calls(src, call)
            ):
                return None
            return f"`{class_name}(max_retries=0)` turns off the SDK's retries."
        if isinstance(call.func, ast.Attribute) and call.func.attr == "with_options":
            built = names.constructor(call.func.value)
            if built is None or llm_client_kind(built[0]) not in ("openai", "anthropic"):
                return None
            uses = _client_calls(src, built[1]) if built[1] is not None else []
            if _retry_covered(src, call) or any(_retry_covered(src, use) for use, _ in uses):
                return None
            return "`.with_options(max_retries=0)` turns off the SDK's retries."
    if _is_zero(kwarg(call, "num_retries")) and kwarg(call, "fallbacks") is None:
        site = llm_call(names, call)
        if name == "litellm.Router" or (site is not None and site.provider == "litellm"):
            if _retry_covered(src, call):
                return None
            return "`num_retries=0` turns off litellm's retries."
    return None


@RULES.rule(
    "llm-retries-disabled",
    title="Built-in retries turned off with no replacement",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_retries_disabled(src: PythonFile) -> Iterator[Hit]:
    """`max_retries=0` / `num_retries=0` on an LLM client or call with no retry wrapper instead.

    Why:
        The SDKs retry 429, 408, 409 and 5xx with exponential backoff and honour `Retry-After`.
        Turning that off without a replacement makes every transient rate limit or overload a
        user-facing error.
    Fix:
        Keep the SDK default (2) or set a small number; if you disabled it to retry yourself, wrap
        the call with tenacity/backoff (bounded, with backoff) or LangChain `.with_retry()`, or
        give litellm `fallbacks=`.
    Bad:
        client = OpenAI(max_retries=0)
    Good:
        client = OpenAI(max_retries=3, timeout=30)
    """
    for call in src.changed_calls():
        line = src.changed_line(call)
        detail = _retries_disabled(src, call) if line is not None else None
        if line is not None and detail is not None:
            yield Hit(line, detail)


def _llm_post(src: PythonFile, call: ast.Call) -> str | None:
    """A raw HTTP POST to an LLM endpoint URL literal: the library used, else None."""
    name = src.names.call_name(call)
    library = None
    if name in ("requests.post", "httpx.post"):
        library = name
    elif isinstance(call.func, ast.Attribute) and call.func.attr == "post":
        built = src.names.constructor(call.func.value)
        if built is not None and (built[0] in _POST_CLIENTS or built[0] == "aiohttp.ClientSession"):
            library = f"{built[0]}.post"
    if library is None:
        return None
    return library if _llm_url(src, call, argument(call, 0, "url")) else None


def _llm_url(src: PythonFile, call: ast.Call, url: ast.expr | None) -> bool:
    """The URL is an LLM endpoint: its literal text (through one local assignment) matches a known
    path, or its names say so (`self.inference_endpoint`, `llm_url`)."""
    if url is None:
        return False
    identifiers = [url.id] if isinstance(url, ast.Name) else []
    function = src.nodes.function(call)
    if isinstance(url, ast.Name) and function is not None:
        assigned = [
            n
            for n in _body_nodes(function.body)
            if isinstance(n, ast.Assign)
            and n.lineno < call.lineno
            and any(isinstance(t, ast.Name) and t.id == url.id for t in n.targets)
        ]
        if assigned:
            url = max(assigned, key=lambda n: n.lineno).value
    text = literal_text(url)
    if LLM_ENDPOINT.search(text):
        return True
    if text.strip("/"):
        return False  # a literal path that is not an LLM one: `f"{server_url}/pause"`
    for node in ast.walk(url):
        if isinstance(node, ast.Name):
            identifiers.append(node.id)
        elif isinstance(node, ast.Attribute):
            identifiers.append(node.attr)
    return any(_ENDPOINT_NAME.search(name) for name in identifiers)


def _no_retry(src: PythonFile, call: ast.Call) -> str | None:
    site = llm_call(src.names, call)
    if site is not None and site.provider == "huggingface":
        return f"`{site.client_class.rsplit('.', 1)[-1]}` has no built-in retries."
    if site is not None and site.provider == "google-genai" and site.client is not None:
        options = kwarg(site.client, "http_options")
        config = kwarg(call, "config")
        if has_splat(site.client) or (config is not None and "http_options" in ast.unparse(config.value)):
            return None
        if _genai_options_lack(options.value if options else None, "retry_options"):
            return "`genai.Client` without `http_options.retry_options` makes one attempt."
        return None
    library = _llm_post(src, call)
    return f"`{library}` to an LLM endpoint never retries." if library else None


@RULES.rule(
    "llm-client-no-retry",
    title="LLM call through a client with no built-in retries and no wrapper",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_client_no_retry(src: PythonFile) -> Iterator[Hit]:
    """An LLM call through a client that never retries (google-genai without `retry_options`,
    HF `InferenceClient`, raw HTTP POST to an LLM endpoint: a known path such as
    `/v1/chat/completions`, or a URL named as one, like `self.inference_endpoint`) and no retry
    wrapper around it.

    Why:
        Rate limits (429) and overloads (503) are routine for LLM endpoints. Without a retry the
        first transient error fails the request, while openai/anthropic clients would have
        retried it with backoff.
    Fix:
        Give google-genai `http_options=HttpOptions(retry_options=HttpRetryOptions(attempts=4))`;
        wrap other calls with tenacity (`stop=stop_after_attempt(4)`,
        `wait=wait_random_exponential(max=20)`) or backoff.
    Bad:
        resp = requests.post("http://tgi:8080/generate", json=body, timeout=30)
    Good:
        @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=20))
        def generate(body): return requests.post("http://tgi:8080/generate", json=body, timeout=30)
    """
    for call in src.changed_calls():
        line = src.changed_line(call)
        if line is None:
            continue
        detail = _no_retry(src, call)
        if detail is not None and not _retry_covered(src, call):
            yield Hit(line, detail)


def _function_defs(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _retry_policies(src: PythonFile) -> Iterator[tuple[ast.expr, str, ast.Call | None]]:
    """Every changed tenacity/backoff policy: the node, its qualified name, and its call (None for
    a bare `@retry`)."""
    for function in _function_defs(src.tree):
        for decorator in function.decorator_list:
            name = src.names.qualname(decorator)
            if name == "tenacity.retry" and src.changed_line(decorator) is not None:
                yield decorator, name, None
    for call in src.changed_calls():
        name = src.names.call_name(call)
        if name is not None and (name in _RETRYING or name in _BACKOFF) and not has_splat(call):
            yield call, name, call


def _body_nodes(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Nodes of these statements, not descending into nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)


def _llm_in(names: Names, statements: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Call) and llm_call(names, n) is not None for n in _body_nodes(statements))


def _tries_around_llm(names: Names, statements: list[ast.stmt]) -> list[ast.Try]:
    return [
        node for node in _body_nodes(statements) if isinstance(node, ast.Try) and _llm_in(names, node.body)
    ]


def _endless_retry_loop(src: PythonFile, loop: ast.While) -> bool:
    """`while True:` retrying an LLM call whose failure handler loops again, with no counter."""
    if not (isinstance(loop.test, ast.Constant) and loop.test.value is True):
        return False
    keeps_looping = any(
        not any(isinstance(n, (ast.Raise, ast.Return, ast.Break)) for n in _body_nodes(h.body))
        for attempt in _tries_around_llm(src.names, loop.body)
        for h in attempt.handlers
    )
    if not keeps_looping:
        return False
    counters = {
        n.target.id
        for n in _body_nodes(loop.body)
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
    }
    for node in _body_nodes(loop.body):
        if isinstance(node, ast.Compare) and any(
            isinstance(n, ast.Name) and n.id in counters for n in ast.walk(node)
        ):
            return False
    return True


@RULES.rule(
    "retry-unbounded",
    title="Retry policy with no stop condition",
    severity=Severity.HIGH,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def retry_unbounded(src: PythonFile) -> Iterator[Hit]:
    """A retry policy that never gives up: tenacity without `stop=`, backoff without
    `max_tries`/`max_time`, or a `while True:` loop retrying an LLM call with no attempt counter.

    Why:
        tenacity defaults to `stop_never` and `wait_none`: it retries forever, immediately, on any
        exception. A persistent error (context too long, invalid key) then becomes an infinite
        loop that burns quota and money and never reports the failure.
    Fix:
        Bound every policy: `stop=stop_after_attempt(4) | stop_after_delay(60)`; backoff
        `max_tries=4` or `max_time=60`; retry only transient errors
        (`retry=retry_if_exception_type(RateLimitError)`).
    Bad:
        @retry(wait=wait_random_exponential(max=30))
        def summarize(text): ...
    Good:
        @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=30))
        def summarize(text): ...
    """
    for node, name, call in _retry_policies(src):
        line = src.changed_line(node)
        if line is None:
            continue
        if name in _BACKOFF and call is not None:
            if kwarg(call, "max_tries", "max_time") is None:
                yield Hit(line, f"`{name}` without `max_tries` or `max_time` retries forever.")
        elif name in _RETRYING and (call is None or kwarg(call, "stop") is None):
            short = name.rsplit(".", 1)[-1]
            yield Hit(line, f"tenacity `{short}` without `stop=` retries forever.")
    for loop in ast.walk(src.tree):
        if isinstance(loop, ast.While) and _endless_retry_loop(src, loop):
            line = src.changed_line(loop)
            if line is not None:
                yield Hit(line, "`while True:` retries an LLM call with no attempt limit.")


def _sleeps(names: Names, statements: list[ast.stmt]) -> list[ast.Call]:
    found = []
    for node in _body_nodes(statements):
        if isinstance(node, ast.Call):
            name = names.call_name(node) or ""
            if name.rsplit(".", 1)[-1] == "sleep":
                found.append(node)
    return found


def _constant_sleep(call: ast.Call) -> bool:
    return len(call.args) == 1 and isinstance(call.args[0], ast.Constant) and not call.keywords


def _manual_retry_loop(src: PythonFile, loop: ast.For | ast.AsyncFor) -> Hit | None:
    source = loop.iter
    if not (
        isinstance(source, ast.Call)
        and isinstance(source.func, ast.Name)
        and source.func.id == "range"
        and "range" not in src.names.imports
    ):
        return None
    if not _tries_around_llm(src.names, loop.body):
        return None
    if not any(isinstance(n, (ast.Break, ast.Return)) for n in _body_nodes(loop.body)):
        return None
    sleeps = _sleeps(src.names, loop.body)
    if not sleeps:
        return Hit(0, "retry loop around an LLM call retries immediately, with no sleep.")
    if all(_constant_sleep(s) for s in sleeps):
        return Hit(0, "retry loop sleeps a constant time with no backoff or jitter.", Severity.LOW)
    return None


@RULES.rule(
    "retry-no-backoff",
    title="Retries without exponential backoff or jitter",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def retry_no_backoff(src: PythonFile) -> Iterator[Hit]:
    """A retry policy that retries immediately (tenacity with `stop=` but no `wait=`, a manual
    `for attempt in range(N)` loop around an LLM call with no sleep), or after a constant sleep.

    Why:
        When a provider answers 429 or 503, every client retrying at once (or at the same fixed
        interval) hits it again together: the retries amplify the overload they react to.
    Fix:
        Wait exponentially with jitter: tenacity `wait=wait_random_exponential(multiplier=1,
        max=30)`; in a manual loop `time.sleep(min(30, 2 ** attempt) + random.random())`.
    Bad:
        for attempt in range(3):
            try:
                return client.chat.completions.create(model=MODEL, messages=messages)
            except RateLimitError:
                continue
    Good:
        @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=30))
        def ask(messages): return client.chat.completions.create(model=MODEL, messages=messages)
    """
    for node, name, call in _retry_policies(src):
        line = src.changed_line(node)
        if (
            line is not None
            and call is not None
            and name in _RETRYING
            and kwarg(call, "stop") is not None
            and kwarg(call, "wait") is None
        ):
            yield Hit(line, f"tenacity `{name.rsplit('.', 1)[-1]}` without `wait=` retries at once.")
    for loop in ast.walk(src.tree):
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            found = _manual_retry_loop(src, loop)
            line = src.changed_line(loop) if found is not None else None
            if found is not None and line is not None:
                yield Hit(line, found.detail, found.severity)


def _catches(names: Names, handler: ast.ExceptHandler) -> bool:
    """The handler catches provider errors: bare, Exception/BaseException, a provider error class,
    or a class the file cannot resolve (prefer silence)."""
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for node in types:
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
    if _EXCEPTION_HANDLER.search(src.text):
        return True
    for path in src.repo.glob("*.py"):
        text = src.repo.text(path)
        if text is not None and _EXCEPTION_HANDLER.search(text):
            return True
    return False


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
    errors, in an app with no exception handler for them.

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
        if site is not None and line is not None and not _inside_handled_try(src, call):
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
    for attempt in ast.walk(src.tree):
        if not isinstance(attempt, ast.Try) or not _llm_in(src.names, attempt.body):
            continue
        for handler in attempt.handlers:
            if _swallows(handler):
                line = src.changed_line(handler)
                if line is not None:
                    yield Hit(line, "the LLM error is caught and discarded without a trace.")
