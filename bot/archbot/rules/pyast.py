"""Shared matchers for Python rules (RULES.md §4.1): qualified names through imports and one-hop
bindings, LLM clients and call sites, async and serving context, retry wrappers, URLs, scripts and
test modules. Rule families import these and the repository's tables (`archbot.repo`), never each
other."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archbot.repo import sdk
from archbot.repo.model import child_nodes, unpacked
from archbot.repo.resolve import Names, Tree, binding_key

if TYPE_CHECKING:
    from archbot.rules.source import PythonFile  # source imports this module

THREAD_OFFLOAD = frozenset(
    [
        "asyncio.to_thread",
        "anyio.to_thread.run_sync",
        "trio.to_thread.run_sync",
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
    ]
)
RETRY_DECORATORS = frozenset(
    [
        "tenacity.retry",
        "backoff.on_exception",
        "backoff.on_predicate",
        "stamina.retry",
        "retrying.retry",
        "aiohttp_retry.RetryClient",
    ]
)
# The tenacity names that build a retry policy (a decorator or a `Retrying` object).
RETRYING = frozenset(["tenacity.retry", "tenacity.Retrying", "tenacity.AsyncRetrying"])
SERVING_MODULES = ("fastapi", "starlette", "flask", "django", "aiohttp.web", "grpc", "celery")
_ROUTE_METHODS = frozenset(
    ["get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "websocket"]
)


def attribute_chain(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """`client.chat.completions.create` -> (Name client, ['chat', 'completions', 'create'])."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return node, parts[::-1]


def call_receiver(call: ast.Call) -> tuple[ast.AST, list[str]]:
    """The object a method chain starts from, and the chain: `self.llm.chat.create(...)`
    -> (Attribute self.llm, ['chat', 'create'])."""
    node = call.func
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        if binding_key(node) is not None:
            break
        parts.append(node.attr)
        node = node.value
    return node, parts[::-1]


def kwarg(call: ast.Call, *names: str) -> ast.keyword | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword
    return None


def has_splat(call: ast.Call) -> bool:
    """`f(**kwargs)`: any keyword may be set, so a 'missing keyword' cannot be concluded."""
    return any(k.arg is None for k in call.keywords)


def is_none(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def string_value(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# What runs its body once per item: a loop or a comprehension.
LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def loop_of(tree: Tree, node: ast.AST) -> ast.AST | None:
    """The innermost loop (or comprehension) of the function or module-level code holding `node`
    that runs it once per item, if any."""
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return None
        if isinstance(ancestor, LOOPS):
            return ancestor
    return None


def literal_text(node: ast.AST | None) -> str:
    """The literal parts of a string or f-string ('' for anything else)."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return string_value(node) or ""


def rendered_text(names: Names, node: ast.expr | None, hops: int = 3) -> str:
    """The literal text of a string or f-string with each placeholder filled in by the one string
    the code shows for it, up to `hops` names deep (`f"http://{self.host}:{port}"` where the class
    says `host = "127.0.0.1"`); a placeholder it cannot tell stays empty, as in `literal_text`."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        held = names.value_of(node) if hops > 0 else None
        return "" if held is None else rendered_text(held[0], held[1], hops - 1)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            value.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str)
            else rendered_text(names, value.value, hops)
            if isinstance(value, ast.FormattedValue) and value.format_spec is None
            else ""
            for value in node.values
        )
    return string_value(node) or ""


def argument(call: ast.Call, position: int, *names: str) -> ast.expr | None:
    """A call's argument by keyword or position."""
    keyword = kwarg(call, *names)
    if keyword is not None:
        return keyword.value
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    if len(positional) == len(call.args) and position < len(positional):
        return positional[position]
    return None


def url_value(names: Names, tree: Tree, call: ast.Call, url: ast.expr) -> ast.expr:
    """What a URL argument stands for where the code shows it: `self.url`'s one value in its
    class (`__init__`'s literal), a local name's last assignment before the call in the same
    function, or a module constant (here or imported); else the argument itself."""
    if not isinstance(url, (ast.Attribute, ast.Name)):
        return url
    function = tree.function(call)
    if isinstance(url, ast.Name) and function is not None:
        assigned = [
            node
            for node in scope_walk(*function.body)
            if isinstance(node, ast.Assign)
            and node.lineno < call.lineno
            and any(isinstance(t, ast.Name) and t.id == url.id for t in node.targets)
        ]
        if assigned:
            return max(assigned, key=lambda node: node.lineno).value
    held = names.value_of(url)
    return held[1] if held is not None and literal_text(held[1]) else url


