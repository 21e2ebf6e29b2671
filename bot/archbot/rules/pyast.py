"""Shared matchers for Python rules (RULES.md §4.1): qualified names through imports and one-hop
bindings, LLM clients and call sites, async and serving context, retry wrappers."""

from __future__ import annotations

import ast
import dataclasses
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence

LLM_CLIENTS: dict[str, str] = {
    "openai.OpenAI": "openai",
    "openai.AsyncOpenAI": "openai",
    "openai.AzureOpenAI": "openai",
    "openai.AsyncAzureOpenAI": "openai",
    "anthropic.Anthropic": "anthropic",
    "anthropic.AsyncAnthropic": "anthropic",
    "anthropic.AnthropicBedrock": "anthropic",
    "anthropic.AsyncAnthropicBedrock": "anthropic",
    "anthropic.AnthropicVertex": "anthropic",
    "anthropic.AsyncAnthropicVertex": "anthropic",
    "cohere.Client": "cohere",
    "cohere.ClientV2": "cohere",
    "cohere.AsyncClient": "cohere",
    "cohere.AsyncClientV2": "cohere",
    "huggingface_hub.InferenceClient": "huggingface",
    "huggingface_hub.AsyncInferenceClient": "huggingface",
    "google.genai.Client": "google-genai",
    "litellm.Router": "litellm",
}
LANGCHAIN_CHAT_MODELS = frozenset(
    [
        "ChatOpenAI",
        "AzureChatOpenAI",
        "ChatAnthropic",
        "ChatGoogleGenerativeAI",
        "ChatVertexAI",
        "ChatBedrock",
        "ChatBedrockConverse",
        "ChatOllama",
        "ChatGroq",
        "ChatMistralAI",
        "ChatFireworks",
    ]
)
SYNC_CLIENTS = frozenset(
    [
        "openai.OpenAI",
        "openai.AzureOpenAI",
        "anthropic.Anthropic",
        "anthropic.AnthropicBedrock",
        "anthropic.AnthropicVertex",
        "cohere.Client",
        "cohere.ClientV2",
        "huggingface_hub.InferenceClient",
    ]
)
THREAD_OFFLOAD = frozenset(
    [
        "asyncio.to_thread",
        "anyio.to_thread.run_sync",
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
SERVING_MODULES = ("fastapi", "starlette", "flask", "django", "aiohttp.web", "grpc", "celery")
_ROUTE_METHODS = frozenset(
    ["get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "websocket"]
)


class Names:
    """Resolves expressions to qualified names: imports, then one-hop assignments (`x = Ctor()`,
    `self.x = Ctor()`) and parameter annotations."""

    def __init__(self, nodes: Sequence[ast.AST]) -> None:
        """`nodes`: every node of the module, in `ast.walk` order (`Tree.walked`)."""
        self.imports: dict[str, str] = {}
        self.bindings: dict[str, ast.expr] = {}
        self.annotations: dict[str, ast.expr] = {}
        self._class_spans = [
            (node.lineno, node.end_lineno or node.lineno) for node in nodes if isinstance(node, ast.ClassDef)
        ]
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.imports[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    key = self.key(target)
                    if key:
                        self.bindings[key] = node.value
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                key = self.key(node.optional_vars)
                if key:
                    self.bindings[key] = node.context_expr
            elif isinstance(node, ast.arg) and node.annotation is not None:
                self.annotations[node.arg] = node.annotation

    def qualname(self, node: ast.AST | None) -> str | None:
        """`np.load` -> 'numpy.load' when numpy is imported as np; None if not from an import."""
        if isinstance(node, ast.Name):
            return self.imports.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def call_name(self, call: ast.Call) -> str | None:
        return self.qualname(call.func)

    def key(self, node: ast.AST) -> str | None:
        """The binding key of a name or `self.x`; `self.x` is qualified by its innermost class,
        so two classes that both bind `self.client` keep their own bindings."""
        key = binding_key(node)
        if key is None or not key.startswith("self."):
            return key
        line = getattr(node, "lineno", 0)
        spans = [span for span in self._class_spans if span[0] <= line <= span[1]]
        return f"{key}@{max(spans)[0]}" if spans else key

    def constructor(self, node: ast.AST | None, depth: int = 0) -> tuple[str, ast.Call | None] | None:
        """What object an expression is: the qualified name of the class it was built from (or
        annotated with) and the constructor call, following `.with_options(...)` and one hop."""
        if node is None or depth > 3:
            return None
        if isinstance(node, ast.Await):
            return self.constructor(node.value, depth + 1)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("with_options", "copy", "bind"):
                return self.constructor(func.value, depth + 1)
            name = self.qualname(func)
            if name is not None:
                return name, node
            return None
        key = self.key(node)
        if key is None:
            return None
        if key in self.bindings:
            return self.constructor(self.bindings[key], depth + 1)
        annotation = self.annotations.get(key)
        if annotation is not None:
            name = self.qualname(annotation)
            return (name, None) if name else None
        return None


def binding_key(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    return None


def llm_client_kind(qualname: str | None) -> str | None:
    """'openai', 'anthropic', ..., 'langchain' for a client or chat-model class; None otherwise."""
    if qualname is None:
        return None
    if qualname in LLM_CLIENTS:
        return LLM_CLIENTS[qualname]
    module, _, name = qualname.rpartition(".")
    if name in LANGCHAIN_CHAT_MODELS and module.startswith("langchain"):
        return "langchain"
    if qualname.endswith("init_chat_model") and module.startswith("langchain"):
        return "langchain"
    return None


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


def literal_text(node: ast.AST | None) -> str:
    """The literal parts of a string or f-string ('' for anything else)."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
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


class Tree:
    """Parent links and enclosing scopes for one module, computed once."""

    def __init__(self, module: ast.Module) -> None:
        self.module = module
        # Every node in `ast.walk` order, from the one traversal that links parents: rules iterate
        # this list instead of walking the tree again each.
        self.walked: list[ast.AST] = [module]
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in self.walked:
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
                self.walked.append(child)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    def function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def in_async_context(self, node: ast.AST) -> bool:
        """True when `node` runs on the event loop: inside an `async def` and not inside a nested
        def/lambda/class (those are what thread-offload helpers receive)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, ast.AsyncFunctionDef):
                return True
            if isinstance(ancestor, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
                return False
        return False

    @functools.cached_property
    def calls(self) -> list[ast.Call]:
        return [node for node in self.walked if isinstance(node, ast.Call)]

    @functools.cached_property
    def scopes(self) -> dict[ast.AST, list[ast.AST]]:
        """Each scope's own nodes (see `scoped_nodes`), computed once for all rules."""
        return scoped_nodes(self.module)


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
    return imports_any(names, *SERVING_MODULES)


def has_retry_wrapper(names: Names, tree: Tree, node: ast.AST) -> bool:
    """A retry decorator on an enclosing function, or a `for ... in range(N)` loop with a `try`
    around the node, or a tenacity `Retrying` loop."""
    inside_try = False
    child = node
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, ast.Try) and child in ancestor.body:
            inside_try = True
        child = ancestor
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in ancestor.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if names.qualname(target) in RETRY_DECORATORS:
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
    return False


_CALL_SITES: dict[str, frozenset[str]] = {
    "openai": frozenset(
        [
            "chat.completions.create",
            "chat.completions.parse",
            "beta.chat.completions.parse",
            "responses.create",
            "responses.parse",
            "completions.create",
            "embeddings.create",
        ]
    ),
    "anthropic": frozenset(["messages.create", "messages.stream"]),
    "cohere": frozenset(["chat", "embed", "rerank"]),
    "huggingface": frozenset(
        ["chat_completion", "text_generation", "feature_extraction", "chat.completions.create"]
    ),
    "google-genai": frozenset(
        ["models.generate_content", "models.generate_content_stream", "models.embed_content"]
    ),
    "litellm": frozenset(["completion", "acompletion", "embedding", "aembedding"]),
    "langchain": frozenset(["invoke", "ainvoke", "batch", "abatch", "stream", "astream"]),
    "langchain-embeddings": frozenset(["embed_query", "embed_documents", "aembed_query", "aembed_documents"]),
}
_EMBEDDING_METHODS = frozenset(
    [
        "embeddings.create",
        "embed",
        "feature_extraction",
        "models.embed_content",
        "embedding",
        "aembedding",
        "embed_query",
        "embed_documents",
        "aembed_query",
        "aembed_documents",
        "encode",
    ]
)
_LOCAL_CALL_SITES = {
    ("sentence_transformers.SentenceTransformer", "encode"),
    ("vllm.LLM", "generate"),
    ("transformers.pipeline", ""),
}


@dataclasses.dataclass(frozen=True)
class LLMCall:
    """An LLM call site (RULES.md §4.1): provider, the method chain called, and the constructor
    of the client it goes through when that is known in the file."""

    provider: str
    method: str
    embedding: bool
    client: ast.Call | None
    client_class: str

    @property
    def is_async(self) -> bool:
        """Returns a coroutine: an `Async*` client, `client.aio`, or an `a*` method."""
        last = self.method.rsplit(".", 1)[-1]
        return (
            self.client_class.rsplit(".", 1)[-1].startswith("Async")
            or self.method.startswith("aio.")
            or last in ("ainvoke", "abatch", "astream", "acompletion", "aembedding")
            or last.startswith("aembed_")
        )


def _langchain_runnable(names: Names, node: ast.AST, depth: int = 0) -> bool:
    """`prompt | llm` (or a name bound to it) where one side is a LangChain chat model."""
    if depth > 3:
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _langchain_runnable(names, node.left, depth + 1) or _langchain_runnable(
            names, node.right, depth + 1
        )
    built = names.constructor(node)
    if built is not None:
        return llm_client_kind(built[0]) == "langchain"
    key = names.key(node)
    if key is not None and key in names.bindings:
        return _langchain_runnable(names, names.bindings[key], depth + 1)
    return False


def llm_call(names: Names, call: ast.Call) -> LLMCall | None:
    """The LLM call site `call` is (RULES.md §4.1 call-site table), or None."""
    name = names.call_name(call)
    if name is not None:
        module, _, function = name.rpartition(".")
        if module == "litellm" and function in _CALL_SITES["litellm"]:
            return LLMCall("litellm", function, function in _EMBEDDING_METHODS, None, "litellm")
        if name.startswith("openai.") and ".".join(name.split(".")[1:]) in _CALL_SITES["openai"]:
            method = ".".join(name.split(".")[1:])
            return LLMCall("openai", method, method == "embeddings.create", None, "openai")
    receiver, chain = call_receiver(call)
    built = names.constructor(receiver)
    if built is None:
        if chain and chain[-1] in _CALL_SITES["langchain"] and _langchain_runnable(names, receiver):
            return LLMCall("langchain", chain[-1], False, None, "langchain")
        return None
    ctor, ctor_call = built
    method = ".".join(chain)
    if (ctor, method) in _LOCAL_CALL_SITES:
        return LLMCall("local", method or "__call__", method == "encode", ctor_call, ctor)
    kind = llm_client_kind(ctor)
    if kind is None and ctor.startswith("langchain") and ctor.endswith("Embeddings"):
        kind = "langchain-embeddings"
    if kind is None:
        return None
    lookup = method[len("aio.") :] if kind == "google-genai" and method.startswith("aio.") else method
    if lookup in _CALL_SITES.get(kind, frozenset()):
        provider = "langchain" if kind == "langchain-embeddings" else kind
        return LLMCall(provider, method, lookup in _EMBEDDING_METHODS, ctor_call, ctor)
    return None


LLM_RESPONSE_ATTRIBUTES = frozenset(["content", "text", "output_text", "candidates", "choices"])


def is_llm_response_accessor(node: ast.AST) -> bool:
    """`.choices[i].message.content`, `.choices[i].text`, `.output_text`, `.content[i].text`,
    `.text`, `.content`, `["generated_text"]`, `.candidates[...]` (RULES.md §4.1)."""
    if isinstance(node, ast.Subscript):
        if string_value(node.slice) == "generated_text":
            return True
        return is_llm_response_accessor(node.value)
    return isinstance(node, ast.Attribute) and node.attr in LLM_RESPONSE_ATTRIBUTES


# What a value is made of: the sources found in it directly, and the local names it reads.
Flow = Callable[[ast.expr], tuple[frozenset[ast.AST], frozenset[str]]]
_TEXT_RESULTS = frozenset(["text_generation"])


def scoped_nodes(module: ast.Module) -> dict[ast.AST, list[ast.AST]]:
    """Each scope — the module, every class and function — mapped to its own nodes (not those of
    scopes nested in it), in one traversal: the units of intra-procedural data flow."""
    index: dict[ast.AST, list[ast.AST]] = {module: []}
    stack: list[tuple[ast.AST, ast.AST]] = [(child, module) for child in ast.iter_child_nodes(module)]
    while stack:
        node, scope = stack.pop()
        index[scope].append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            index[node] = []
            scope = node
        stack.extend((child, scope) for child in ast.iter_child_nodes(node))
    return index


def assigned_values(nodes: Iterable[ast.AST]) -> list[tuple[str, ast.expr]]:
    """(name, value) for every local name a scope binds: assignments, walrus, `for`, `with ... as`."""
    pairs: list[tuple[str, ast.expr]] = []
    for node in nodes:
        targets: list[ast.expr]
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            targets, value = [node.target], node.iter
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets, value = [node.optional_vars], node.context_expr
        else:
            continue
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store):
                    pairs.append((name.id, value))
    return pairs


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
        stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, _NESTED_SCOPES))


def contains_llm_call(names: Names, *roots: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and llm_call(names, n) is not None for n in scope_walk(*roots))


def in_serving_context(names: Names, tree: Tree, node: ast.AST) -> bool:
    """In a module importing a web/RPC/task framework, or inside a route handler or task."""
    function = tree.function(node)
    return is_serving_module(names) or (function is not None and is_route_handler(function))
