"""LLM clients that fail badly: long or unbounded waits, retries turned off or missing."""

from __future__ import annotations

import ast
import re
import typing
from collections.abc import Iterator

from archbot.models import Severity
from archbot.repo import sdk
from archbot.repo.endpoints import MODEL_ENDPOINT
from archbot.repo.resolve import Names
from archbot.roles import path_role
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    RETRYING,
    LLMCall,
    argument,
    call_receiver,
    called_name,
    has_retry_wrapper,
    has_splat,
    http_verb,
    in_serving_context,
    is_none,
    is_script,
    kwarg,
    literal_text,
    llm_call,
    llm_client_kind,
    loopback_url,
    scope_walk,
    stops_early,
    string_value,
    url_value,
)
from archbot.rules.source import PythonFile

RULES = Family()

_LONG_DEFAULT = {"openai": "600 s", "anthropic": "600 s", "cohere": "300 s"}
_HTTP_CLIENT_KWARGS = ("http_client", "httpx_client")
_LITELLM_GLOBAL_TIMEOUT = re.compile(r"\blitellm\.request_timeout\s*=")
_POST_CLIENTS = frozenset(
    ["requests.Session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient"]
)
# The MCP SDK's session waits for every response with no read timeout unless given one, or unless
# its streams come from an HTTP transport, which bounds every read itself (`sse_read_timeout`, 5
# minutes by default, and httpx's timeouts); a stdio transport bounds nothing.
_MCP_SESSIONS = frozenset(("mcp.ClientSession", "mcp.client.session.ClientSession"))
_MCP_HTTP_TRANSPORTS = frozenset(
    (
        "mcp.client.sse.sse_client",
        "mcp.client.streamable_http.streamablehttp_client",
        "mcp.client.streamable_http.streamable_http_client",
    )
)
# What an MCP transport's context hands back: the stdio, SSE and websocket transports two streams,
# the streamable HTTP transport a third value (its session-id callback). Streams unpacked as three
# values came from the streamable HTTP transport, however the code reached it (a helper choosing
# between SDK versions).
_STREAMABLE_HTTP_VALUES = 3
# Deadlines code puts around an await: `asyncio.wait_for(aw, timeout)` and the scopes that cancel
# what runs inside them.
_WAIT_FOR = "asyncio.wait_for"
_DEADLINE_SCOPES = frozenset(
    (
        "asyncio.timeout",
        "asyncio.timeout_at",
        "anyio.fail_after",
        "anyio.move_on_after",
        "async_timeout.timeout",
    )
)
_RETRY_HELPER = re.compile(r"retry|retries", re.IGNORECASE)
_ENDPOINT_NAME = re.compile(
    r"(inference|llm|completions?|embeddings?|generation|vllm|tgi|ollama)_?(endpoint|url|server|api)",
    re.IGNORECASE,
)


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
            src.names.call_name(call) in RETRYING
            or _calls_retrying(src.names, call.func)
            or _RETRY_HELPER.search(ast.unparse(call.func)) is not None
        ):
            return True
    return False


def _calls_retrying(names: Names, func: ast.expr) -> bool:
    """`retry(...)(fn)` or `Retrying(...)(fn)`."""
    return isinstance(func, ast.Call) and names.call_name(func) in RETRYING


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


def _call_bounded(src: PythonFile, call: ast.Call, site: LLMCall) -> bool:
    """The call is given a timeout, or (through an async client) awaited under a deadline the code
    puts around it (`await asyncio.wait_for(client.chat.completions.create(...), timeout=5)`): the
    deadline cancels the request. A blocking client's call runs to its end before any deadline
    around it is looked at."""
    return _call_timeout(src.names, call) or (site.is_async and _under_deadline(src, call))


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
    return _LITELLM_GLOBAL_TIMEOUT.search(src.text) is not None or src.repo.mentions(
        _LITELLM_GLOBAL_TIMEOUT, "*.py", ("request_timeout",)
    )


