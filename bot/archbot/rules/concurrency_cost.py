"""LLM work that scales badly: unbounded fan-out and per-item calls in loops."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from archbot.models import Severity
from archbot.repo import sdk
from archbot.repo.resolve import Names, is_receiver, parameter_names
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    THREAD_OFFLOAD,
    LLMCall,
    argument,
    contains_llm_call,
    in_serving_context,
    llm_call,
    scope_walk,
    stops_early,
    string_value,
)
from archbot.rules.source import PythonFile

RULES = Family()

_LIMITERS = frozenset(
    [
        "asyncio.Semaphore",
        "asyncio.BoundedSemaphore",
        "anyio.CapacityLimiter",
        "anyio.Semaphore",
        "aiolimiter.AsyncLimiter",
    ]
)
_LIMITER_WORDS = ("sem", "limit", "throttle", "concurren")
_TASK_WRAPPERS = frozenset(["asyncio.create_task", "asyncio.ensure_future"])
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_Function = ast.FunctionDef | ast.AsyncFunctionDef
_Loop = ast.For | ast.AsyncFor | ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _functions(nodes: Iterable[ast.AST]) -> dict[str, list[_Function]]:
    found: dict[str, list[_Function]] = {}
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(node.name, []).append(node)
    return found


def _literal_iterable(names: Names, node: ast.expr, follow: bool = True) -> bool:
    """A literal collection, `range(<int literal>)`, a literal slice, or a module constant, a
    class constant or attribute assigned once (`self.EXAMPLES`) or a local name (assigned once)
    holding a non-empty literal collection, also through `enumerate`, `.items()`, `.keys()`,
    `.values()`: its size is fixed in the code. So is a local name given (once) the result of a
    project function whose every return is one (`return parts[:3]`, `return [question]`; `follow`:
    one call deep)."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Constant)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        return all(isinstance(a, ast.Constant) for a in node.args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "enumerate":
        return bool(node.args) and _literal_iterable(names, node.args[0])
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("items", "keys", "values")
        and not node.args
    ):
        node = node.func.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        held = names.value_of(node)
        local = _local_value(names, node) if isinstance(node, ast.Name) else None
        value = held[1] if held is not None else local
        if follow and _bounded_by_callee(names, value):
            return True
        # Not an empty one: that is a container the program fills.
        if isinstance(value, ast.Dict):
            return bool(value.keys)
        return isinstance(value, (ast.List, ast.Tuple, ast.Set)) and bool(value.elts)
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Slice)
        and isinstance(node.slice.upper, ast.Constant)
    )


def _bounded_by_callee(names: Names, value: ast.expr | None) -> bool:
    """`value` calls (or awaits) a project function whose every return is a collection of a size
    the code fixes."""
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call) or names.repo is None:
        return False
    target = names.target(value)
    if target is None:
        return False
    owner = names if target.module is names.module else Names.of(names.repo, target.module)
    return bool(target.returns) and all(
        _literal_iterable(owner, found, follow=False) for found in target.returns
    )


def _local_value(names: Names, name: ast.Name) -> ast.expr | None:
    """The value a local name is given by its function's only assignment to it."""
    function = names.tree.function(name) if names.tree.owns(name) else None
    if function is None:
        return None
    values = [
        node.value
        for node in scope_walk(*function.body)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and target.id == name.id
    ]
    return values[0] if len(values) == 1 else None


