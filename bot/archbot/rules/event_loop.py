"""Blocking work on the asyncio event loop."""

from __future__ import annotations

import ast
import re
import typing
from collections.abc import Iterator

from archbot.models import Severity
from archbot.repo import datastores, web
from archbot.repo.endpoints import DATA_URL, HTTP_METHODS
from archbot.repo.model import Function, own_nodes
from archbot.repo.resolve import Names, Tree, binding_key, is_receiver, string_value
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    argument,
    call_receiver,
    called_name,
    imports_any,
    is_stub,
    llm_call,
    loop_of,
    scope_walk,
    url_start,
)
from archbot.rules.source import PythonFile

RULES = Family()

_HTTP_BLOCKING_CLIENTS = frozenset(("httpx.Client", "requests.Session", "requests.sessions.Session"))


def _blocking_call(names: Names, call: ast.Call) -> tuple[str, Severity | None] | None:
    """Describe why `call` blocks, with a severity override for CPU-bound work; None if it does not."""
    name = names.call_name(call)
    if name is not None:
        module, _, function = name.rpartition(".")
        if module in ("requests", "httpx") and function in HTTP_METHODS:
            return f"`{name}` is a synchronous HTTP call.", None
        if name == "urllib.request.urlopen" and not _decoded_in_place(names, call):
            return "`urllib.request.urlopen` is a synchronous HTTP call.", None
    site = llm_call(names, call)
    if site is not None and not site.is_async:
        facts = site.facts
        twin = facts.method_twins.get(site.method) if facts is not None else None
        if site.provider == "local":
            return f"a local `{site.client_class}` runs the model on the event loop.", Severity.MEDIUM
        if site.provider == "langchain":
            return f"LangChain `.{site.method}()` is synchronous (use `.a{site.method}()`).", None
        if facts is not None and facts.async_twin is not None:
            return f"`{facts.qualname}` is the synchronous client: `.{site.method}()` blocks the loop.", None
        if twin is not None:
            return f"`.{site.method}()` is synchronous (use `.{twin}()`).", None
        if facts is not None and facts.qualname == "litellm":
            return f"`litellm.{site.method}` is synchronous (use `litellm.a{site.method}`).", None
        return None
    receiver, chain = call_receiver(call)
    built = names.constructor(receiver)
    if built is None or not chain:
        return None
    ctor = built[0]
    if ctor in _HTTP_BLOCKING_CLIENTS and chain[-1] in HTTP_METHODS:
        return f"`{ctor}.{chain[-1]}` is a synchronous HTTP call.", None
    if ctor.endswith(".from_pretrained") and chain == ["generate"]:
        return "a local `model.generate()` runs the model on the event loop.", Severity.MEDIUM
    return None


def _decoded_in_place(names: Names, call: ast.Call) -> bool:
    """`urlopen` given a `data:` URL (by its text or a `startswith` guard): decoded, not fetched."""
    url = argument(call, 0, "url")
    return url is not None and DATA_URL.match(url_start(names, names.tree, call, url)) is not None


@RULES.rule(
    "sync-llm-client-in-async",
    title="Blocking LLM or HTTP client used inside async def",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    peers=("ASYNC210", "ASYNC212"),
    subject="surroundings",
)
def sync_llm_client_in_async(src: PythonFile) -> Iterator[Hit]:
    """A synchronous LLM SDK or HTTP call made directly inside an `async def`. A call the code
    awaits returns an awaitable, so its client is async whatever a factory's other branch builds.
    Not judged where the coroutine has the loop to itself: one that reads the terminal (`input()`,
    `getpass`) talks to one person; a web app's lifespan or startup handler runs before any
    request is served; a program's entry coroutine (`asyncio.run(main())`, or a class's
    `asyncio.run(self.run_async())`) runs alone until it first awaits other work or starts a task.

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
    alone = _LoopToItself(src)
    for call in src.changed_calls():
        if (
            not src.nodes.in_async_context(call)
            or isinstance(src.nodes.parents.get(call), ast.Await)
            or call in alone
        ):
            continue
        found = _blocking_call(src.names, call)
        line = src.changed_line(call)
        if found is not None and line is not None and not _async_alternative(src, call):
            detail, severity = found
            yield Hit(line, detail, severity)


def _async_alternative(src: PythonFile, call: ast.Call) -> bool:
    """`call` is the sync branch of a choice whose other branch awaits the same method or its
    async twin (`if self.async_db: await self.asave(s) else: self.save(s)`): the code blocks only
    where no async path exists, by design."""
    name = called_name(call)
    if name is None:
        return False
    awaited = {name, *(pattern.format(name) for pattern in _TWIN_NAMES)}
    inner: ast.AST = call
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if isinstance(ancestor, ast.If) and inner is not ancestor.test:
            other = ancestor.orelse if inner in ancestor.body else ancestor.body
            if any(_awaits(statement, awaited) for statement in other):
                return True
        inner = ancestor
    return False


def _awaits(statement: ast.stmt, names: set[str]) -> bool:
    """`statement` awaits a call of one of `names` (a method or a function)."""
    for node in ast.walk(statement):
        if (
            isinstance(node, ast.Await)
            and isinstance(node.value, ast.Call)
            and called_name(node.value) in names
        ):
            return True
    return False


@RULES.rule(
    "blocking-sleep-in-async",
    title="time.sleep inside async def",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    peers=("ASYNC251",),
    subject="surroundings",
)
def blocking_sleep_in_async(src: PythonFile) -> Iterator[Hit]:
    """`time.sleep()` called directly inside an `async def` (not judged where the coroutine has the
    loop to itself: one that reads the terminal, an interactive program's, a web app's lifespan or
    startup handler, or a program's entry coroutine, `asyncio.run(main())` or
    `asyncio.run(self.run_async())`, before it first awaits other work or starts a task).

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
    alone = _LoopToItself(src)
    for call in src.changed_calls():
        if (
            src.names.call_name(call) == "time.sleep"
            and src.nodes.in_async_context(call)
            and call not in alone
        ):
            line = src.changed_line(call)
            if line is not None:
                yield Hit(line, "`time.sleep` blocks the event loop.")