def _unbounded_client(src: PythonFile, call: ast.Call) -> Hit | None:
    name = src.names.call_name(call) or ""
    kind = llm_client_kind(name)
    class_name = name.rsplit(".", 1)[-1]
    if kind == "huggingface" and kwarg(call, "timeout") is None and not has_splat(call):
        return Hit(0, f"`{class_name}(...)` without `timeout` waits for the server forever.")
    if (
        name in _MCP_SESSIONS
        and argument(call, 2, "read_timeout_seconds") is None
        and not has_splat(call)
        and not _over_http_transport(src, call)
        and not _tool_calls_bounded(src, call)
    ):
        return Hit(0, "MCP `ClientSession(...)` without `read_timeout_seconds` waits for a tool forever.")
    if kind == "google-genai" and not has_splat(call):
        options = kwarg(call, "http_options")
        if _genai_options_lack(options.value if options else None, "timeout") and not _per_call_http_options(
            src
        ):
            return Hit(0, "`genai.Client(...)` without `http_options` timeout has no timeout.")
    return None


def _tool_calls_bounded(src: PythonFile, session: ast.Call) -> bool:
    """The class that opens the session (outside a class, the function that does) bounds its tool
    calls itself: a `call_tool(...)` awaited inside `asyncio.wait_for(..., timeout)` or under a
    deadline scope (`async with asyncio.timeout(...)`, `anyio.fail_after(...)`)."""
    owner = src.nodes.enclosing_class(session) or src.nodes.function(session) or src.tree
    for node in ast.walk(owner):
        if isinstance(node, ast.Call) and called_name(node) == "call_tool" and _under_deadline(src, node):
            return True
    return False


def _under_deadline(src: PythonFile, call: ast.Call) -> bool:
    names = src.names
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if isinstance(ancestor, ast.Call) and names.call_name(ancestor) == _WAIT_FOR:
            return True
        if isinstance(ancestor, (ast.With, ast.AsyncWith)) and any(
            isinstance(item.context_expr, ast.Call) and names.call_name(item.context_expr) in _DEADLINE_SCOPES
            for item in ancestor.items
        ):
            return True
    return False


def _over_http_transport(src: PythonFile, session: ast.Call) -> bool:
    """The session reads a stream that an MCP HTTP transport opened for it: around it (`async with
    streamablehttp_client(url) as (read, write, _):`, the nearest enclosing `with` that binds the
    stream decides), or entered before it in its function (`read, write, _ = await
    stack.enter_async_context(transport)`, `streams = await transport.__aenter__()`, the transport
    made there or held in a name; the streams unpacked from a name holding what was entered), or
    unpacked as the three values only the streamable HTTP transport hands back. The stream may be
    held in a name or an attribute (`self.read`), and the entry awaited under a deadline
    (`await asyncio.wait_for(transport.__aenter__(), timeout)`)."""
    first = session.args[0] if session.args else None
    # `ClientSession(*streams)`: the streams a transport handed back, as one tuple.
    stream = first.value if isinstance(first, ast.Starred) else argument(session, 0, "read_stream")
    if not isinstance(stream, (ast.Name, ast.Attribute)):
        return False
    held = ast.unparse(stream)
    for ancestor in src.nodes.ancestors(session):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            break
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            for item in ancestor.items:
                if _binds(item.optional_vars, held):
                    return _http_transport(src, item.context_expr) or _streamable_unpacking(
                        item.optional_vars
                    )
    function = src.nodes.function(session)
    bindings = [
        node
        for node in (scope_walk(*function.body) if function is not None else ())
        if isinstance(node, ast.Assign)
        and node.lineno < session.lineno
        and any(_binds(target, held) for target in node.targets)
    ]
    if bindings and all(any(_streamable_unpacking(t) for t in node.targets) for node in bindings):
        return True
    entered = [
        _awaited(src, value)
        for node in bindings
        # The streams unpacked from a name that holds what was entered (`streams = await
        # stack.enter_async_context(sse_client(url))`, then `read, write = streams`).
        for value in (
            _assigned_before(src, node.value, node) if isinstance(node.value, ast.Name) else [node.value]
        )
    ]
    return bool(entered) and all(
        (transport := _entered(value)) is not None
        and all(_http_transport(src, held) for held in _assigned_before(src, transport, value))
        for value in entered
    )


def _streamable_unpacking(target: ast.expr | None) -> bool:
    """`read, write, _ = ...`: the three values only the streamable HTTP transport hands back."""
    return isinstance(target, ast.Tuple) and len(target.elts) == _STREAMABLE_HTTP_VALUES