def _target_names(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _enclosing_loop_targets(src: PythonFile, node: ast.AST) -> set[str]:
    """Names bound by `for` loops around `node` in its function: a chunk/batch being iterated."""
    found: set[str] = set()
    for ancestor in src.nodes.ancestors(node):
        if isinstance(ancestor, _NESTED):
            break
        if isinstance(ancestor, (ast.For, ast.AsyncFor)):
            found |= _target_names(ancestor.target)
    return found


class _FanOut:
    """One fan-out site: the task expressions it starts and the iterable they come from."""

    def __init__(self, elements: list[ast.expr], iterable: ast.expr) -> None:
        self.elements = elements
        self.iterable = iterable


def _fan_out_from_name(src: PythonFile, name: str, site: ast.AST) -> _FanOut | None:
    """`tasks = [f(x) for x in xs]` or `tasks.append(f(x))` in a `for` of the same function."""
    function = src.nodes.function(site)
    scope: ast.AST = function if function is not None else src.tree
    for node in scope_walk(scope):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, _COMPREHENSIONS)
            and not isinstance(node.value, ast.DictComp)
        ):
            return _FanOut([node.value.elt], node.value.generators[0].iter)
        if isinstance(node, (ast.For, ast.AsyncFor)) and not _literal_iterable(src.names, node.iter):
            for inner in scope_walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr == "append"
                    and isinstance(inner.func.value, ast.Name)
                    and inner.func.value.id == name
                    and inner.args
                ):
                    return _FanOut([inner.args[0]], node.iter)
    return None


def _fan_out(src: PythonFile, call: ast.Call) -> _FanOut | None:
    name = src.names.call_name(call)
    if name == "asyncio.gather":
        if len(call.args) != 1 or not isinstance(call.args[0], ast.Starred):
            return None
        source = call.args[0].value
    elif name == "asyncio.as_completed":
        if not call.args:
            return None
        source = call.args[0]
    else:
        return None
    if isinstance(source, _COMPREHENSIONS) and not isinstance(source, ast.DictComp):
        return _FanOut([source.elt], source.generators[0].iter)
    if isinstance(source, ast.Name):
        return _fan_out_from_name(src, source.id, call)
    return None


# Task groups and event loops whose `create_task` starts a task at once; trio nurseries and anyio
# task groups start one with `start_soon(fn, *args)`.
_TASK_STARTERS = frozenset(
    [
        "asyncio.TaskGroup",
        "asyncio.get_event_loop",
        "asyncio.get_running_loop",
        "asyncio.new_event_loop",
        "trio.open_nursery",
        "trio.Nursery",
        "anyio.create_task_group",
        "anyio.abc.TaskGroup",
    ]
)


def _started_task(src: PythonFile, call: ast.Call) -> ast.expr | None:
    """The coroutine a call starts as a task: `asyncio.create_task(f(x))`, `tg.create_task(f(x))`
    on a task group or event loop, or `nursery.start_soon(f, x)` (read as the call `f(x)`; the
    body of `nursery.start_soon(lambda: f(x))`)."""
    func = call.func
    if not call.args or isinstance(call.args[0], ast.Starred):
        return None
    if src.names.call_name(call) in _TASK_WRAPPERS:
        return call.args[0]
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "start_soon":  # trio and anyio only
        started = call.args[0]
        if isinstance(started, ast.Lambda) and isinstance(started.body, ast.Call) and len(call.args) == 1:
            return started.body
        return ast.Call(func=started, args=call.args[1:], keywords=[])
    built = src.names.constructor(func.value)
    if func.attr == "create_task" and built is not None and built[0] in _TASK_STARTERS:
        return call.args[0]
    return None


def _spawned_in_loop(src: PythonFile, call: ast.Call) -> _FanOut | None:
    """A task started for each item of a loop or comprehension (see `_started_task`)."""
    element = _started_task(src, call)
    loop = _loop_of(src, call) if element is not None else None
    if element is None or loop is None or _limiter_acquired(src.names, loop):
        return None  # a limiter acquired for each task started bounds them
    return _FanOut([element], _loop_iterable(loop))


def _unwrap_task(names: Names, node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Call) and names.call_name(node) in _TASK_WRAPPERS and node.args:
        return node.args[0]
    return node


def _called_functions(functions: dict[str, list[_Function]], call: ast.Call) -> list[_Function]:
    """The functions of this file `call` runs by their name: a plain call (`summarize(doc)`, a
    nested function) or a method called on `self`/`cls`. Another object's method
    (`self.engine.generate(...)`) is its class's, which only the repository model can tell: a
    function of this file that shares the name is no evidence."""
    func = call.func
    if isinstance(func, ast.Name):
        return functions.get(func.id, [])
    if isinstance(func, ast.Attribute) and is_receiver(func.value):
        return functions.get(func.attr, [])
    return []


