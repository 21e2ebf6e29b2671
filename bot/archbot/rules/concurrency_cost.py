"""LLM work that scales badly: unbounded fan-out and per-item calls in loops."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from archbot.models import Severity
from archbot.repo.resolve import Names
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    THREAD_OFFLOAD,
    LLMCall,
    argument,
    contains_llm_call,
    in_serving_context,
    llm_call,
    scope_walk,
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


def _literal_iterable(node: ast.expr) -> bool:
    """A literal collection, or `range(<int literal>)`: its size is fixed in the code."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Constant)):
        return True
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and all(isinstance(a, ast.Constant) for a in node.args)
    ):
        return True
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Slice)
        and isinstance(node.slice.upper, ast.Constant)
    )


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
        if isinstance(node, (ast.For, ast.AsyncFor)) and not _literal_iterable(node.iter):
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


def _task_group_fan_out(src: PythonFile, call: ast.Call) -> _FanOut | None:
    """`tg.create_task(f(x))` inside a `for` over a non-literal iterable, tg an asyncio.TaskGroup."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "create_task" and call.args):
        return None
    built = src.names.constructor(call.func.value)
    if built is None or built[0] != "asyncio.TaskGroup":
        return None
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, _NESTED):
            return None
        if isinstance(ancestor, (ast.For, ast.AsyncFor)):
            return _FanOut([call.args[0]], ancestor.iter)
    return None


def _unwrap_task(names: Names, node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Call) and names.call_name(node) in _TASK_WRAPPERS and node.args:
        return node.args[0]
    return node


def _called_functions(functions: dict[str, list[_Function]], call: ast.Call) -> list[_Function]:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return functions.get(name, []) if name else []


def _limiter_acquired(src: PythonFile, function: _Function) -> bool | None:
    """True: the function acquires a shared limiter; None: it only creates one per call (which
    bounds nothing); False: no limiter."""
    per_call = False
    local_limiters = {
        t.id
        for node in scope_walk(function)
        if isinstance(node, ast.Assign) and _is_limiter_ctor(src.names, node.value)
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
            if _is_limiter_ctor(src.names, expr) or (
                isinstance(expr, ast.Name) and expr.id in local_limiters
            ):
                per_call = True
            elif _is_limiter(src.names, expr):
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


def _unbounded_llm_fan_out(src: PythonFile, fan_out: _FanOut, site: ast.AST) -> str | None:
    if _literal_iterable(fan_out.iterable):
        return None
    if isinstance(fan_out.iterable, ast.Name) and fan_out.iterable.id in _enclosing_loop_targets(src, site):
        return None  # chunked: each fan-out covers one batch
    functions = _functions(src.nodes.walked)
    for element in fan_out.elements:
        element = _unwrap_task(src.names, element)
        if not isinstance(element, ast.Call):
            return None
        if llm_call(src.names, element) is not None:
            return "LLM calls"
        involved = [element, *(a for a in element.args if isinstance(a, ast.Call))]
        defs = [f for c in involved for f in _called_functions(functions, c)]
        if not defs:
            return None
        if any(_limiter_acquired(src, f) for f in defs):
            return None
        reaches = any(contains_llm_call(src.names, f) for f in defs) or any(
            contains_llm_call(src.names, g)
            for f in defs
            for n in scope_walk(f)
            if isinstance(n, ast.Call)
            for g in _called_functions(functions, n)
            if g is not f
        )
        if reaches:
            return f"`{defs[0].name}` calls an LLM"
    return None


@RULES.rule(
    "llm-unbounded-gather",
    title="Unbounded fan-out of LLM calls",
    severity=Severity.HIGH,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
)
def llm_unbounded_gather(src: PythonFile) -> Iterator[Hit]:
    """`asyncio.gather`/`as_completed`/`TaskGroup.create_task` over a data-sized collection of
    coroutines that call an LLM, with no semaphore or limiter shared across them.

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
    for call in src.changed_calls():
        fan_out = _fan_out(src, call) or _task_group_fan_out(src, call)
        if fan_out is None:
            continue
        what = _unbounded_llm_fan_out(src, fan_out, call)
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
    if isinstance(loop, (ast.For, ast.AsyncFor)) and any(
        isinstance(n, (ast.Break, ast.Return)) for n in scope_walk(loop)
    ):
        return True
    return "tool_call" in ast.unparse(_loop_iterable(loop))


@RULES.rule(
    "llm-call-in-loop",
    title="Per-item LLM generation calls in a loop",
    severity=Severity.LOW,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
)
def llm_call_in_loop(src: PythonFile) -> Iterator[Hit]:
    """An LLM generation call made one at a time inside a loop over a data-sized collection.

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
    for call in src.changed_calls():
        site = llm_call(src.names, call)
        if site is None or site.embedding or site.method == "rerank":
            continue
        loop = _loop_of(src, call)
        if loop is None or _literal_iterable(_loop_iterable(loop)) or _excluded_loop(loop):
            continue
        if not _sequential(src, call, site) or _under_limiter(src, call):
            continue
        line = src.changed_line(call)
        if line is not None:
            yield Hit(
                line,
                f"`.{site.method}()` runs once per loop item.",
                Severity.MEDIUM if in_serving_context(src.names, src.nodes, call) else None,
            )


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
)
def embedding_call_per_item(src: PythonFile) -> Iterator[Hit]:
    """An embedding call inside a loop over documents that embeds a single item per call.

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
        if loop is None or _literal_iterable(_loop_iterable(loop)) or _batched(loop):
            continue
        if _in_except_handler(src, loop):
            continue  # a one-by-one fallback after a batched request failed
        line = src.changed_line(call)
        if line is not None and _single_item(embedded, _item_names(loop)):
            yield Hit(line, f"`.{method}()` embeds one item per call inside a loop.")


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