def _awaited(src: PythonFile, value: ast.expr) -> ast.expr:
    """What an `await` waits for, past a deadline put around it (`asyncio.wait_for(aw, timeout)`)."""
    value = value.value if isinstance(value, ast.Await) else value
    if isinstance(value, ast.Call) and src.names.call_name(value) == _WAIT_FOR and value.args:
        return value.args[0]
    return value


def _entered(value: ast.expr) -> ast.expr | None:
    """The context manager `value` enters: `stack.enter_async_context(cm)`, `cm.__aenter__()`."""
    if not isinstance(value, ast.Call):
        return None
    if called_name(value) in ("enter_async_context", "enter_context") and value.args:
        return value.args[0]
    if isinstance(value.func, ast.Attribute) and value.func.attr in ("__aenter__", "__enter__"):
        return value.func.value
    return None


def _assigned_before(src: PythonFile, held: ast.expr, use: ast.AST) -> list[ast.expr]:
    """What `held` (a name or `self.x`) may hold at `use`, from its function's assignments before
    it: the last one when it sits in the same branch as `use` (`self.transport =
    streamablehttp_client(url)` in the branch that enters it), else each of them (one per branch
    of an `if` that chose the transport); `held` itself when there is none."""
    function = src.nodes.function(use)
    if not isinstance(held, (ast.Name, ast.Attribute)) or function is None:
        return [held]
    key = ast.unparse(held)
    assigned = sorted(
        (
            node
            for node in scope_walk(*function.body)
            if isinstance(node, ast.Assign)
            and node.lineno < getattr(use, "lineno", 0)
            and any(ast.unparse(target) == key for target in node.targets)
        ),
        key=lambda node: node.lineno,
    )
    if not assigned:
        return [held]
    if _branch(src, assigned[-1]) is _branch(src, use):
        return [assigned[-1].value]
    return [node.value for node in assigned]


# Statements whose bodies run on some paths only (or again): a value assigned in one may not be
# the one in effect after it.
_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.ExceptHandler, ast.match_case)