class _Callee:
    """A project function a call runs, with the resolver of the module that defines it."""

    def __init__(self, names: Names, node: _Function) -> None:
        self.names = names
        self.node = node


def _callees(
    src: PythonFile, names: Names, call: ast.Call, functions: dict[str, list[_Function]]
) -> list[_Callee]:
    """The functions `call` may run: those of this file with its name (nested ones included), else
    the project function the repository model resolves it to, in any module (one hop)."""
    if names is src.names:
        local = _called_functions(functions, call)
        if local:
            return [_Callee(names, f) for f in local]
    target = names.target(call)
    if target is None or names.repo is None:
        return []
    owner = names if target.module is names.module else Names.of(names.repo, target.module)
    return [_Callee(owner, target.node)]


def _reaches_llm(src: PythonFile, callee: _Callee, functions: dict[str, list[_Function]]) -> bool:
    """The function makes an LLM call, itself or through a function it calls (one more hop)."""
    if contains_llm_call(callee.names, callee.node):
        return True
    return any(
        inner.node is not callee.node and contains_llm_call(inner.names, inner.node)
        for n in scope_walk(callee.node)
        if isinstance(n, ast.Call)
        for inner in _callees(src, callee.names, n, functions)
    )


def _limiter_acquired(names: Names, function: ast.AST) -> bool | None:
    """True: the function (or loop) acquires a shared limiter; None: it only creates one per call
    (which bounds nothing); False: no limiter."""
    per_call = False
    local_limiters = {
        t.id
        for node in scope_walk(function)
        if isinstance(node, ast.Assign) and _is_limiter_ctor(names, node.value)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for node in scope_walk(function):
        held: list[ast.expr] = []
        if isinstance(node, (ast.AsyncWith, ast.With)):
            held = [item.context_expr for item in node.items]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("acquire", "acquire_on_behalf_of")
        ):
            held = [node.func.value]
        for expr in held:
            if _is_limiter_ctor(names, expr) or (isinstance(expr, ast.Name) and expr.id in local_limiters):
                per_call = True
            elif _is_limiter(names, expr):
                return True
    return None if per_call else False