# Django QuerySet/manager methods that run a query when called (lazy ones like `filter` do not).
_ORM_EVALUATING = frozenset(
    [
        "aggregate",
        "bulk_create",
        "bulk_update",
        "contains",
        "count",
        "create",
        "delete",
        "earliest",
        "exists",
        "explain",
        "first",
        "get",
        "get_or_create",
        "in_bulk",
        "last",
        "latest",
        "update",
        "update_or_create",
    ]
)
_THREAD_WAITS = frozenset(["concurrent.futures.wait", "concurrent.futures.as_completed"])
_EXECUTORS = frozenset(["concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor"])
# A sync function is followed to its async callers by name; short names (`get`, `save`) collide.
_MIN_CALLEE_NAME = 8
_DJANGO_IMPORT = re.compile(r"^\s*(?:from|import)\s+django\b", re.MULTILINE)


def _manager_chain(names: Names, node: ast.expr) -> str | None:
    """The Django manager a QuerySet chain starts from: `Model.objects` (a CapWords class, or a
    class attribute holding one: `self.model.objects` with `model = Ticket`) or a related manager
    `obj.<name>_set`, through any lazy calls in between; None otherwise."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "objects":
                name = _model_class_name(node.value)
                if name is None and binding_key(node.value) is not None:
                    held = {_model_class_name(value) for _, value in names.attribute_values(node.value)}
                    held.discard(None)  # the `model = None` a base class declares
                    name = held.pop() if len(held) == 1 else None
                return f"{name}.objects" if name is not None else None
            if node.attr.endswith("_set") and len(node.attr) > len("_set"):
                return f".{node.attr}"
            node = node.value
        else:
            return None


def _model_class_name(node: ast.expr) -> str | None:
    """`Ticket` or `models.Ticket`: a CapWords class name (how Django models are named)."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name if name[:1].isupper() else None


def _orm_query(src: PythonFile, call: ast.Call) -> str | None:
    """`Model.objects....count()` / `obj.thing_set.exists()`: the outermost evaluating call of a
    Django QuerySet chain. Inner calls of a longer evaluating chain are left to the outer one."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _ORM_EVALUATING:
        return None
    parent = src.nodes.parents.get(call)
    if isinstance(parent, ast.Await) or (
        isinstance(parent, ast.Attribute) and parent.attr in _ORM_EVALUATING
    ):
        return None  # awaited: an async ORM (ormar, for one) with Django-like managers
    manager = _manager_chain(src.names, func.value)
    if manager is None:
        return None
    return f"`{manager}...{func.attr}()` is a synchronous Django query (use `a{func.attr}()`)."


def _uses_django(src: PythonFile) -> bool:
    return imports_any(src.names, "django") or src.repo.mentions(_DJANGO_IMPORT, "*.py", ("django",))


def _thread_wait(src: PythonFile, call: ast.Call) -> str | None:
    """`concurrent.futures.wait/as_completed(...)`, or `.result()` on an executor's `submit` future."""
    name = src.names.call_name(call)
    if name in _THREAD_WAITS:
        return f"`{name}` blocks until the threads finish."
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "result" and not call.args and not call.keywords:
        key = src.names.key(func.value)
        submitted = src.names.bindings.get(key) if key else None
        if isinstance(submitted, ast.Call) and isinstance(submitted.func, ast.Attribute):
            built = src.names.constructor(submitted.func.value)
            if submitted.func.attr == "submit" and built is not None and built[0] in _EXECUTORS:
                return "`Future.result()` on an executor future blocks until the thread finishes."
    return None


def _event_loop_caller(src: PythonFile, name: str) -> str | None:
    """Where the sync function `name` is called on the event loop — directly in an `async def`,
    not awaited, not handed to a thread — in this file or another repository .py file (those that
    mention the name, parsed through the repository model: within its budget, once per review)."""
    pattern = re.compile(rf"(?<![\w]){re.escape(name)}\s*\(")
    paths = [src.path, *(p for p in src.repo.containing((name,)) if p != src.path)]
    for path in paths:
        text = src.code if path == src.path else src.repo.text(path)
        if text is None or pattern.search(text) is None:
            continue
        if path == src.path:
            nodes = src.nodes
        else:
            module = src.repo.module(path)
            if module is None:  # not Python the model can read, or past its budget: no caller known
                continue
            nodes = Names.of(src.repo, module).tree
        for call in nodes.calls:
            if (
                called_name(call) == name
                and nodes.in_async_context(call)
                and not isinstance(nodes.parents.get(call), ast.Await)
            ):
                caller = nodes.function(call)
                return f"async `{caller.name if caller else '?'}` ({path}:{call.lineno})"
    return None