def _branch(src: PythonFile, node: ast.AST) -> ast.AST | None:
    """The innermost branch or loop (or, outside any, the function) that `node` runs in."""
    for ancestor in src.nodes.ancestors(node):
        if isinstance(ancestor, (*_BRANCHES, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return ancestor
    return None


def _binds(target: ast.expr | None, held: str) -> bool:
    """`target` binds the name or attribute `held` (`read`, `self.read`), alone or unpacked."""
    bound = target.elts if isinstance(target, ast.Tuple) else [target]
    return any(isinstance(n, (ast.Name, ast.Attribute)) and ast.unparse(n) == held for n in bound)


def _http_transport(src: PythonFile, opened: ast.expr) -> bool:
    """`opened` is an MCP HTTP transport: a call of one, or a name or attribute holding one."""
    if not isinstance(opened, ast.Call):
        held = src.names.value_of(opened)
        opened = held[1] if held is not None else opened
    return isinstance(opened, ast.Call) and src.names.call_name(opened) in _MCP_HTTP_TRANSPORTS


# How many files naming a provider's client the search for the project's own bound reads; past
# it, silence.
_MAX_PEER_FILES = 40


def _project_bound(src: PythonFile, call: ast.Call, provider: str) -> str | None:
    """Where the project builds another client of `provider` with a timeout (`path:line`), when
    that is its convention, which the client at `call` leaves out: another client of this file is
    bounded, or at least half of the other files that build the provider's clients bound one.
    Read in the files that name one of the provider's client classes (SDK facts table), among
    those whose path leaves their role to the repository (not tests, examples or scripts). None
    when no convention holds (one bounded client among many left to the SDK is an exception, not
    a practice), or past the bound. A client built from `**options` may be bounded there: it
    counts for neither side."""
    if src.repo is None:
        return None
    classes = tuple(
        sorted(
            {
                qualname.rsplit(".", 1)[-1]
                for qualname, entry in sdk.CLIENTS.items()
                if entry.provider == provider
            }
        )
    )
    found = set(src.repo.containing(classes))
    # A test's, an example's or a script's client says nothing of the practice of the code that
    # ships (a tutorial bounding its one client).
    peers = [p for p in src.repo.files if p in found and path_role(p) is None]
    if len(peers) > _MAX_PEER_FILES:
        return None
    bounded: list[str] = []
    unbounded = 0
    for path in peers:
        module = src.names.module if path == src.path else src.repo.module(path)
        if module is None:
            continue
        names = src.names if path == src.path else Names.of(src.repo, module)
        clients = [
            other
            for other in names.tree.calls
            if other is not call and llm_client_kind(names.call_name(other)) == provider
        ]
        bound = next((c for c in clients if _bounded_here(c)), None)
        if bound is not None and path == src.path:
            return f"{path}:{bound.lineno}"
        if bound is not None:
            bounded.append(f"{path}:{bound.lineno}")
        elif path != src.path and any(not has_splat(c) for c in clients):
            unbounded += 1
    return bounded[0] if bounded and len(bounded) >= unbounded else None


def _bounded_here(client: ast.Call) -> bool:
    """The client's construction gives it a timeout (not None)."""
    timeout = kwarg(client, "timeout")
    return timeout is not None and not is_none(timeout.value)


def _component_holding(src: PythonFile, call: ast.Call) -> str | None:
    """The class that builds the client in `__init__` and keeps it (`self.client = OpenAI(...)`):
    a component whose every call goes through it. None elsewhere, and in command-line scripts."""
    parent = src.nodes.parents.get(call)
    if not isinstance(parent, ast.Assign) or not any(
        isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
        for target in parent.targets
    ):
        return None
    function = src.nodes.function(call)
    owner = src.nodes.enclosing_class(call)
    if function is None or function.name != "__init__" or owner is None or is_script(src):
        return None
    return owner.name


@RULES.rule(
    "llm-client-no-timeout",
    title="LLM client relies on an unbounded or very long default timeout",
    severity=Severity.HIGH,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    subject="call",
)
def llm_client_no_timeout(src: PythonFile) -> Iterator[Hit]:
    """An LLM client whose default timeout is unbounded, or (in serving code) 5 to 100 minutes.

    Why:
        HF `InferenceClient`, `google-genai` and an MCP `ClientSession` (an agent's tool
        calls, over stdio: an HTTP transport bounds its reads, and so does a class that awaits
        its `call_tool`s under `asyncio.wait_for`) wait forever by default; openai
        and anthropic wait 600 s, cohere 300 s, litellm 6000 s. Gateways and users give up after
        about a minute, so in a request path slow upstream calls pile up until the worker's
        capacity is gone. Batch scripts may legitimately wait, so the long-default variant
        applies to serving code, and (low) to a client a class builds in `__init__` and keeps
        outside scripts: a component (a library's generator, an app's service object) whose
        callers are often request paths. In a library that variant speaks where bounding that
        provider's clients is the project's convention (another client in the file, or at least
        half of the other files that build one, set a timeout), which this one leaves out; a
        library that sets none, or bounds one client among many, leaves the SDK's bound to its
        callers. A client whose every call passes `timeout=`, or, for an async client, is awaited
        under a deadline the code puts around it (`asyncio.wait_for(..., timeout)`, `async with
        asyncio.timeout(...)`), is bounded, and so is one a function keeps in a local name for
        calls that make no model call (a health check's model listing), each awaited under such a
        deadline; a deadline around a blocking client's call stops nothing (the call returns
        before the deadline is looked at).
    Fix:
        Set a timeout sized to the caller: `OpenAI(timeout=20)`, `.with_options(timeout=...)` or
        per call; `InferenceClient(timeout=30)`; `genai.Client(http_options={"timeout": 30_000})`
        (milliseconds); `litellm.completion(..., timeout=30)`;
        `ClientSession(read, write, read_timeout_seconds=timedelta(seconds=30))`.
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
        serving = in_serving_context(src.names, src.nodes, call)
        holder = None if serving else _component_holding(src, call)
        if not serving and holder is None:
            continue
        name = names.call_name(call) or ""
        provider = llm_client_kind(name)
        if provider in _LONG_DEFAULT:
            if _ctor_has_timeout(src, call, provider) is not False:
                continue
            uses = _client_calls(src, call)
            if uses and all(_call_bounded(src, use, site) for use, site in uses):
                continue
            if not uses and _local_and_idle(src, call) and _idle_calls_under_deadline(src, call):
                continue
            bound = None if serving else _project_bound(src, call, provider)
            if serving:
                where = "in a request path"
            elif bound is None:
                where = f"on every call `{holder}` makes"
            else:
                where = (
                    f"on every call `{holder}` makes, where the project bounds its other "
                    f"{provider} clients ({bound})"
                )
            # A component in a project that bounds none of that provider's clients leaves the SDK's
            # bound to its callers: where that is said is the role policy's (an application's
            # service object, not a library's generator).
            yield Hit(
                line,
                f"`{name.rsplit('.', 1)[-1]}(...)` without a timeout waits up to "
                f"{_LONG_DEFAULT[provider]} {where}.",
                Severity.MEDIUM if serving else Severity.LOW,
                variant="" if serving or bound is not None else "component",
            )
            continue
        if not serving:
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
            and not _call_bounded(src, call, site)
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


def _handed_out(src: PythonFile, ctor: ast.Call) -> bool:
    """The client leaves the function that makes it (returned, directly or through a local name):
    a factory's client is used, and its retries replaced or not, where its callers are."""
    parent = src.nodes.parents.get(ctor)
    if isinstance(parent, ast.Return):
        return True
    function = src.nodes.function(ctor)
    if function is None or not isinstance(parent, ast.Assign):
        return False
    targets = {t.id for t in parent.targets if isinstance(t, ast.Name)}
    return any(
        isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and node.value.id in targets
        for node in ast.walk(function)
    )


def _idle_calls_under_deadline(src: PythonFile, ctor: ast.Call) -> bool:
    """The calls a function makes through the local name it keeps the client in (a health check's
    `client.models.list()`) are each awaited under a deadline it puts around them
    (`asyncio.wait_for(..., timeout=5)`), and there is at least one."""
    kept = _kept_in_a_local(src, ctor)
    if kept is None:
        return False
    function, name = kept
    through = [
        node
        for node in scope_walk(*function.body)
        if isinstance(node, ast.Call)
        and isinstance(root := call_receiver(node)[0], ast.Name)
        and root.id == name
    ]
    return bool(through) and all(_under_deadline(src, node) for node in through)


def _local_and_idle(src: PythonFile, ctor: ast.Call) -> bool:
    """The client lives in a local name of one function, which makes no model call through it
    and hands it to nothing: it lists models or checks a key (a settings page's connection test),
    where an answer now matters more than a retry."""
    kept = _kept_in_a_local(src, ctor)
    if kept is None:
        return False
    function, name = kept
    for node in scope_walk(*function.body):
        if isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Name) and arg.id == name
            for arg in (*node.args, *(k.value for k in node.keywords))
        ):
            return False
        returned = node.value if isinstance(node, (ast.Return, ast.Yield)) else None
        if isinstance(returned, ast.Name) and returned.id == name:
            return False
    return True


