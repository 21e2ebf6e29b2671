"""Shared matchers for Python rules (RULES.md §4.1): qualified names through imports and one-hop
bindings, LLM clients and call sites, async and serving context, retry wrappers."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

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

    def __init__(self, tree: ast.Module) -> None:
        self.imports: dict[str, str] = {}
        self.bindings: dict[str, ast.expr] = {}
        self.annotations: dict[str, ast.expr] = {}
        for node in ast.walk(tree):
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
                    key = binding_key(target)
                    if key:
                        self.bindings[key] = node.value
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                key = binding_key(node.optional_vars)
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
        key = binding_key(node)
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
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(module):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

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
        return [node for node in ast.walk(self.module) if isinstance(node, ast.Call)]


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
    for ancestor in tree.ancestors(node):
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
                if called in ("range", "tenacity.Retrying", "tenacity.AsyncRetrying"):
                    return any(isinstance(n, ast.Try) for n in ast.walk(ancestor))
    return False