# Calls that wait on a process or the clock (HTTP and LLM calls: `_blocking_call`; files: `_file_io`).
_BLOCKING_IO = frozenset(
    [
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "time.sleep",
        "urllib.request.urlopen",
    ]
)
_PATH_IO = frozenset(["read_text", "read_bytes", "write_text", "write_bytes"])
_PATHS = frozenset(["pathlib.Path", "pathlib.PurePath"])
# Async twins a class may offer next to a blocking method (`run` -> `run_async`).
_TWIN_NAMES = ("{}_async", "a{}", "async_{}")
# How far behind the called function blocking work is looked for: its own calls, and theirs.
_IO_HOPS = 1


def _store_call(names: Names, call: ast.Call) -> str | None:
    """A call that waits on a synchronous database or service client (the datastores table), its
    receiver resolved through the repository model; None when it does not or is awaited."""
    name = names.call_name(call)
    if name in datastores.CONNECTING:
        return f"`{name}` connects to the database synchronously: it blocks the event loop."
    func = call.func
    if not isinstance(func, ast.Attribute) or isinstance(names.tree.parents.get(call), ast.Await):
        return None
    entry = datastores.store(datastores.kind_of(names, func.value))
    if entry is None or not entry.blocks(func.attr):
        return None
    return (
        f"`.{func.attr}()` is a synchronous {entry.package} call: it blocks the event loop ({entry.instead})."
    )


def _handed_over(function: Function, paths: list[ast.expr]) -> bool:
    """The file is one the function was handed: its path comes from a parameter, directly or
    through the locals derived from it (`for path in paths`, `full = root / name`, two steps) —
    the documents or images of a request. A fixed file (a literal, a constant, a path built from
    `__file__`, an attribute of the object) is not."""
    parameters = set(function.parameters) - {"self", "cls"}
    wanted = {node.id for path in paths for node in ast.walk(path) if isinstance(node, ast.Name)}
    for _ in range(3):
        if wanted & parameters:
            return True
        derived: set[str] = set()
        for node in function.nodes:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, (ast.For, ast.comprehension)):
                targets, value = [node.target], node.iter
            else:
                continue
            if any(isinstance(n, ast.Name) and n.id in wanted for t in targets for n in ast.walk(t)):
                derived |= {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        wanted = derived
    return False


def _file_io(names: Names, call: ast.Call, function: Function) -> str | None:
    """`open(path)` or `Path(path).read_text()` of a file the function was handed (`_handed_over`):
    per-request data. Reading or writing a fixed local file (a version from pyproject.toml, a
    template beside the module) is brief and is what startup code does everywhere: not counted.
    (Its callers count it only once per item of a loop: `_work_behind`.)"""
    func = call.func
    builtin = isinstance(func, ast.Name) and func.id == "open" and names.qualname(func) is None
    if builtin or names.call_name(call) == "io.open":
        file = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "file")]
        return "`open()`" if _handed_over(function, file) else None
    if isinstance(func, ast.Attribute) and func.attr in _PATH_IO:
        built = names.constructor(func.value)
        if built is None or built[0] not in _PATHS:
            return None
        path = [func.value, *(built[1].args if built[1] is not None else [])]
        return f"`Path.{func.attr}`" if _handed_over(function, path) else None
    return None


def _waits(names: Names, call: ast.Call, function: Function, per_item: bool) -> str | None:
    """What blocking work `call`, made in `function`, does itself: process or clock waits, HTTP, a
    sync LLM call, a synchronous database call, and (`per_item`: the call runs once per item of a
    loop) a read or write of a file handed over."""
    func = call.func
    name = names.call_name(call)
    if name in _BLOCKING_IO and not (name == "urllib.request.urlopen" and _decoded_in_place(names, call)):
        return f"`{name}`"
    found = _file_io(names, call, function) if per_item else None
    if found is not None:
        return found
    if _blocking_call(names, call) is not None:
        return "a synchronous HTTP or model call"
    if _store_call(names, call) is not None:
        return (
            f"a synchronous database call (`.{func.attr}()`)"
            if isinstance(func, ast.Attribute)
            else "`connect`"
        )
    return None


def _work_behind(
    here: Names, function: Function, hops: int, seen: set[Function], per_item: bool
) -> str | None:
    """The first blocking work `function` does, itself or through the sync project functions it
    calls (`hops` more levels), described with where it happens; None when none shows. `here`
    reads the function's body (`Names.callee`: bound to the class it was called on). A file read
    or written is counted only where it happens once per item of a loop that awaits nothing else
    (`per_item`: the call to `function` does; or the file call, or the call on the way to it, sits
    in such a loop: `_per_item`), as for the documents of a request read one by one; one file (an
    attachment saved, a sample loaded), or one per item of a loop whose items each await, is brief
    beside the awaits around it."""
    for call in function.calls:
        what = _waits(here, call, function, per_item or _per_item(here.tree, call))
        if what is not None:
            return f"{what} in `{function.name}`"
    if hops <= 0:
        return None
    for call in function.calls:
        symbol = here.symbol(call.func)
        if symbol is not None and symbol.cls is not None:
            continue  # a constructor: not followed, so the search never walks class hierarchies
        callee = here.callee(call)
        if callee is None or callee[0] in seen or callee[0].is_async or _memoised(callee[0].node):
            continue
        inner, there = callee
        seen.add(inner)
        found = _work_behind(there, inner, hops - 1, seen, per_item or _per_item(here.tree, call))
        if found is not None:
            return found
    return None