def _is_limiter_ctor(names: Names, node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and names.call_name(node) in _LIMITERS


def _is_limiter(names: Names, node: ast.expr) -> bool:
    built = names.constructor(node)
    if built is not None:
        return built[0] in _LIMITERS
    if isinstance(node, ast.Call):
        return False
    text = ast.unparse(node).lower()
    return any(word in text for word in _LIMITER_WORDS)


def _unbounded_llm_fan_out(
    src: PythonFile, fan_out: _FanOut, site: ast.AST, functions: dict[str, list[_Function]]
) -> str | None:
    if _literal_iterable(src.names, fan_out.iterable):
        return None
    if isinstance(fan_out.iterable, ast.Name) and fan_out.iterable.id in _enclosing_loop_targets(src, site):
        return None  # chunked: each fan-out covers one batch
    for element in fan_out.elements:
        element = _unwrap_task(src.names, element)
        if not isinstance(element, ast.Call):
            return None
        if llm_call(src.names, element) is not None:
            return "LLM calls"
        involved = [element, *(a for a in element.args if isinstance(a, ast.Call))]
        callees = [c for call in involved for c in _callees(src, src.names, call, functions)]
        if not callees:
            return None
        if any(_limiter_acquired(c.names, c.node) for c in callees):
            return None
        if any(_reaches_llm(src, c, functions) for c in callees):
            return f"`{callees[0].node.name}` calls an LLM"
    return None


@RULES.rule(
    "llm-unbounded-gather",
    title="Unbounded fan-out of LLM calls",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    subject="call",
)
def llm_unbounded_gather(src: PythonFile) -> Iterator[Hit]:
    """`asyncio.gather`/`as_completed` over a data-sized collection of coroutines that call an
    LLM, or a task started per item of such a collection (`asyncio.create_task`,
    `TaskGroup.create_task`, trio `nursery.start_soon`, anyio `tg.start_soon`, also given a lambda
    that makes the call), with no semaphore or limiter shared across them. The coroutine's
    function is resolved through the repository model (a project function in another module, one
    hop, and the functions it calls).

    Calibration guard: silent for a literal collection or literal slice, a fan-out inside a loop
    over chunks, fixed-arity `gather(a(), b())`, a coroutine that acquires a shared semaphore or
    limiter (one created per call does not count), a limiter acquired in the loop that starts the
    tasks, thread offloads (bounded by the thread pool), and a function the model cannot resolve.

    Why:
        Concurrency grows with the input: 5,000 documents become 5,000 simultaneous requests,
        which trip rate limits (429 storms), exhaust connections and memory, and multiply cost
        in seconds. A semaphore created inside each coroutine bounds nothing: every call gets its
        own.
    Fix:
        Create one `asyncio.Semaphore(n)` (or `aiolimiter.AsyncLimiter`) outside the fan-out and
        acquire it in the coroutine, or process the input in fixed-size chunks.
    Bad:
        await asyncio.gather(*(summarize(doc) for doc in docs))
    Good:
        limit = asyncio.Semaphore(8)
        async def bounded(doc):
            async with limit:
                return await summarize(doc)
        await asyncio.gather(*(bounded(doc) for doc in docs))
    """
    functions = _functions(src.nodes.walked)
    fan_outs = {id(call): _fan_out(src, call) for call in src.nodes.calls}
    gathered = {id(e) for f in fan_outs.values() if f is not None for e in f.elements}
    for call in src.changed_calls():
        fan_out = fan_outs[id(call)]
        if fan_out is None and id(call) not in gathered:  # a task the gather reports is not reported twice
            fan_out = _spawned_in_loop(src, call)
        if fan_out is None:
            continue
        what = _unbounded_llm_fan_out(src, fan_out, call, functions)
        line = src.changed_line(call)
        if what is not None and line is not None:
            yield Hit(line, f"fan-out over a data-sized collection; {what} with no shared limit.")


def _loop_of(src: PythonFile, call: ast.Call) -> _Loop | None:
    """The nearest loop whose body (not its iterable) holds `call`, within the same function."""
    child: ast.AST = call
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, _NESTED):
            return None
        if isinstance(ancestor, (ast.For, ast.AsyncFor)) and child is not ancestor.iter:
            return ancestor
        if isinstance(ancestor, _COMPREHENSIONS) and child not in ancestor.generators:
            return ancestor
        child = ancestor
    return None


def _loop_iterable(loop: _Loop) -> ast.expr:
    return loop.iter if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.generators[0].iter


def _loop_target(loop: _Loop) -> set[str]:
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        return _target_names(loop.target)
    return {name for g in loop.generators for name in _target_names(g.target)}


def _sequential(src: PythonFile, call: ast.Call, site: LLMCall) -> bool:
    """The loop waits for each call: awaited, or synchronous. Creating coroutines is a fan-out."""
    return isinstance(src.nodes.parents.get(call), ast.Await) or not site.is_async


def _under_limiter(src: PythonFile, call: ast.Call) -> bool:
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, _NESTED):
            return False
        if isinstance(ancestor, ast.AsyncWith) and any(
            _is_limiter(src.names, item.context_expr) for item in ancestor.items
        ):
            return True
    return False


def _excluded_loop(loop: _Loop) -> bool:
    """Retry loops (they stop after success) and agent tool-call loops."""
    if isinstance(loop, (ast.For, ast.AsyncFor)) and stops_early(loop):
        return True
    return "tool_call" in ast.unparse(_loop_iterable(loop))