def url_start(names: Names, tree: Tree, call: ast.Call, url: ast.expr) -> str:
    """How the URL a call is given begins, where the code shows it: the leading literal text of
    what it stands for (`url_value`), or for a name, the prefix an enclosing
    `if NAME.startswith("data:"):` guards it with (the call in the guarded body, in the same
    function); '' when the code does not show it."""
    start = leading_text(url_value(names, tree, call, url))
    if start or not isinstance(url, ast.Name):
        return start
    return next((p for p in (_guarded_prefix(t, url.id) for t in _guards(tree, call)) if p), "")


def _guards(tree: Tree, node: ast.AST) -> Iterator[ast.expr]:
    """What holds wherever `node` runs, by the enclosing `if`s of its function whose body holds it:
    each one's test, or each operand of an `and` test, innermost first."""
    inner = node
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(ancestor, ast.If) and inner in ancestor.body:
            test = ancestor.test
            yield from (
                test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
            )
        inner = ancestor


# Checks that a path names something on this machine (`os.path.exists(p)`, `Path(p).is_dir()`).
_PATH_CHECKS = frozenset(("exists", "isdir", "isfile", "is_dir", "is_file"))
# Wrappers that hand a path on unchanged (`str(p)`, `Path(p)`, `os.fspath(p)`).
_PATH_WRAPPERS = frozenset(("str", "Path", "PurePath", "fspath", "abspath", "expanduser"))


def checked_local_path(tree: Tree, call: ast.Call, path: ast.expr) -> bool:
    """`path` (unwrapped from `str(...)`/`Path(...)`) is what an enclosing
    `if os.path.exists(path):` (or `isdir`, `isfile`, `Path(path).exists()`; one operand of an
    `and`) has just found on this machine, the call in the guarded body of the same function."""
    wanted = ast.dump(_unwrapped(path))
    return any(_checked(test) == wanted for test in _guards(tree, call))


def _checked(test: ast.expr) -> str | None:
    """What a path check tests (`os.path.exists(p)` and `Path(p).exists()` both give `p`)."""
    if not isinstance(test, ast.Call) or called_name(test) not in _PATH_CHECKS:
        return None
    func = test.func
    if test.args:
        return ast.dump(_unwrapped(test.args[0]))
    if isinstance(func, ast.Attribute):
        return ast.dump(_unwrapped(func.value))
    return None


def _unwrapped(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Call) and called_name(node) in _PATH_WRAPPERS and len(node.args) == 1:
        node = node.args[0]
    return node


# Hosts naming this machine: a server there runs beside the code (an engine in the same container,
# a local Ollama), with no provider's rate limits or load balancer in between.
LOOPBACK_HOSTS = frozenset(["localhost", "127.0.0.1", "0.0.0.0", "::1"])


def loopback_url(names: Names, tree: Tree, call: ast.Call, url: ast.expr, hops: int = 1) -> bool:
    """The URL a call is given is on this machine where the code shows it: its literal start, or
    the default a configuration lookup gives it (`params.get("api_base",
    "http://localhost:8000/v1")`, `os.getenv("OLLAMA_URL", "http://127.0.0.1:11434")`, a
    settings class's field, `settings.ollama_url`), read at the argument, `self.x`'s one value in
    its class, a local name's last assignment or a module constant; for a URL formatted after a base
    (`f"{self.base_url}/api/generate"`), where that base is."""
    # `url_value` gives the argument itself where it resolves nothing, and `self.x`'s value only
    # when it is literal text: a lookup held there (`params.get(...)`) is read from `value_of`, as
    # is a module constant a name with no local assignment stands for.
    value = url_value(names, tree, call, url)
    held = names.value_of(url) if isinstance(url, ast.Attribute) or value is url else None
    candidates = [value, *([held[1]] if held is not None else [])]
    for candidate in candidates:
        base = _formatted_base(candidate)
        if base is not None:
            if hops and loopback_url(names, tree, call, base, hops - 1):
                return True
            continue
        default = _lookup_default(candidate)
        if default is None:
            default = names.setting_default(candidate)
        text = leading_text(default if default is not None else candidate)
        if text.startswith(("http://", "https://")) and urlsplit(text).hostname in LOOPBACK_HOSTS:
            return True
    return False