def _async_twin(names: Names, function: Function) -> Function | None:
    """The async twin the called method's class offers (`run_async` next to `run`). A stub twin
    (a base's `raise NotImplementedError`) beside a sync method that does the work is offered by
    no one: awaiting it would raise. Two stubs are an interface, whose implementations offer both."""
    if function.owner is None or names.repo is None:
        return None
    for pattern in _TWIN_NAMES:
        twin = names.repo.method(function.owner, pattern.format(function.name))
        if twin is not None and twin.is_async:
            if (is_stub(twin.node) and not is_stub(function.node)) or _wraps(twin, function.name):
                return None
            return twin
    return None


_SUSPENDS = (ast.Await, ast.AsyncFor, ast.AsyncWith)


def _hollow(here: Names, twin: Function) -> bool:
    """The twin, for the receiver's class, awaits only that class's coroutines that never suspend
    (`async def _aretrieve(self, q): return self._retrieve(q)` beneath a base's `aretrieve`): a
    coroutine that awaits nothing runs on the loop just as the sync call does, so awaiting it
    instead is no fix, and the sync call is judged by the work it does."""
    cls = here.self_class or twin.owner
    body = list(own_nodes(*twin.node.body))
    if cls is None or here.repo is None or any(isinstance(n, (ast.AsyncFor, ast.AsyncWith)) for n in body):
        return False
    awaited = [node.value for node in body if isinstance(node, ast.Await)]
    for value in awaited:
        func = value.func if isinstance(value, ast.Call) else None
        if not isinstance(func, ast.Attribute) or not is_receiver(func.value):
            return False
        hook = here.repo.method(cls, func.attr)
        if hook is None or not hook.is_async or is_stub(hook.node):
            return False
        if any(isinstance(node, _SUSPENDS) for node in own_nodes(*hook.node.body)):
            return False
    return bool(awaited)


def _wraps(twin: Function, name: str) -> bool:
    """The twin runs the sync method itself (`return await asyncio.to_thread(self.compile, ...)`,
    or calls it): a wrapper, not another way to do the work, so a call of the sync method is
    judged by the work that method does."""
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == name
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
        for node in own_nodes(*twin.node.body)
    )


# A call made once to set things up (a constructor, a setup or config read; a factory whose result
# is kept, an alternate constructor `from_*` among them): whatever it waits for, it does not wait
# on every request or item. A `create_*` call whose result is dropped is an action
# (`create_venv(...)`), not a factory.
_SETUP_NAME = re.compile(
    r"^_*(?:setup|set_up|init|initialize|initialise|configure|register|__init__)(?:_|$)"
    r"|^_*(?:get|load|read)_(?:config|settings|env)"
)
_FACTORY_NAME = re.compile(r"^_*(?:create|make|build|from)(?:_|$)|_factory$")
_CONFIG_RESULT = re.compile(r"(?i)^(?:.*_)?(?:config|cfg|conf|configuration|settings|options|opts|params)$")