@RULES.rule(
    "llm-call-in-loop",
    title="Per-item LLM generation calls in a loop",
    severity=Severity.LOW,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    subject="surroundings",
)
def llm_call_in_loop(src: PythonFile) -> Iterator[Hit]:
    """An LLM generation call made one at a time inside a loop over a data-sized collection:
    the call itself, a thread offload of it awaited in turn (`asyncio.to_thread`, anyio/trio
    `to_thread.run_sync`, `run_in_executor`), or a project function given the loop's item that
    makes one (resolved through the repository model, in any module, one hop).

    Calibration guard: silent for a literal collection, a loop over chunks (`range` with a step,
    `itertools.batched`: each call covers several items), a loop that stops after success (a retry
    or a search), an agent tool-call loop, coroutines created for a fan-out, a call under a
    limiter, embeddings (embedding-call-per-item's concern), a batch call given a sequence of
    prompts built for it (vLLM's `llm.generate([...])`: the SDK table's batch calls), a call
    (or a project function) also given state the loop carries, bound before the loop and changed
    in it (an agent's messages appended to, a running summary rewritten: each call needs the
    previous answer), a call given nothing to generate from (no positional argument, splat or
    input keyword, `sdk.GENERATION_INPUTS`: Ollama's `generate(model=m, keep_alive=0)` unloads a
    model), a project function not given the item, one whose model call is a batch call, one named
    for embedding (`embed_query` over a generic `invoke_model`: embeddings), and a function the
    model cannot resolve.

    Why:
        Latency grows N-fold with the input and each request pays the round trip and rate-limit
        budget separately; in a request handler this turns one user request into N sequential
        model calls. Batch APIs and bounded concurrency exist for exactly this.
    Fix:
        Send the items together (`llm.batch(...)`/`abatch` with `max_concurrency`, provider batch
        APIs, one prompt covering several items) or run them with bounded concurrency
        (`asyncio.Semaphore` + `gather`).
    Bad:
        for review in reviews:
            labels.append(llm.invoke(f"Classify: {review}").content)
    Good:
        labels = [m.content for m in llm.batch([f"Classify: {r}" for r in reviews],
                                               config={"max_concurrency": 8})]
    """
    functions = _functions(src.nodes.walked)
    for call in src.changed_calls():
        line = src.changed_line(call)
        loop = _loop_of(src, call) if line is not None else None
        if line is None or loop is None or _excluded_loop(loop):
            continue
        if _literal_iterable(src.names, _loop_iterable(loop)) or _chunked(src.names, _loop_iterable(loop)):
            continue
        if _under_limiter(src, call):
            continue
        detail = _per_item_llm_call(src, call, loop, functions)
        if detail is not None:
            serving = in_serving_context(src.names, src.nodes, call)
            yield Hit(line, detail, Severity.MEDIUM if serving else None)


def _per_item_llm_call(
    src: PythonFile, call: ast.Call, loop: _Loop, functions: dict[str, list[_Function]]
) -> str | None:
    """What runs an LLM generation call once per item at `call`, waiting for each: the call
    itself, a thread offload of one, or a project function that makes one (one hop)."""
    site = llm_call(src.names, call)
    if site is not None:
        if (
            _generation(site)
            and _given_input(call)
            and _sequential(src, call, site)
            and not _batch_given(src.names, call, site)
            and not _carried(src, call, loop)
        ):
            return f"`.{site.method}()` runs once per loop item."
        return None
    awaited = isinstance(src.nodes.parents.get(call), ast.Await)
    offloaded = _offloaded(src.names, call)
    if offloaded is not None:
        site = llm_call(src.names, offloaded)
        if site is not None and _generation(site) and awaited:
            return f"`.{site.method}()` runs in a thread once per loop item, each awaited in turn."
        return None
    if not _passes_item(call, loop) or _carried(src, call, loop):
        return None
    own = src.nodes.function(call)
    for callee in _callees(src, src.names, call, functions):
        if callee.node is own or (isinstance(callee.node, ast.AsyncFunctionDef) and not awaited):
            continue
        # A function named for embedding (`embed_query` over a generic `invoke_model`) embeds:
        # embedding-call-per-item's concern, not a generation per item.
        if _EMBEDDING_NAME.search(callee.node.name):
            continue
        body = list(scope_walk(*callee.node.body))
        # An async client's call the function does not await is a coroutine it hands back (to a
        # `gather` that fans them out), not a call made per item.
        waited = {id(node.value) for node in body if isinstance(node, ast.Await)}
        for node in body:
            inner = llm_call(callee.names, node) if isinstance(node, ast.Call) else None
            if inner is None or (inner.is_async and id(node) not in waited):
                continue
            if _generation(inner) and inner.method not in ("batch", "abatch"):
                return f"`{callee.node.name}()` calls an LLM (`.{inner.method}()`) once per loop item."
    return None


