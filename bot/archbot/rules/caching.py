"""LLM and embedding response caches that never expire."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    argument,
    call_receiver,
    contains_llm_call,
    in_serving_context,
    is_llm_response_accessor,
    kwarg,
    llm_call,
    scope_walk,
)
from archbot.rules.source import PythonFile

RULES = Family()

_REDIS_EXPIRY = ("ex", "px", "exat", "pxat", "keepttl")
_EXPIRE_METHODS = frozenset(["expire", "pexpire", "expireat", "pexpireat"])
_LRU_DECORATORS = frozenset(["functools.lru_cache", "functools.cache"])
_UNBOUNDED_CACHES = frozenset(["cachetools.LRUCache", "cachetools.LFUCache", "cachetools.Cache"])
_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _llm_derived(src: PythonFile, function: _Function) -> set[str]:
    """Names assigned (in order) from an LLM call, a response accessor, or a name already derived."""
    derived: set[str] = set()
    assignments = sorted(
        (n for n in scope_walk(function) if isinstance(n, ast.Assign)), key=lambda n: n.lineno
    )
    for node in assignments:
        if _derived_value(src, node.value, derived):
            derived |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return derived


def _derived_value(src: PythonFile, value: ast.expr, derived: set[str]) -> bool:
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and node.id in derived:
            return True
        if isinstance(node, ast.Call) and llm_call(src.names, node) is not None:
            return True
    return False


def _store_without_expiry(src: PythonFile, call: ast.Call) -> str | None:
    """Redis `set`/`hset` or diskcache `set` of an LLM-derived value, with no expiry."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in ("set", "hset"):
        return None
    receiver, chain = call_receiver(call)
    built = src.names.constructor(receiver)
    if built is None or len(chain) != 1:
        return None
    function = src.nodes.function(call)
    if function is None:
        return None
    value = argument(call, 1, "value") if chain[0] == "set" else argument(call, 2, "value")
    derived = _llm_derived(src, function)
    if value is None or not (_derived_value(src, value, derived) or is_llm_response_accessor(value)):
        return None
    if built[0].startswith("redis."):
        if kwarg(call, *_REDIS_EXPIRY) or (chain[0] == "set" and len(call.args) > 2):
            return None
        if any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _EXPIRE_METHODS
            for n in scope_walk(function)
        ):
            return None
        return f"Redis `.{chain[0]}()` of an LLM response without `ex=`/`px=`."
    if built[0] in ("diskcache.Cache", "diskcache.FanoutCache") and chain[0] == "set":
        if kwarg(call, "expire") or len(call.args) > 2:
            return None
        return "diskcache `.set()` of an LLM response without `expire=`."
    return None


def _cached_without_ttl(src: PythonFile, decorator: ast.expr) -> str | None:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = src.names.qualname(target)
    if name in _LRU_DECORATORS:
        return f"`@{name}` keeps LLM responses forever."
    if name == "cachetools.cached" and isinstance(decorator, ast.Call):
        cache = argument(decorator, 0, "cache")
        if isinstance(cache, ast.Dict) and not cache.keys:
            return "`@cachetools.cached({})` keeps LLM responses forever."
        if isinstance(cache, ast.Call) and src.names.call_name(cache) in _UNBOUNDED_CACHES:
            return "`@cachetools.cached` without a TTL cache keeps LLM responses until evicted."
    return None


def _langchain_cache(src: PythonFile, call: ast.Call) -> str | None:
    name = src.names.call_name(call) or ""
    if not name.startswith("langchain"):
        return None
    if name.endswith(".set_llm_cache") and call.args and in_serving_context(src.names, src.nodes, call):
        cache = src.names.call_name(call.args[0]) if isinstance(call.args[0], ast.Call) else None
        if cache is not None and cache.endswith((".InMemoryCache", ".SQLiteCache")):
            return f"`set_llm_cache({cache.rsplit('.', 1)[-1]}())` never expires entries."
    if name.endswith(".RedisCache") and kwarg(call, "ttl") is None:
        return "LangChain `RedisCache` without `ttl` keeps responses forever."
    return None


@RULES.rule(
    "llm-cache-no-ttl",
    title="LLM or embedding response cache without expiry",
    severity=Severity.MEDIUM,
    persona="senior-ml-systems-architect",
    kinds=("python", "notebook"),
    peers=("B019",),
)
def llm_cache_no_ttl(src: PythonFile) -> Iterator[Hit]:
    """An LLM or embedding response cache with no expiry: `lru_cache`/`cache` on a function that
    calls a model, Redis or diskcache writes of responses without a TTL, LangChain caches without
    one.

    Why:
        Cached answers outlive prompt, model and data changes, so users keep getting stale
        results; the cache grows without bound; and prompts with personal data are retained
        indefinitely.
    Fix:
        Use a TTL: `cachetools.TTLCache(maxsize=..., ttl=...)`, `redis.set(key, value, ex=3600)`,
        `RedisCache(redis_, ttl=3600)`, `diskcache.set(key, value, expire=3600)`, and include the
        model and prompt version in the key.
    Bad:
        @functools.lru_cache(maxsize=None)
        def embed(text): return client.embeddings.create(model=EMBED_MODEL, input=[text])
    Good:
        @cachetools.cached(cachetools.TTLCache(maxsize=10_000, ttl=3600))
        def embed(text): return client.embeddings.create(model=EMBED_MODEL, input=[text])
    """
    for node in src.nodes.walked:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.decorator_list:
            continue
        for decorator in node.decorator_list:
            line = src.changed_line(decorator)
            detail = _cached_without_ttl(src, decorator) if line is not None else None
            # Checked last: whether the body calls a model is the expensive question.
            if detail is not None and line is not None and contains_llm_call(src.names, node):
                yield Hit(line, detail)
    for call in src.changed_calls():
        detail = _store_without_expiry(src, call) or _langchain_cache(src, call)
        line = src.changed_line(call)
        if detail is not None and line is not None:
            yield Hit(line, detail)