def _formatted_base(node: ast.expr) -> ast.expr | None:
    """The value an f-string starts with (`f"{base}/v1/chat"` gives `base`)."""
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.FormattedValue):
        return node.values[0].value
    return None


# What builds a path from another without leaving the tree it names: `Path(__file__).parent /
# "assets"`, `os.path.join(os.path.dirname(__file__), "x.pkl")`.
_PATH_CALLS = frozenset(
    [
        "pathlib.Path",
        "pathlib.PurePath",
        "os.path.join",
        "os.path.dirname",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.normpath",
    ]
)
_PATH_METHODS = frozenset(["joinpath", "absolute", "resolve"])


def beside_module(names: Names, node: ast.expr | None, hops: int = 2) -> bool:
    """A path the code builds from its own module's file (`Path(__file__).parent / "assets" /
    "calibrator.pkl"`, `os.path.join(os.path.dirname(__file__), "vocab.pkl")`), written there or
    held in a name (a module constant): a file that ships with the code. Every other part is a
    string literal."""
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return True
        held = names.value_of(node) if hops else None
        return held is not None and beside_module(held[0], held[1], hops - 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return beside_module(names, node.left, hops) and string_value(node.right) is not None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return beside_module(names, node.value, hops)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "parents" and beside_module(names, node.value.value, hops)
    if not isinstance(node, ast.Call) or node.keywords:
        return False
    if isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS:
        base, rest = node.func.value, node.args
    elif names.call_name(node) in _PATH_CALLS and node.args:
        base, rest = node.args[0], node.args[1:]
    else:
        return False
    return beside_module(names, base, hops) and all(string_value(part) is not None for part in rest)


def _lookup_default(node: ast.expr) -> ast.expr | None:
    """The default of a configuration lookup: `x.get(key, default)`, `os.getenv(key, default)`."""
    if not isinstance(node, ast.Call) or len(node.args) != 2 or node.keywords:
        return None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return node.args[1] if name in ("get", "getenv") else None


def leading_text(node: ast.expr | None) -> str:
    """The literal text a string or f-string starts with ('' when it starts with a value)."""
    if isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    return string_value(node) or ""


def _guarded_prefix(test: ast.expr, name: str) -> str:
    """The prefix `test` ensures `name` starts with when it holds: `name.startswith("data:")`, or a
    tuple of prefixes (their common start)."""
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and isinstance(test.func.value, ast.Name)
        and test.func.value.id == name
        and len(test.args) == 1
    ):
        return ""
    given = test.args[0]
    prefixes = (
        [string_value(e) for e in given.elts] if isinstance(given, ast.Tuple) else [string_value(given)]
    )
    texts = [p for p in prefixes if p is not None]
    if not texts or len(texts) < len(prefixes):
        return ""
    # The common start of all is that of the first and the last in sorted order.
    first, last = min(texts), max(texts)
    length = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))
    return first[:length]


def called_name(call: ast.Call) -> str | None:
    """The last name of what a call calls: `post` in `session.post(...)`, `f` in `f(...)`; None for
    anything else (a call of a call, of a subscript)."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def http_verb(call: ast.Call) -> str | None:
    """The HTTP method a call sends, in lower case: the attribute called (`session.post(...)`), or
    for `request` (`requests.request("POST", url)`, `session.request(method="post", ...)`) its
    literal method argument; None when `request`'s method is not a literal."""
    called = called_name(call)
    if called != "request":
        return called
    method = string_value(argument(call, 0, "method"))
    return method.lower() if method is not None else None


def imports_any(names: Names, *modules: str) -> bool:
    return any(q == m or q.startswith(m + ".") for q in names.imports.values() for m in modules)