_EMBEDDING_NAME = re.compile(r"(?i)embed")


def _batch_given(names: Names, call: ast.Call, site: LLMCall) -> bool:
    """A batch call (the SDK table's `batch_calls`) given a sequence of prompts built for it: a
    list or a comprehension, a slice, or a local name holding one. Each call runs many items."""
    facts = site.facts
    where = facts.batch_calls.get(site.method) if facts is not None else None
    prompts = argument(call, *where) if where is not None else None
    if isinstance(prompts, ast.Name):
        prompts = _local_value(names, prompts)
    return isinstance(prompts, (ast.List, ast.Tuple, ast.ListComp, ast.GeneratorExp)) or (
        isinstance(prompts, ast.Subscript) and isinstance(prompts.slice, ast.Slice)
    )


# How many names and wrappers a chunked loop's iterable is read through.
_UNWRAPS = 4


def _chunked(names: Names, iterable: ast.expr) -> bool:
    """A loop over chunks, not items: `range(start, stop, step)` with a step other than 1 (each
    index starts a slice), or `itertools.batched(items, n)`; also wrapped in `list(...)`, `tqdm(...)`
    or `enumerate(...)`, or held in a local name (`starts = list(range(0, n, size))`)."""
    for _ in range(_UNWRAPS):
        if isinstance(iterable, ast.Name) and (held := _local_value(names, iterable)) is not None:
            iterable = held
        elif (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Name)
            and iterable.func.id in ("list", "tuple", "tqdm", "enumerate")
            and iterable.args
        ):
            iterable = iterable.args[0]
        else:
            break
    if not isinstance(iterable, ast.Call) or not isinstance(iterable.func, (ast.Name, ast.Attribute)):
        return False
    name = iterable.func.id if isinstance(iterable.func, ast.Name) else iterable.func.attr
    if name == "range" and len(iterable.args) == 3:
        step = iterable.args[2]
        return not (isinstance(step, ast.Constant) and step.value in (1, -1))
    return name == "batched"


def _generation(site: LLMCall) -> bool:
    return not site.embedding and site.method != "rerank"


def _given_input(call: ast.Call) -> bool:
    """The call hands the model something to generate from: a positional argument, a `**` splat
    or one of the SDKs' input keywords (sdk.GENERATION_INPUTS); a call given none loads or unloads
    a model."""
    return bool(call.args) or any(k.arg is None or k.arg in sdk.GENERATION_INPUTS for k in call.keywords)


def _offloaded(names: Names, call: ast.Call) -> ast.Call | None:
    """The call a thread offload runs, read as a call: `asyncio.to_thread(f, x)`, anyio/trio
    `to_thread.run_sync(f, x)`, `loop.run_in_executor(None, f, x)` -> `f(x)`; a lambda's call."""
    if names.call_name(call) in THREAD_OFFLOAD:
        position = 0
    elif isinstance(call.func, ast.Attribute) and call.func.attr == "run_in_executor":
        position = 1
    else:
        return None
    function = call.args[position] if len(call.args) > position else None
    if isinstance(function, ast.Lambda):
        return function.body if isinstance(function.body, ast.Call) else None
    if isinstance(function, (ast.Name, ast.Attribute)):
        return ast.Call(func=function, args=call.args[position + 1 :], keywords=[])
    return None


def _passed_names(call: ast.Call) -> set[str]:
    values = [*call.args, *(k.value for k in call.keywords)]
    return {n.id for value in values for n in ast.walk(value) if isinstance(n, ast.Name)}


def _passes_item(call: ast.Call, loop: _Loop) -> bool:
    """The call is given the loop's item (or a value the loop body derives from it)."""
    return bool(_passed_names(call) & _item_names(loop))