def _assigned_key(src: PythonFile, call: ast.Call) -> str | None:
    """The name or `self.x` the call's result is bound to (`x = call(...)`)."""
    parent = src.nodes.parents.get(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        return binding_key(parent.targets[0])
    if isinstance(parent, ast.AnnAssign):
        return binding_key(parent.target)
    return None


# Decorators that keep a function's result: it does its work on the first call with those arguments.
_MEMOISING = frozenset(["cache", "lru_cache", "cached"])


def _memoised(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function returns the one value it kept: it takes no arguments and is decorated to cache
    its result (`functools.lru_cache`), or it first returns its kept value when there is one
    (`if _session is not None: return _session`). Whatever it does to make that value blocks once,
    not each time a coroutine calls it."""
    parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
        # Kept per argument, a cache blocks again for each new one a request brings.
        if name in _MEMOISING and not [p for p in parameters if p not in ("self", "cls")]:
            return True
    body = [
        statement
        for statement in function.body
        if not isinstance(statement, ast.Global)
        and not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
    ]
    first = body[0] if body else None
    if not isinstance(first, ast.If) or len(first.body) != 1 or not isinstance(first.body[0], ast.Return):
        return False
    kept = first.body[0].value
    key = binding_key(kept) if kept is not None else None
    return key is not None and any(
        binding_key(node) == key
        for node in ast.walk(first.test)
        if isinstance(node, (ast.Name, ast.Attribute))
    )


def _lazy_init(src: PythonFile, call: ast.Call, key: str) -> bool:
    """`if self.x is None: self.x = make(...)`: the result is made once and kept."""
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        if isinstance(ancestor, ast.If) and any(
            binding_key(node) == key
            for node in ast.walk(ancestor.test)
            if isinstance(node, (ast.Name, ast.Attribute))
        ):
            return True
    return False


def _in_loop(tree: Tree, call: ast.Call) -> bool:
    return loop_of(tree, call) is not None


def _per_item(tree: Tree, call: ast.Call) -> bool:
    """The call runs once per item of a loop that waits on nothing else: a loop whose items each
    also await (an evaluation run, a request) hands the event loop back on every one, and a file
    read between two awaits is brief beside them; a loop over a few constants the code writes
    out (`for name in ("strings.json", "fallback.json")`) reads no data item by item."""
    loop = loop_of(tree, call)
    if loop is None or isinstance(loop, ast.AsyncFor):
        return False
    if isinstance(loop, ast.For) and _written_out(loop.iter):
        return False
    return not any(isinstance(node, ast.Await) for node in ast.walk(loop))


def _written_out(iterable: ast.expr) -> bool:
    """A tuple, list or set of constants written out in the loop itself."""
    return isinstance(iterable, (ast.Tuple, ast.List, ast.Set)) and all(
        isinstance(item, ast.Constant) for item in iterable.elts
    )


def _setup_call(src: PythonFile, call: ast.Call, function: Function) -> bool:
    """A one-time setup call: a lazy initialisation, or — outside a loop — a constructor or setup
    function, a factory whose result is kept, or a call whose result is bound to a configuration
    name."""
    key = _assigned_key(src, call)
    if key is not None and _lazy_init(src, call, key):
        return True
    if _in_loop(src.nodes, call):
        return False
    if _SETUP_NAME.search(function.name):
        return True
    if _FACTORY_NAME.search(function.name) and not isinstance(src.nodes.parents.get(call), ast.Expr):
        return True
    return key is not None and _CONFIG_RESULT.match(key.rpartition(".")[2]) is not None


# A sync function annotated to return one of these schedules work for the caller to await.
_DEFERRED = re.compile(r"\b(?:Future|Task|Awaitable|Coroutine)\b")


def _hands_back_work(src: PythonFile, call: ast.Call, function: Function) -> bool:
    """The sync call schedules work and hands back something the coroutine awaits: its function
    is annotated to return a Future (or Task, Awaitable), or its result is awaited in the calling
    coroutine, itself or through asyncio (`await x`, `await asyncio.wrap_future(x)`)."""
    returns = function.node.returns
    if returns is not None and _DEFERRED.search(ast.unparse(returns)):
        return True
    key = _assigned_key(src, call)
    caller = src.nodes.function(call)
    if key is None or caller is None:
        return False
    for node in ast.walk(caller):
        if not isinstance(node, ast.Await):
            continue
        awaited = node.value
        if binding_key(awaited) == key:
            return True
        if isinstance(awaited, ast.Call) and (src.names.call_name(awaited) or "").startswith("asyncio."):
            arguments = [a.value if isinstance(a, ast.Starred) else a for a in awaited.args]
            if any(binding_key(argument) == key for argument in arguments):
                return True
    return False


def _generator(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Calling it builds a generator and runs none of its body: the body runs as the generator is
    iterated (a `StreamingResponse` iterates a sync one in a thread pool)."""
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in scope_walk(*function.body))


def _returns_without_calls(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The method returns a value and calls nothing to get it (a constant fallback); an abstract
    body (`...`, `pass`, `raise NotImplementedError`) says nothing of what its overrides do."""
    nodes = list(scope_walk(*function.body))
    returns = any(isinstance(node, ast.Return) and node.value is not None for node in nodes)
    return returns and not any(isinstance(node, ast.Call) for node in nodes)


def _sync_project_call(src: PythonFile, call: ast.Call) -> tuple[str, Severity, bool] | None:
    """A sync project function called on the event loop (not awaited, not handed to a thread)
    whose class offers an async twin, or which does blocking work itself or one call further
    each time the coroutine runs: a one-time setup call (`_setup_call`) is not reported. The flag
    says the fix is at the call itself (await the twin)."""
    if isinstance(src.nodes.parents.get(call), ast.Await):
        return None
    callee = src.names.callee(call)
    caller = src.nodes.function(call)
    if callee is None or callee[0].is_async or callee[0].node is caller:
        return None
    function, here = callee
    if _hands_back_work(src, call, function) or _generator(function.node):
        return None
    twin = _async_twin(src.names, function)
    if twin is not None and _hollow(here, twin):
        twin = None
    # A twin delegating to its own sync method is judged by the work that method does; a sync
    # method that returns without calling anything (a constant fallback beside a twin that looks
    # things up) cannot block.
    if twin is not None and twin.node is not caller and not _returns_without_calls(function.node):
        detail = f"`{function.name}()` is synchronous and its class has `{twin.name}()`: await that instead."
        return detail, Severity.MEDIUM, True
    if _setup_call(src, call, function) or _memoised(function.node):
        return None
    work = _work_behind(here, function, _IO_HOPS, {function}, _per_item(src.nodes, call))
    if work is None:
        return None
    return (
        f"sync `{function.name}()` blocks the event loop: {work}.{_OFFLOAD}",
        Severity.MEDIUM,
        False,
    )


def _queries_behind_sync_functions(src: PythonFile, queries: list[tuple[ast.Call, str]]) -> Iterator[Hit]:
    """ORM queries in a sync function that async code calls as if it were cheap (one hop)."""
    by_function: dict[ast.FunctionDef, list[tuple[ast.Call, str]]] = {}
    for call, detail in queries:
        function = src.nodes.function(call)
        if isinstance(function, ast.FunctionDef) and len(function.name) >= _MIN_CALLEE_NAME:
            by_function.setdefault(function, []).append((call, detail))
    for function, found in by_function.items():
        caller = _event_loop_caller(src, function.name)
        if caller is None:
            continue
        for call, detail in found:
            line = src.changed_line(call)
            if line is not None:
                yield Hit(line, f"{detail[:-1]}, and sync `{function.name}` is called from {caller}.")


def _django(src: PythonFile, asked: list[bool]) -> bool:
    """Whether the repository uses Django, asked once per file (`asked` keeps the answer)."""
    if not asked:
        asked.append(_uses_django(src))
    return asked[0]


def _loop_block(
    src: PythonFile, call: ast.Call, waited: set[ast.AST], django: list[bool]
) -> tuple[str, Severity | None, bool] | None:
    """Why a call made on the event loop blocks it: the detail, a severity (None: the rule's),
    and whether the fix is at the call itself — a thread wait (await the future), a Django query
    (its async method), the class's async twin — rather than wherever the work runs; None if it
    does not block."""
    detail = _thread_wait(src, call)
    if detail is not None:
        function = src.nodes.function(call)
        if function in waited:
            return None  # one wait per function: the later `.result()` calls no longer block
        if function is not None:
            waited.add(function)
        return detail, None, True
    detail = _orm_query(src, call)
    if detail is not None:
        return (detail, None, True) if _django(src, django) else None
    store = _store_call(src.names, call)
    if store is not None:
        return store, Severity.MEDIUM, False
    return _sync_project_call(src, call)


class _LoopToItself:
    """The calls made while their coroutine has the event loop to itself, so blocking it delays
    nobody: a coroutine that reads the terminal (`input()`, `getpass`: a program talking to one
    person, waiting on the keyboard as on anything else), a web app's startup and shutdown (its
    lifespan, its startup handlers: no request is served until they end), and a program's entry
    coroutine (the one `asyncio.run(main())` or `asyncio.run(self.run_async())` starts) before it
    first hands the loop to other work."""

    def __init__(self, src: PythonFile) -> None:
        self._src = src
        self._terminal = _terminal_coroutines(src) | _lifecycle_coroutines(src)
        self._entries = _entry_coroutines(src)

    def __contains__(self, call: ast.Call) -> bool:
        function = self._src.nodes.function(call)
        if function in self._terminal:
            return True
        if not isinstance(function, ast.AsyncFunctionDef) or function not in self._entries:
            return False
        first = self._entries[function]
        if first is None:
            return True
        handed_over = _position(first)
        return _position(call) < handed_over and not any(
            isinstance(ancestor, (ast.For, ast.While, ast.AsyncFor)) and _end(ancestor) >= handed_over
            for ancestor in self._src.nodes.ancestors(call)
        )


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _end(node: ast.stmt) -> tuple[int, int]:
    return node.end_lineno or node.lineno, node.end_col_offset or 0


def _terminal_coroutines(src: PythonFile) -> frozenset[ast.AST]:
    """The coroutines that read the terminal themselves (`input()`, `getpass`, not in a nested
    def): programs talking to one person (an agent's REPL, a setup wizard), whose event loop
    serves nobody else while they wait, on the keyboard as on anything else."""
    found = set()
    for call in src.nodes.calls:
        called = called_name(call)
        if (called == "input" and src.nodes.builtin(call.func, "input") is not None) or (
            called == "getpass" and src.names.call_name(call) == "getpass.getpass"
        ):
            function = src.nodes.function(call)
            if isinstance(function, ast.AsyncFunctionDef):
                found.add(function)
    return frozenset(found)


def _lifecycle_coroutines(src: PythonFile) -> frozenset[ast.AST]:
    """The module's `async def`s a web app runs at startup or shutdown (web.LIFECYCLE_*): the one
    given as its `lifespan=` or in `on_startup=[...]`, handed to `add_event_handler("startup",
    ...)` or appended to aiohttp's `app.on_startup`, or decorated `@app.on_event("startup")`."""
    named: set[str] = set()
    for call in src.nodes.calls:
        for keyword in call.keywords:
            if keyword.arg in web.LIFECYCLE_KEYWORDS:
                named |= _function_names(keyword.value)
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        if (
            func.attr == "add_event_handler"
            and len(call.args) == 2
            and string_value(call.args[0]) in web.LIFECYCLE_EVENTS
        ):
            named |= _function_names(call.args[1])
        elif (
            func.attr in ("append", "extend", "insert")
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in web.LIFECYCLE_SIGNALS
        ):
            for arg in call.args:
                named |= _function_names(arg)
    return frozenset(
        node
        for node in src.tree.body
        if isinstance(node, ast.AsyncFunctionDef)
        and (node.name in named or any(_startup_decorator(d) for d in node.decorator_list))
    )


def _function_names(node: ast.expr) -> set[str]:
    """The functions an argument names: one name, or the names of a list or tuple."""
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    return {item.id for item in items if isinstance(item, ast.Name)}


def _startup_decorator(decorator: ast.expr) -> bool:
    """`@app.on_event("startup")` or `@router.on_event("shutdown")`."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "on_event"
        and len(decorator.args) == 1
        and string_value(decorator.args[0]) in web.LIFECYCLE_EVENTS
    )


# What starts an event loop with a program's first coroutine.
_LOOP_RUNNERS = frozenset(["asyncio.run", "anyio.run", "trio.run", "uvloop.run"])
# Sleeps hand the loop over, but to nothing: before its first task a program has no other work.
_LOOP_SLEEPS = frozenset(["asyncio.sleep", "anyio.sleep", "trio.sleep"])


def _entry_coroutines(src: PythonFile) -> dict[ast.AsyncFunctionDef, ast.AST | None]:
    """The module's `async def`s that a loop runner starts (`asyncio.run(main())`, or a method's
    `asyncio.run(self.run_async(...))` starting another `async def` of its class) and nothing in
    the module awaits or schedules otherwise (by that name, as a function or as any object's
    method), each with the first thing it does that lets other work run (an `await` of anything
    but a sleep, `async for`, `async with`, a task it starts): None when it never does."""
    defined = {node.name: node for node in src.tree.body if isinstance(node, ast.AsyncFunctionDef)}
    started: set[ast.AsyncFunctionDef] = set()
    called_otherwise: set[str] = set()
    for call in src.nodes.calls:
        target = call.args[0] if call.args else None
        if called_name(call) == "run" and src.names.call_name(call) in _LOOP_RUNNERS and target is not None:
            coroutine = target.func if isinstance(target, ast.Call) else target
            if isinstance(coroutine, ast.Name) and coroutine.id in defined:
                started.add(defined[coroutine.id])
            elif _own_method(coroutine):
                started.update(_methods_named(src.nodes.enclosing_class(call), coroutine.attr))
        elif isinstance(call.func, (ast.Name, ast.Attribute)):
            runner = src.nodes.parents.get(call)
            if not (isinstance(runner, ast.Call) and called_name(runner) == "run"):
                called_otherwise.add(called_name(call) or "")
    return {
        function: _first_hand_over(src.names, function)
        for function in started
        if function.name not in called_otherwise
    }


def _own_method(node: ast.expr) -> typing.TypeGuard[ast.Attribute]:
    """`self.name` or `cls.name`: a method of the class the code runs in."""
    receiver = node.value if isinstance(node, ast.Attribute) else None
    return isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")


def _methods_named(owner: ast.ClassDef | None, name: str) -> list[ast.AsyncFunctionDef]:
    body = owner.body if owner is not None else []
    return [node for node in body if isinstance(node, ast.AsyncFunctionDef) and node.name == name]


def _first_hand_over(names: Names, function: ast.AsyncFunctionDef) -> ast.AST | None:
    handing = [node for node in own_nodes(*function.body) if _hands_over(names, node)]
    return min(handing, key=_position, default=None)


def _hands_over(names: Names, node: ast.AST) -> bool:
    if isinstance(node, ast.Await):
        return not (isinstance(node.value, ast.Call) and names.call_name(node.value) in _LOOP_SLEEPS)
    if isinstance(node, (ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom)):
        return True
    return isinstance(node, ast.Call) and called_name(node) in _STARTS_WORK


def _own_calls(function: ast.AsyncFunctionDef) -> list[ast.Call]:
    return [node for node in own_nodes(*function.body) if isinstance(node, ast.Call)]


# What lets a coroutine give the loop back (or makes it an async generator, driven by `async for`).
_YIELDS_TO_LOOP = (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom)


def _idle_coroutines(src: PythonFile) -> list[ast.AsyncFunctionDef]:
    """The `async def`s whose `async def` line the change adds or touches and that await nothing
    (no `await`, `async for`, `async with` of their own), are no async generators and schedule
    nothing on the loop (`_uses_loop`): they hold the event loop from start to end, so their
    blocking calls are one finding, at the def."""
    found = []
    for node in src.nodes.walked:
        if not isinstance(node, ast.AsyncFunctionDef) or src.file_line(node.lineno) not in src.changed:
            continue
        own = list(own_nodes(*node.body))
        if any(isinstance(n, _YIELDS_TO_LOOP) for n in own):
            continue
        if not any(_uses_loop(src.names, n) for n in own if isinstance(n, ast.Call)):
            found.append(node)
    return found


# Calls that need the running loop in the calling thread (scheduling work on it).
_LOOP_METHODS = frozenset(
    ["create_task", "ensure_future", "call_soon", "call_later", "call_at", "start_soon"]
)
_LOOP_PACKAGES = ("asyncio.", "anyio.", "trio.")
# What starts concurrent work without an `await`, `async for` or `async with` of its own.
_STARTS_WORK = _LOOP_METHODS | {"gather", "wait", "as_completed"}


def _uses_loop(names: Names, call: ast.Call) -> bool:
    """The call schedules work on the running loop (`asyncio.create_task`, `loop.call_soon`, a
    task group's `start_soon`): the coroutine needs the loop after all and cannot move to a thread."""
    name = names.call_name(call) or ""
    func = call.func
    return name.startswith(_LOOP_PACKAGES) or (isinstance(func, ast.Attribute) and func.attr in _LOOP_METHODS)


# A sync project call's own advice, which the finding at an idle coroutine's def replaces.
_OFFLOAD = " Run it with `asyncio.to_thread`."
# How many of an idle coroutine's blocking calls its finding names.
_LISTED_CALLS = 4


def _idle_coroutine_hit(
    src: PythonFile, function: ast.AsyncFunctionDef, blocking: list[tuple[ast.Call, str]]
) -> Hit:
    """One finding at the def of a coroutine that awaits nothing, naming its blocking calls."""
    named = [f"`{_callee_text(call)}` (line {src.file_line(call.lineno)})" for call, _ in blocking]
    more = len(named) - _LISTED_CALLS
    listed = ", ".join(named[:_LISTED_CALLS]) + (f" and {more} more" if more > 0 else "")
    detail = (
        f"`async def {function.name}` awaits nothing, so it holds the event loop from start to end "
        f"while it makes blocking calls: {listed}. At line {src.file_line(blocking[0][0].lineno)}, "
        f"{blocking[0][1].removesuffix(_OFFLOAD)} Nothing in it needs the "
        "loop: make it a plain `def` and have its callers run it with `await asyncio.to_thread(...)`, "
        "or, where it must stay async (an interface, a framework hook), offload the blocking calls."
    )
    return Hit(src.file_line(function.lineno), detail, Severity.MEDIUM)


def _made_before(src: PythonFile, call: ast.Call) -> bool:
    """The coroutine already makes the same call (the same callee) on a line the change leaves
    alone: running that work on the loop is the coroutine's design, which the new call follows
    and does not bring."""
    function = src.nodes.function(call)
    callee = ast.unparse(call.func)
    return function is not None and any(
        other is not call
        and isinstance(other, ast.Call)
        and src.changed_line(other) is None
        and ast.unparse(other.func) == callee
        for other in own_nodes(*function.body)
    )


def _callee_text(call: ast.Call) -> str:
    text = ast.unparse(call.func)
    return f"{text if len(text) <= 60 else '...' + text[-57:]}()"


@RULES.rule(
    "blocking-call-in-async",
    title="Synchronous database query, thread wait or blocking project call inside async def",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    subject="surroundings",
)
def blocking_call_in_async(src: PythonFile) -> Iterator[Hit]:
    """A synchronous Django ORM query, or a wait on `concurrent.futures` threads, made directly
    inside an `async def` — or a Django query in a sync function that an `async def` (in this file
    or another) calls directly, without `await` or a thread. Also (medium) a sync project method
    called directly in an `async def` when its class offers an async twin (`run` next to
    `run_async`, `arun`, `async_run`), or when it waits on a process, the clock, HTTP, a database or
    a sync model, or reads or writes the files it is handed one by one (`open(path)`,
    `Path(path).read_text()` of a path parameter, in a loop or called from one: a request's
    documents), itself or one project call further each time the coroutine runs; a method that
    only computes, reads or writes a fixed local file (a version from `pyproject.toml`, a template
    beside the module, a path constant) or the one file it is handed (an attachment saved, a
    sample loaded: brief beside the coroutine's awaits), is not reported, nor a
    one-time setup call outside a loop (a factory, constructor or setup function, a configuration
    read, a lazy `if self.x is None` initialisation), nor a getter of the one value it kept
    (`functools.lru_cache` on a function without arguments, or `if _session is not None: return
    _session` first: it blocks once; a cache kept per argument blocks for each new one), nor a
    call that hands back a Future the
    coroutine awaits (`await asyncio.wrap_future(bus.emit(...))`), nor a generator function's call
    (it builds the generator; the body runs as it is iterated), nor a new call the coroutine
    already makes on lines the change leaves alone (running that work on the loop is its design).
    Also (medium) a call that waits on a synchronous database or service client of the datastores
    table (SQLAlchemy `Session`/`Query`, peewee models, pymongo, sync `redis.Redis`, DB-API
    cursors, `Elasticsearch`, boto3 clients), its receiver resolved through the repository model
    — a coroutine that awaits nothing included, a model or client held in a class attribute
    (`cls.model.get(...)` in a service base whose subclass sets `model = Document`, a Django
    `self.model.objects`); async clients, thread offloads and receivers the code does not resolve
    stay silent. An `async def` that awaits nothing (no `await`, `async for` or `async with`, no
    task scheduled on the loop) holds the loop from start to end: when the change adds or touches
    its `async def` line, its store and project calls are one finding at that line, naming them (a
    Django query, a thread wait and an async twin stay at their call: the fix is there); one that
    blocks on nothing stays silent (framework handlers often are async). Not judged where the
    coroutine has the loop to itself: one that reads the terminal (`input()`, `getpass`) talks to
    one person; a web app's lifespan or startup handler (`lifespan=`, `@app.on_event("startup")`)
    runs before any request is served; a program's entry coroutine (`asyncio.run(main())`, or a class's
    `asyncio.run(self.run_async())`) runs alone until it first awaits other work (anything but a
    sleep) or starts a task, so its setup (a manifest fetched, a file listed) delays nobody.

    Why:
        All of these block the event loop until the database, the threads, the process, the disk
        or the upstream answer, so every other request on the worker stalls. Django refuses ORM queries
        from async code outright (`SynchronousOnlyOperation`), so the handler fails at run time;
        a thread-pool wait turns concurrent work back into one request at a time.
    Fix:
        Use the ORM's async methods (`await qs.acount()`, `aexists()`, `aget()`, `acreate()`) or
        wrap the query with `sync_to_async`; await threads with `asyncio.to_thread(...)` and
        `asyncio.gather(...)`, or `await asyncio.wrap_future(future)`; await the class's async
        twin, or move sync work off the loop with `await asyncio.to_thread(component.run, ...)`;
        a coroutine that awaits nothing can be a plain `def` its callers run in a thread.
    Bad:
        async def agent_info(agent: Agent) -> dict:
            return {"has_files": agent.document_set.exists()}
    Good:
        async def agent_info(agent: Agent) -> dict:
            return {"has_files": await agent.document_set.aexists()}
    """
    waited: set[ast.AST] = set()
    django: list[bool] = []  # whether the repository uses Django, once asked
    sync_queries: list[tuple[ast.Call, str]] = []
    idle = _idle_coroutines(src)
    alone = _LoopToItself(src)
    held: dict[ast.AST, list[tuple[ast.Call, str]]] = {function: [] for function in idle}
    changed = src.changed_calls()
    seen = set(changed)
    for call in [*changed, *(c for function in idle for c in _own_calls(function) if c not in seen)]:
        if not src.nodes.in_async_context(call):
            query = _orm_query(src, call)
            if query is not None:
                sync_queries.append((call, query))
            continue
        if call in alone:
            continue
        found = _loop_block(src, call, waited, django)
        if found is None:
            continue
        detail, severity, at_call = found
        if _async_alternative(src, call):
            continue
        function = src.nodes.function(call)
        if function in held and not at_call:
            held[function].append((call, detail))
            continue
        if not at_call and _made_before(src, call):
            continue
        line = src.changed_line(call)
        if line is not None:
            yield Hit(line, detail, severity)
    for function in idle:
        if held[function]:
            blocking = sorted(held[function], key=lambda found: (found[0].lineno, found[0].col_offset))
            yield _idle_coroutine_hit(src, function, blocking)
    if sync_queries and _django(src, django):
        yield from _queries_behind_sync_functions(src, sync_queries)