def _kept_in_a_local(
    src: PythonFile, ctor: ast.Call
) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, str] | None:
    """The function and the local name a client is built into (`probe = AsyncOpenAI()`)."""
    parent = src.nodes.parents.get(ctor)
    function = src.nodes.function(ctor)
    if function is None or not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
        return None
    target = parent.targets[0]
    return (function, target.id) if isinstance(target, ast.Name) else None


def _handed_to_a_retrying_function(src: PythonFile, ctor: ast.Call) -> bool:
    """The client, or a name bound to it, is handed to a project function that a retry decorator
    wraps (`create_retrying(client=Anthropic(max_retries=0), ...)` under `@backoff.on_exception`):
    its calls are retried there."""
    names = src.names

    def is_client(node: ast.expr) -> bool:
        built = names.constructor(node)
        return node is ctor or (built is not None and built[1] is ctor)

    for call in src.nodes.calls:
        if not any(is_client(a) for a in [*call.args, *(k.value for k in call.keywords)]):
            continue
        callee = names.callee(call)
        if callee is not None and callee[0].node.body:
            function, there = callee
            if has_retry_wrapper(there, there.tree, function.node.body[0]):
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
            uses = _client_calls(src, call)
            if (
                _with_retry_applied(src, call)
                or any(_retry_covered(src, use) for use, _ in uses)
                or _handed_to_a_retrying_function(src, call)
            ):
                return None
            if not uses and (_handed_out(src, call) or _local_and_idle(src, call)):
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
    subject="call",
)
def llm_retries_disabled(src: PythonFile) -> Iterator[Hit]:
    """`max_retries=0` / `num_retries=0` on an LLM client or call with no retry wrapper instead.
    A client a factory returns, unused where it is made, is left alone: its callers (elsewhere)
    decide how it is retried; so is one a function keeps in a local name and makes no model call
    through (it lists models or checks a key: an answer now matters more than a retry).

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


def _llm_post(src: PythonFile, call: ast.Call) -> tuple[str, ast.Call | None] | None:
    """A raw HTTP POST to an LLM endpoint URL: the library used and the session's constructor
    call when it goes through one built in this file; None when it is not such a POST."""
    if http_verb(call) != "post":
        return None
    name = src.names.call_name(call)
    found: tuple[str, ast.Call | None] | None = None
    if name in ("requests.post", "httpx.post", "requests.request", "httpx.request"):
        found = (name, None)
    elif isinstance(call.func, ast.Attribute):
        built = src.names.constructor(call.func.value)
        # Only a client whose construction the code shows: one handed in may carry retries.
        if (
            built is not None
            and built[1] is not None
            and (built[0] in _POST_CLIENTS or built[0] == "aiohttp.ClientSession")
        ):
            found = (f"{built[0]}.{call.func.attr}", built[1])
    if found is None:
        return None
    position = 1 if found[0].endswith(".request") else 0
    endpoint = _llm_url(src, call, argument(call, position, "url"))
    # The body decides only where the URL does not: a literal path of another API (a crew's
    # `/kickoff` taking `{"inputs": ...}`) is not a model endpoint.
    if endpoint or (endpoint is None and _model_request(src, call)):
        return found
    return None


# The content field of a model-serving API's request (OpenAI-compatible chat and completions,
# TGI, Ollama, HF Inference, KServe v2). Sampling options alone (`temperature`, `max_tokens`) are
# not enough: training and job configurations carry them too.
_MODEL_REQUEST_FIELDS = frozenset(["prompt", "prompts", "messages", "inputs"])


def _model_request(src: PythonFile, call: ast.Call) -> bool:
    """The POST's JSON body is a model request: a model API's content field (`messages`,
    `prompt`, `inputs`), or an embeddings request (`model` and `input`); the body written at the
    call or built in the function before it (a dict literal, `body["k"] = v`)."""
    body = kwarg(call, "json")
    fields = _body_fields(src, call, body.value) if body is not None else set()
    return bool(fields & _MODEL_REQUEST_FIELDS) or {"model", "input"} <= fields


def _body_fields(src: PythonFile, call: ast.Call, body: ast.expr) -> set[str]:
    if isinstance(body, ast.Dict):
        return {key for key in map(string_value, body.keys) if key is not None}
    function = src.nodes.function(call)
    if not isinstance(body, ast.Name) or function is None:
        return set()
    fields: set[str] = set()
    for node in scope_walk(*function.body):
        if not isinstance(node, ast.Assign) or node.lineno >= call.lineno:
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == body.id and isinstance(node.value, ast.Dict):
                fields |= {key for key in map(string_value, node.value.keys) if key is not None}
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                key = string_value(target.slice)
                if target.value.id == body.id and key is not None:
                    fields.add(key)
    return fields


def _mounts_adapter(src: PythonFile, session: ast.Call) -> bool:
    """`session.mount(prefix, HTTPAdapter(max_retries=...))` in this file or in the module that
    builds the session (a project factory): urllib3 retries."""
    names = src.names
    if not src.nodes.owns(session):
        module = names.repo.module_of(session) if names.repo is not None else None
        if module is None or names.repo is None:
            return True  # a session built where the model cannot look: unknown, so silent
        names = Names.of(names.repo, module)
    return any(
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "mount"
        and (built := names.constructor(call.func.value)) is not None
        and built[1] is session
        for call in names.tree.calls
    )


def _transport_set(ctor: ast.Call | None) -> bool:
    """An httpx client given its own `transport=` (which may retry), or options the code does not
    show."""
    return ctor is not None and (kwarg(ctor, "transport") is not None or has_splat(ctor))


def _data_loop(src: PythonFile, call: ast.Call) -> str | None:
    """The iterable of the loop over data the call runs in (not a literal collection, nor a loop
    that stops at an answer: an agent's rounds, a search), within its function. A call that is
    the loop's own iterable (`for chunk in client.stream(...)`) runs once."""
    child: ast.AST = call
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if (
            isinstance(ancestor, (ast.For, ast.AsyncFor))
            and child is not ancestor.iter
            and not _literal_collection(ancestor.iter)
            and not stops_early(ancestor)
        ):
            return ast.unparse(ancestor.iter)
        child = ancestor
    return None


def _literal_collection(node: ast.expr) -> bool:
    """A collection whose size the code fixes: a literal, or `range(<int literals>)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        return all(isinstance(a, ast.Constant) for a in node.args)
    return isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Constant))


def _llm_url(src: PythonFile, call: ast.Call, url: ast.expr | None) -> bool | None:
    """True when the URL is an LLM endpoint: its literal text (through one local assignment)
    matches a known path, or its names say so (`self.inference_endpoint`, `llm_url`); False when
    its literal path is another one (`f"{base}/kickoff"`); None when the code does not say."""
    if url is None:
        return None
    identifiers = [url.id] if isinstance(url, ast.Name) else []
    url = url_value(src.names, src.nodes, call, url)
    text = literal_text(url)
    if MODEL_ENDPOINT.search(text):
        return True
    if text.strip("/"):
        return False  # a literal path that is not an LLM one: `f"{server_url}/pause"`
    for node in ast.walk(url):
        if isinstance(node, ast.Name):
            identifiers.append(node.id)
        elif isinstance(node, ast.Attribute):
            identifiers.append(node.attr)
    return True if any(_ENDPOINT_NAME.search(name) for name in identifiers) else None


class _NoRetry(typing.NamedTuple):
    """Why an LLM call never retries, the client library it goes through, and the requests/httpx
    session it uses when built in this file (its construction is where the retry policy belongs)."""

    detail: str
    library: str
    session: ast.Call | None


def _no_retry(src: PythonFile, call: ast.Call) -> _NoRetry | None:
    """Why the LLM call never retries; None if it can retry."""
    site = llm_call(src.names, call)
    if site is not None and site.provider == "huggingface":
        return _NoRetry(
            f"`{site.client_class.rsplit('.', 1)[-1]}` has no built-in retries.", site.client_class, None
        )
    if site is not None and site.provider == "google-genai" and site.client is not None:
        options = kwarg(site.client, "http_options")
        config = kwarg(call, "config")
        if has_splat(site.client) or (config is not None and "http_options" in ast.unparse(config.value)):
            return None
        if _genai_options_lack(options.value if options else None, "retry_options"):
            detail = "`genai.Client` without `http_options.retry_options` makes one attempt."
            return _NoRetry(detail, site.client_class, None)
        return None
    post = _llm_post(src, call)
    if post is None:
        return None
    library, session = post
    # A model server on this machine (an engine in the same container, a local Ollama) has no
    # provider's rate limits or load balancer to wait out: a retry would meet the same server.
    url = argument(call, 1 if library.endswith(".request") else 0, "url")
    if url is not None and loopback_url(src.names, src.nodes, call, url):
        return None
    detail = f"`{library}` to an LLM endpoint never retries."
    if not library.startswith("requests."):
        return None if _transport_set(session) else _NoRetry(detail, library, None)
    if session is not None and _mounts_adapter(src, session):
        return None
    return _NoRetry(detail, library, session)


_ANY_ERROR = frozenset(["Exception", "BaseException"])


def _failure_handled(src: PythonFile, call: ast.AST, library: str, hops: int = 1) -> bool:
    """The call sits in the body of a `try` with a handler for what it raises: bare, `Exception`,
    or an error class of its own client library (`requests.RequestException`,
    `httpx.HTTPStatusError`). What a failure does is then decided beside the call (a message, a
    fallback, an error of the caller's API); a retry is one answer of several, not a gap. In a
    function nested in another, the try may be where the enclosing function runs it: every use of
    its name there (`await asyncio.to_thread(request)`) is in such a `try`."""
    root = library.split(".", 1)[0]
    child: ast.AST = call
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)) and hops:
            uses = _uses_in_enclosing_function(src, ancestor)
            return bool(uses) and all(_failure_handled(src, use, library, hops - 1) for use in uses)
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(ancestor, ast.Try) and any(child is node for node in ancestor.body):
            for handler in ancestor.handlers:
                kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                for kind in kinds:
                    name = "Exception" if kind is None else src.names.qualname(kind) or ast.unparse(kind)
                    if name.rsplit(".", 1)[-1] in _ANY_ERROR or name.split(".", 1)[0] == root:
                        return True
        child = ancestor
    return False


def _uses_in_enclosing_function(
    src: PythonFile, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> list[ast.Name]:
    """The reads of a nested function's name in the function that defines it (none for a function
    defined elsewhere)."""
    enclosing = src.nodes.function(function)
    if enclosing is None:
        return []
    return [
        node
        for node in scope_walk(*enclosing.body)
        if isinstance(node, ast.Name) and node.id == function.name and isinstance(node.ctx, ast.Load)
    ]


@RULES.rule(
    "llm-client-no-retry",
    title="LLM call through a client with no built-in retries and no wrapper",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    subject="surroundings",
)
def llm_client_no_retry(src: PythonFile) -> Iterator[Hit]:
    """An LLM call through a client that never retries (google-genai without `retry_options`,
    HF `InferenceClient`, raw HTTP POST to an LLM endpoint: a known path such as
    `/v1/chat/completions`, a URL named as one, like `self.inference_endpoint`, or a JSON body
    of a model request, like `{"inputs": batch}` or `{"model": m, "messages": ...}`) and no
    retry wrapper around it. Inside a loop over data (batches of documents) the finding says so:
    one transient error loses the whole batch (the `batch` variant, reported in services too); a
    single call is the concern of a library's client, called in bulk by its users, not of a
    service's call answering one request, which its user repeats.

    Calibration guard: silent for a POST whose URL and body say nothing of a model (sampling
    options alone, as in a fine-tuning job's configuration, are not a model request), a model-like
    body sent to a URL whose literal path is another API's (`/kickoff`), a client or
    session the code does not resolve, a tenacity/backoff/stamina decorator on the enclosing
    function or on a caller in the file, a `for attempt in range(N)` or `while` retry loop with a
    `try` around the call, a `Retrying` loop, a function handed to a retry helper, a
    `requests.Session` with a mounted `HTTPAdapter` (in this file or the factory that builds it),
    an httpx client given its own `transport=`, a call in a `try` whose handler catches its
    failure (bare, `Exception`, or an error of its own library, `requests.RequestException`), or
    in a nested function every run of which is in such a `try` (`await asyncio.to_thread(request)`):
    what a failure does is decided there; a POST to a server on this machine (a loopback URL where
    the code shows it, or the default of its configuration lookup or of the settings field it is
    formatted after: an engine in the same container, a local Ollama), with no provider's rate
    limits or load balancer in between.

    Why:
        Rate limits (429) and overloads (503) are routine for LLM endpoints. Without a retry the
        first transient error fails the request, while openai/anthropic clients would have
        retried it with backoff.
    Fix:
        Give google-genai `http_options=HttpOptions(retry_options=HttpRetryOptions(attempts=4))`;
        mount `HTTPAdapter(max_retries=Retry(total=4, backoff_factor=1, status_forcelist=[429, 502,
        503, 504], allowed_methods=None))` on a `requests.Session`; wrap other calls with tenacity
        (`stop=stop_after_attempt(4)`, `wait=wait_random_exponential(max=20)`) or backoff.
    Bad:
        for doc in docs:
            out.append(requests.post("http://tgi:8080/generate", json={"inputs": doc}, timeout=30))
    Good:
        @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=20))
        def generate(doc): return requests.post("http://tgi:8080/generate", json={"inputs": doc}, timeout=30)
    """
    reported_sessions: set[ast.Call] = set()
    for call in src.nodes.calls:
        # An unchanged call matters only as a use of a session whose construction changed.
        is_post = isinstance(call.func, ast.Attribute) and http_verb(call) == "post"
        if not is_post and src.changed_line(call) is None:
            continue
        found = _no_retry(src, call)
        if found is None or _retry_covered(src, call) or _failure_handled(src, call, found.library):
            continue
        detail, _, session = found
        session_line = src.changed_line(session) if session is not None else None
        if session is not None and session_line is not None:
            if session not in reported_sessions:
                reported_sessions.add(session)
                yield Hit(
                    session_line,
                    f"{detail[:-1]} (line {call.lineno}): the session built here has no retry policy.",
                    variant="batch" if _data_loop(src, call) is not None else "",
                )
            continue
        line = src.changed_line(call)
        loop = _data_loop(src, call) if line is not None else None
        if loop is not None and line is not None:
            detail = f"{detail[:-1]}, inside a loop over `{loop}`: one 429 or 5xx loses the whole batch."
            yield Hit(line, detail, variant="batch")
        elif line is not None:
            yield Hit(line, detail)