def _carried(src: PythonFile, call: ast.Call, loop: _Loop) -> bool:
    """The call is also given state the loop carries from one item to the next (a conversation
    history appended to, a running summary reassigned, an agent's messages): each call needs the
    previous one's result. Carried state is bound before the loop (a parameter, an assignment)
    and changed in it; a name the body sets afresh for each item (its prompt) is not."""
    if not isinstance(loop, (ast.For, ast.AsyncFor)):
        return False
    changed: set[str] = set()
    for node in scope_walk(*loop.body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            changed.add(node.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _IN_PLACE_GROWERS
            and isinstance(node.func.value, ast.Name)
        ):
            changed.add(node.func.value.id)
    passed = (_passed_names(call) - _item_names(loop)) & changed
    return bool(passed & _bound_outside(src, loop))


# Methods that grow a list or a dict in place (a history appended to).
_IN_PLACE_GROWERS = frozenset(["append", "extend", "insert", "update"])


def _bound_outside(src: PythonFile, loop: _Loop) -> set[str]:
    """Names the loop's function (or module) binds outside the loop: its parameters and what its
    other statements assign."""
    function = src.nodes.function(loop)
    bound = parameter_names(function) if function is not None else set()
    inside = {id(node) for node in ast.walk(loop)}
    for node in scope_walk(*(function.body if function is not None else src.tree.body)):
        if id(node) not in inside and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return bound


def _single_item(node: ast.expr | None, targets: set[str]) -> bool:
    """An expression for one loop item: the loop variable, an attribute, item or method result of
    it, a string or f-string, or a one-element list of those."""
    if node is None:
        return False
    if isinstance(node, ast.List):
        return len(node.elts) == 1 and _single_item(node.elts[0], targets)
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        return False
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Attribute) and _single_item(node.func.value, targets)
    if isinstance(node, (ast.Attribute, ast.Subscript)):
        field = node.attr if isinstance(node, ast.Attribute) else string_value(node.slice) or ""
        if field.endswith("s") and not field.endswith("ss"):
            return False  # `section.paragraphs`: a plural field is already a list
        return _single_item(node.value, targets)
    return isinstance(node, ast.Name) and node.id in targets


def _embedded_input(call: ast.Call, site: LLMCall) -> ast.expr | None:
    method = site.method.rsplit(".", 1)[-1]
    if method == "create" or site.provider == "litellm":
        return argument(call, 1 if site.provider == "litellm" else 0, "input")
    if method == "embed":
        return argument(call, 0, "texts", "inputs")
    if method == "embed_content":
        return argument(call, 1, "contents")
    if method in ("embed_documents", "aembed_documents"):
        return argument(call, 0, "texts")
    if method in ("embed_query", "aembed_query", "feature_extraction"):
        return argument(call, 0, "text")
    return argument(call, 0, "sentences")


def _batched(loop: _Loop) -> bool:
    """The loop walks batches or chunks: each item is already a list."""
    text = " ".join([ast.unparse(_loop_iterable(loop)), *_loop_target(loop)]).lower()
    return "batch" in text


@RULES.rule(
    "embedding-call-per-item",
    title="Embedding computed one item at a time",
    severity=Severity.MEDIUM,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    subject="surroundings",
)
def embedding_call_per_item(src: PythonFile) -> Iterator[Hit]:
    """An embedding call inside a loop over documents that embeds a single item per call. A
    query-embedding method (`embed_query`, `get_query_embedding` and their async forms) in a loop
    over queries, by the names of its variables or of what it iterates (`for question in
    questions`), is not reported: no batch form embeds queries as queries.

    Why:
        Embedding APIs and local encoders take batches: one request for 1,000 texts costs about
        one round trip, while 1,000 single-text calls cost 1,000 round trips and rate-limit
        hits. It is the most common cause of slow RAG ingestion.
    Fix:
        Embed the whole list or fixed-size batches: `embeddings.create(input=texts)`,
        `embed_documents(texts)`, `model.encode(texts, batch_size=64)`.
    Bad:
        for chunk in chunks:
            vectors.append(embedder.embed_query(chunk.text))
    Good:
        vectors = embedder.embed_documents([chunk.text for chunk in chunks])
    """
    for call in src.changed_calls():
        site = llm_call(src.names, call)
        if site is not None and site.embedding:
            method, embedded = site.method, _embedded_input(call, site)
        else:
            wrapped = _embedder_call(src.names, call)
            if wrapped is None:
                continue
            method, embedded = wrapped
        loop = _loop_of(src, call)
        if loop is None or _literal_iterable(src.names, _loop_iterable(loop)) or _batched(loop):
            continue
        if _in_except_handler(src, loop):
            continue  # a one-by-one fallback after a batched request failed
        if method in sdk.QUERY_EMBEDDING_METHODS and _over_queries(loop):
            continue  # the query API has no batch form
        line = src.changed_line(call)
        if line is not None and _single_item(embedded, _item_names(loop)):
            yield Hit(line, f"`.{method}()` embeds one item per call inside a loop.")