def is_route_handler(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated as a web route (`@app.get`, `@router.post`, `@bp.route`, `@api_view`) or a task."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        _, chain = attribute_chain(target)
        last = chain[-1] if chain else (target.id if isinstance(target, ast.Name) else "")
        if last in _ROUTE_METHODS or last in ("api_view", "task", "shared_task"):
            return True
    return False


def is_serving_module(names: Names) -> bool:
    """The module imports a web, RPC or task framework outside its functions: a framework one
    function imports for itself (a library's optional server) serves that function only."""
    return any(_serving(name) for name in names.module_imports)


def _serving(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in SERVING_MODULES)


def has_retry_wrapper(names: Names, tree: Tree, node: ast.AST) -> bool:
    """A retry decorator on an enclosing function (a retry library's, or the project's own whose
    wrapper calls the function it decorates in a retry loop), a `for ... in range(N)` loop with a
    `try` around the node, a `while` loop with a `try` around the node that stops on success, or
    a tenacity `Retrying` loop."""
    return _in_retry_loop(names, tree, node, decorators=True)


def _retrying_decorator(names: Names, target: ast.expr) -> bool:
    """`target` is a project decorator (or decorator factory) whose wrapper calls the function
    it is handed inside a retry loop (`for attempt in range(n): try: return fn(*args)`)."""
    found = names.symbol(target)
    if found is None or found.function is None or names.repo is None:
        return False
    function = found.function
    owner = names if function.module is names.module else Names.of(names.repo, function.module)
    defined = [n for n in ast.walk(function.node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    handed = {
        d.args.args[0].arg for d in defined if d.args.args and d.args.args[0].arg not in ("self", "cls")
    }
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in handed
        and _in_retry_loop(owner, owner.tree, call, decorators=False)
        for call in ast.walk(function.node)
    )


def _in_retry_loop(names: Names, tree: Tree, node: ast.AST, decorators: bool) -> bool:
    inside_try = False
    child = node
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, ast.Try) and child in ancestor.body:
            inside_try = True
        child = ancestor
        if decorators and isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in ancestor.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if names.qualname(target) in RETRY_DECORATORS or _retrying_decorator(names, target):
                    return True
        if isinstance(ancestor, (ast.For, ast.AsyncFor)):
            source = ancestor.iter
            if isinstance(source, ast.Call):
                called = names.qualname(source.func) or (
                    source.func.id if isinstance(source.func, ast.Name) else ""
                )
                if called in ("tenacity.Retrying", "tenacity.AsyncRetrying"):
                    return True
                if called == "range":
                    return inside_try
        if isinstance(ancestor, ast.While) and inside_try and _stops_on_success(ancestor):
            return True
    return False


def _stops_on_success(loop: ast.While) -> bool:
    """A `while` retry loop: a `try` in its body breaks or returns once the attempt succeeded."""
    return any(
        isinstance(n, (ast.Break, ast.Return))
        for attempt in scope_walk(*loop.body)
        if isinstance(attempt, ast.Try)
        for n in scope_walk(*attempt.body, *attempt.orelse)
    )


def llm_client_kind(qualname: str | None) -> str | None:
    """The provider ('openai', 'anthropic', ..., 'langchain') of a model client or chat-model
    class (SDK facts table); None for anything else, local models included."""
    if sdk.langchain_model(qualname):
        return "langchain"
    entry = sdk.client(qualname)
    return entry.provider if entry is not None and not entry.local else None


@dataclasses.dataclass(frozen=True)
class LLMCall:
    """An LLM call site (RULES.md §4.1): provider, the method chain called, and the constructor
    of the client it goes through when that is known (possibly in another module)."""

    provider: str
    method: str
    embedding: bool
    client: ast.Call | None
    client_class: str

    @property
    def facts(self) -> sdk.Client | None:
        return sdk.client(self.client_class)

    @property
    def is_async(self) -> bool:
        """Returns a coroutine: an async client, `client.aio`, or an async twin method."""
        facts = self.facts
        last = self.method.rsplit(".", 1)[-1]
        if facts is not None and (facts.is_async or self.method in facts.method_twins.values()):
            return True
        return (
            self.method.startswith("aio.")
            or last in ("acompletion", "aembedding")
            or (self.provider == "langchain" and last in sdk.LANGCHAIN_ASYNC_CALLS)
            or last.startswith("aembed_")
            or last.endswith("_async")
        )


_MODULE_CLIENTS = {"litellm": "litellm", "ollama": "ollama.Client", "openai": "openai.OpenAI"}


def _boto3_client(built: tuple[str, ast.Call | None]) -> str:
    """`boto3.client("bedrock-runtime")` is the table's `boto3.client:bedrock-runtime`."""
    name, call = built
    if name in ("boto3.client", "boto3.session.Session.client") and call is not None:
        service = string_value(argument(call, 0, "service_name"))
        if service:
            return f"boto3.client:{service}"
    return name


def _site(facts: sdk.Client, method: str, client: ast.Call | None, ctor: str) -> LLMCall | None:
    lookup = (
        method[len("aio.") :] if facts.provider == "google-genai" and method.startswith("aio.") else method
    )
    twins = {twin: blocking for blocking, twin in facts.method_twins.items()}
    base = twins.get(lookup, lookup)
    if base in facts.calls or (not base and "__call__" in facts.calls):
        return LLMCall(facts.provider, method or "__call__", False, client, ctor)
    if base in facts.embedding_calls or lookup in facts.embedding_calls:
        return LLMCall(facts.provider, method, True, client, ctor)
    return None


def llm_call(names: Names, call: ast.Call) -> LLMCall | None:
    """The LLM call site `call` is (RULES.md §4.1 call-site table, from the SDK facts), or None."""
    name = names.call_name(call)
    if name is not None:
        module, _, function = name.partition(".")
        owner = _MODULE_CLIENTS.get(module)
        facts = sdk.client(owner)
        if facts is not None and function:
            site = _site(facts, function, None, owner or module)
            if site is not None:
                return site
    receiver, chain = call_receiver(call)
    method = ".".join(chain)
    built = names.constructor(receiver)
    if built is None:
        if chain and chain[-1] in sdk.LANGCHAIN_RUNNABLE_CALLS:
            model = names.runnable_model(receiver)
            if model is not None:
                return LLMCall("langchain", chain[-1], False, None, model[0])
        return None
    ctor = _boto3_client(built)
    if sdk.langchain_model(ctor):
        if chain and chain[-1] in sdk.LANGCHAIN_RUNNABLE_CALLS:
            return LLMCall("langchain", method, False, built[1], ctor)
        return None
    if sdk.langchain_embeddings(ctor):
        if method in sdk.LANGCHAIN_EMBEDDING_CALLS:
            return LLMCall("langchain", method, True, built[1], ctor)
        return None
    facts = sdk.client(ctor)
    if facts is None:
        if sdk.langchain_component(ctor) and chain and chain[-1] in sdk.LANGCHAIN_RUNNABLE_CALLS:
            model = names.runnable_model(receiver)  # a legacy chain built around a model
            if model is not None:
                return LLMCall("langchain", chain[-1], False, None, model[0])
        return None
    site = _site(facts, method, built[1], facts.qualname)
    if site is not None and built[1] is not None and _scoring_task(facts, built[1]):
        return dataclasses.replace(site, embedding=True)
    return site


def _scoring_task(facts: sdk.Client, constructor: ast.Call) -> bool:
    """The client was built for a task that labels or scores (`pipeline("text-classification")`)."""
    task = string_value(argument(constructor, 0, "task"))
    return task is not None and task in facts.scoring_tasks


LLM_RESPONSE_ATTRIBUTES = frozenset(["content", "text", "output_text", "candidates", "choices"])


def is_llm_response_accessor(node: ast.AST) -> bool:
    """`.choices[i].message.content`, `.choices[i].text`, `.output_text`, `.content[i].text`,
    `.text`, `.content`, `["generated_text"]`, `.candidates[...]` (RULES.md §4.1)."""
    if isinstance(node, ast.Subscript):
        if string_value(node.slice) == "generated_text":
            return True
        return is_llm_response_accessor(node.value)
    return isinstance(node, ast.Attribute) and node.attr in LLM_RESPONSE_ATTRIBUTES


def is_response_shape(node: ast.AST) -> bool:
    """A model response recognisable by its shape alone, whoever made the call (a project's own
    wrapper, a notebook's earlier cell): chat completions' `.choices[i].message` and
    `.choices[i].text`, the Responses API's `.output_text`, LangChain's `LLMResult.generations`."""
    if not isinstance(node, ast.Attribute):
        return False
    if node.attr in ("output_text", "generations"):
        return True
    inner = node.value
    return (
        node.attr in ("message", "text")
        and isinstance(inner, ast.Subscript)
        and isinstance(inner.value, ast.Attribute)
        and inner.value.attr == "choices"
    )


def shaped_output(nodes: list[ast.AST], expr: ast.expr) -> bool:
    """`expr` holds a response read by its shape (`is_response_shape`), directly or through the
    local names of the scope (`nodes`) that are derived from one."""

    def flow(value: ast.expr) -> tuple[frozenset[ast.AST], frozenset[str]]:
        walked = list(ast.walk(value))
        found = frozenset(n for n in walked if is_response_shape(n))
        return found, frozenset(n.id for n in walked if isinstance(n, ast.Name))

    found, reads = flow(expr)
    if found:
        return True
    derived = derived_names(assigned_values(nodes), flow)
    return any(derived.get(read) for read in reads)


# What a value is made of: the sources found in it directly, and the local names it reads.
Flow = Callable[[ast.expr], tuple[frozenset[ast.AST], frozenset[str]]]
_TEXT_RESULTS = frozenset(["text_generation"])


def assigned_values(nodes: Iterable[ast.AST]) -> list[tuple[str, ast.expr]]:
    """(name, value) for every local name a scope binds: assignments, walrus, `for`, `with ... as`."""
    pairs: list[tuple[str, ast.expr]] = []
    for node in nodes:
        bound: list[tuple[ast.expr, ast.expr]]
        if isinstance(node, ast.Assign):
            bound = [pair for target in node.targets for pair in unpacked(target, node.value)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            bound = [(node.target, node.value)]
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            bound = _loop_bindings(node.target, node.iter)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            bound = [(node.optional_vars, node.context_expr)]
        else:
            continue
        for target, value in bound:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                    pairs.append((name.id, value))
    return pairs


def values_bound(nodes: Iterable[ast.AST], name: str) -> list[ast.expr]:
    """Every value a scope binds the local `name` to (`assigned_values` of that one name)."""
    return [value for bound, value in assigned_values(nodes) if bound == name]


def _loop_bindings(target: ast.expr, iterable: ast.expr) -> list[tuple[ast.expr, ast.expr]]:
    """What each part of a loop target is taken from: `for text, vector in zip(texts, vectors)`
    takes `text` from `texts` alone, `for i, reply in enumerate(replies)` takes `reply` from
    `replies` (and `i` from no value); any other loop binds its whole target to what it iterates."""
    if (
        isinstance(target, ast.Tuple)
        and isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and not any(isinstance(part, ast.Starred) for part in [*target.elts, *iterable.args])
    ):
        if iterable.func.id == "zip" and len(target.elts) == len(iterable.args):
            return list(zip(target.elts, iterable.args, strict=True))
        if iterable.func.id == "enumerate" and len(target.elts) == 2 and len(iterable.args) >= 1:
            return [(target.elts[1], iterable.args[0])]
    return [(target, iterable)]


def derived_names(pairs: list[tuple[str, ast.expr]], flow: Flow) -> dict[str, frozenset[ast.AST]]:
    """Def-use within one scope (`pairs` from `assigned_values`): each local name mapped to the
    sources that reach it through the values assigned to it. Flow-insensitive, to a fixpoint."""
    edges = [(name, *flow(value)) for name, value in pairs]
    derived: dict[str, frozenset[ast.AST]] = {}
    changed = True
    while changed:
        changed = False
        for name, sources, reads in edges:
            found = sources.union(*(derived.get(read, frozenset()) for read in reads))
            known = derived.get(name, frozenset())
            if not found <= known:
                derived[name] = known | found
                changed = True
    return derived


def chain_root(node: ast.AST) -> ast.AST:
    """`resp.choices[0].message.content` -> `resp`."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


class LLMFlow:
    """The LLM calls of one scope and the local names their output reaches (RULES.md §4.1
    response accessors, intra-procedural def-use only)."""

    def __init__(self, names: Names, nodes: list[ast.AST]) -> None:
        self.calls: dict[ast.Call, LLMCall] = {}
        for node in nodes:
            if isinstance(node, ast.Call):
                site = llm_call(names, node)
                if site is not None:
                    self.calls[node] = site
        # With no LLM call in the scope nothing can be derived: skip the def-use work.
        self.pairs = assigned_values(nodes) if self.calls else []
        self.values: dict[str, list[ast.expr]] = {}
        for name, value in self.pairs:
            self.values.setdefault(name, []).append(value)
        self.results: dict[str, frozenset[ast.Call]] = {}
        self.outputs: dict[str, frozenset[ast.AST]] = {}
        for name, value in self.pairs:
            call = self.call_of(value)
            if call is not None:
                self.results[name] = self.results.get(name, frozenset()) | {call}
        self.outputs = derived_names(self.pairs, self._flow)

    def call_of(self, node: ast.AST) -> ast.Call | None:
        """The LLM call an expression is (through `await`), or None."""
        inner = node.value if isinstance(node, ast.Await) else node
        return inner if isinstance(inner, ast.Call) and inner in self.calls else None

    def _text_result(self, call: ast.Call) -> bool:
        """Calls whose result is the generated text itself (no accessor needed)."""
        site = self.calls[call]
        if site.embedding:
            return False  # vectors, never text to parse, run or render
        return site.method in _TEXT_RESULTS or (site.provider == "langchain" and site.client is None)

    def node_origins(self, node: ast.AST) -> frozenset[ast.AST]:
        """The LLM calls whose output this one node is: a response accessor, a derived name, or a
        call returning text. Does not look inside the node."""
        if isinstance(node, ast.Name):
            return self.outputs.get(node.id, frozenset()) | self._text_of(node)
        return self._direct(node)

    def _text_of(self, name: ast.Name) -> frozenset[ast.AST]:
        return frozenset(c for c in self.results.get(name.id, frozenset()) if self._text_result(c))

    def _direct(self, node: ast.AST) -> frozenset[ast.AST]:
        """Output read straight off an LLM call or result: a response accessor or a text result."""
        if isinstance(node, ast.Call) and node in self.calls and self._text_result(node):
            return frozenset([node])
        if isinstance(node, (ast.Attribute, ast.Subscript)) and is_llm_response_accessor(node):
            root = chain_root(node)
            call = self.call_of(root)
            if call is not None:
                return frozenset([call])
            if isinstance(root, ast.Name):
                return self.results.get(root.id, frozenset())
        return frozenset()

    def _flow(self, expr: ast.expr) -> tuple[frozenset[ast.AST], frozenset[str]]:
        found: set[ast.AST] = set()
        reads: set[str] = set()
        for node in ast.walk(expr):
            if isinstance(node, ast.Name):
                reads.add(node.id)
                found |= self._text_of(node)
            else:
                found |= self._direct(node)
        return frozenset(found), frozenset(reads)

    def origins(self, expr: ast.expr) -> frozenset[ast.AST]:
        """The LLM calls whose output reaches `expr` (anywhere inside it)."""
        if not self.calls:
            return frozenset()
        found, reads = self._flow(expr)
        return found.union(*(self.outputs.get(read, frozenset()) for read in reads))


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def scope_walk(*roots: ast.AST) -> Iterator[ast.AST]:
    """The roots and what they contain, without entering nested functions, lambdas or classes
    (their code runs elsewhere, later, or not at all)."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        yield node
        stack.extend([c for c in child_nodes(node) if not isinstance(c, _NESTED_SCOPES)])


def is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The body only declares the function: a docstring, `...`, `pass` or `raise NotImplementedError`
    (an interface's or abstract base's method, whose overrides do the work)."""
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring, or `...`
        if isinstance(statement, ast.Raise) and statement.exc is not None:
            raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
            if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                continue
        return False
    return True


def stops_early(loop: ast.For | ast.AsyncFor) -> bool:
    """The loop may end at a `break` or a `return` (not in a nested function): a retry, a search or
    an agent's rounds, which stop at an answer, not a pass over data."""
    return any(isinstance(node, (ast.Break, ast.Return)) for node in scope_walk(loop))


def is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":`, the block a module runs only as a program."""
    if not isinstance(node, ast.If):
        return False
    test = ast.unparse(node.test)
    return "__name__" in test and "__main__" in test


def is_script(src: PythonFile) -> bool:
    """A notebook or command-line script (`if __name__ == "__main__"`): interactive and batch
    work may legitimately wait out aiohttp's 5-minute default."""
    return src.kind == "notebook" or any(is_main_guard(node) for node in src.tree.body)


def is_test_module(path: str) -> bool:
    """A pytest module (`test_*.py`, `*_test.py`, `conftest.py`). Narrower than `is_test_file`:
    evaluation harnesses often live under `tests/` and are not tests."""
    name = PurePosixPath(path).name.lower()
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def contains_llm_call(names: Names, *roots: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and llm_call(names, n) is not None for n in scope_walk(*roots))


def in_serving_context(names: Names, tree: Tree, node: ast.AST) -> bool:
    """In a serving module (`is_serving_module`), inside a route handler or task, or in a function
    that imports a serving framework itself."""
    if is_serving_module(names):
        return True
    function = tree.function(node)
    return function is not None and (
        is_route_handler(function)
        or any(
            (isinstance(inner, ast.Import) and any(_serving(alias.name) for alias in inner.names))
            or (isinstance(inner, ast.ImportFrom) and not inner.level and _serving(inner.module or ""))
            for inner in ast.walk(function)
        )
    )