_QUERY_WORDS = frozenset(["query", "queries", "question", "questions"])


def _over_queries(loop: _Loop) -> bool:
    """The loop's items are search queries, by the names of its variables or of what it iterates
    (`for question in dict.fromkeys(questions)`, `[embed_query(q) for q in sub_queries]`)."""
    named = _loop_target(loop) | {
        node.id if isinstance(node, ast.Name) else node.attr
        for node in ast.walk(_loop_iterable(loop))
        if isinstance(node, (ast.Name, ast.Attribute))
    }
    return any(_QUERY_WORDS.intersection(name.lower().split("_")) for name in named)


# Single-text methods of project embedding wrappers (`self.embedder.embed(text)`); the batch
# forms (`embed_batch`, `embed_documents`) take a list and pass the single-item test only as `[x]`.
_EMBEDDER_METHODS = frozenset(
    [
        "embed",
        "embed_query",
        "embed_text",
        "get_embedding",
        "get_query_embedding",
        "get_text_embedding",
        "aembed",
        "aembed_query",
        "aget_embedding",
        "aget_query_embedding",
        "aget_text_embedding",
    ]
)


def _embedder_method(node: ast.expr) -> str | None:
    """`self.embedding_model.embed` -> 'embed': a single-text embedding method on a receiver whose
    name says it is an embedder (and not a tokenizer)."""
    if not isinstance(node, ast.Attribute) or node.attr not in _EMBEDDER_METHODS:
        return None
    receiver = node.value
    name = (receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")).lower()
    return node.attr if "embed" in name and "token" not in name else None


def _embedder_call(names: Names, call: ast.Call) -> tuple[str, ast.expr | None] | None:
    """A call to an embedding wrapper, directly or handed to a thread (`asyncio.to_thread(f, x)`,
    `loop.run_in_executor(None, f, x)`): the method and the text it embeds."""
    method = _embedder_method(call.func)
    if method is not None:
        return method, argument(call, 0, "text", "texts", "input", "query")
    offload = names.call_name(call) in THREAD_OFFLOAD
    executor = isinstance(call.func, ast.Attribute) and call.func.attr == "run_in_executor"
    position = 0 if offload else 1 if executor else -1
    if position < 0 or len(call.args) < position + 2:
        return None
    method = _embedder_method(call.args[position])
    return None if method is None else (method, call.args[position + 1])


def _in_except_handler(src: PythonFile, node: ast.AST) -> bool:
    for ancestor in src.nodes.ancestors(node):
        if isinstance(ancestor, _NESTED):
            return False
        if isinstance(ancestor, ast.ExceptHandler):
            return True
    return False


def _item_names(loop: _Loop) -> set[str]:
    """The loop's variables, and names the loop body assigns from one of its items."""
    items = _loop_target(loop)
    body = loop.body if isinstance(loop, (ast.For, ast.AsyncFor)) else []
    for node in scope_walk(*body):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and not isinstance(node.value, (ast.JoinedStr, ast.Constant))
            and _single_item(node.value, items)
        ):
            items.add(node.targets[0].id)
    return items
