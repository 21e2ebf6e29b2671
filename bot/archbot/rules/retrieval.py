"""Retrieval: a vector store written with one embedding model and queried with another."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator, Mapping

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import argument, assigned_values, attribute_chain, call_receiver, kwarg, string_value
from archbot.rules.source import PythonFile

RULES = Family()

# Embedding objects by class name, and the keywords (first) or position that name their model.
# The family says which embedding space a default model belongs to.
EMBEDDING_CLASSES: dict[str, tuple[str, tuple[str, ...], int | None]] = {
    "SentenceTransformer": ("huggingface", ("model_name_or_path",), 0),
    "SentenceTransformerEmbeddings": ("huggingface", ("model_name",), None),
    "HuggingFaceEmbeddings": ("huggingface", ("model_name",), None),
    "HuggingFaceBgeEmbeddings": ("huggingface", ("model_name",), None),
    "HuggingFaceInferenceAPIEmbeddings": ("huggingface", ("model_name",), None),
    "HuggingFaceEndpointEmbeddings": ("huggingface", ("model", "repo_id"), None),
    "HuggingFaceEmbedding": ("huggingface", ("model_name",), None),
    "FastEmbedEmbeddings": ("fastembed", ("model_name",), None),
    "OpenAIEmbeddings": ("openai", ("model",), None),
    "AzureOpenAIEmbeddings": ("openai", ("model", "azure_deployment", "deployment"), None),
    "OpenAIEmbedding": ("openai", ("model", "model_name"), None),
    "OllamaEmbeddings": ("ollama", ("model",), None),
    "OllamaEmbedding": ("ollama", ("model_name",), None),
    "CohereEmbeddings": ("cohere", ("model",), None),
    "VoyageAIEmbeddings": ("voyage", ("model",), None),
    "MistralAIEmbeddings": ("mistral", ("model",), None),
    "GoogleGenerativeAIEmbeddings": ("google", ("model",), None),
    "VertexAIEmbeddings": ("google", ("model_name",), None),
    "BedrockEmbeddings": ("bedrock", ("model_id",), None),
    "NVIDIAEmbeddings": ("nvidia", ("model",), None),
    "JinaEmbeddings": ("jina", ("model_name",), None),
}
# Embedding calls without an embedding object: method chain -> family (the model is `model=`).
EMBEDDING_CALLS: dict[str, str] = {
    "embeddings.create": "openai",
    "embed": "cohere",
    "embed_content": "google",
    "models.embed_content": "google",
}
# Module-level embedding functions, by qualified name.
EMBEDDING_FUNCTIONS: dict[str, str] = {
    "litellm.embedding": "litellm",
    "litellm.aembedding": "litellm",
    "ollama.embeddings": "ollama",
    "ollama.embed": "ollama",
}
_EMBEDDING_METHODS = frozenset(
    ["encode", "embed_documents", "embed_query", "aembed_documents", "aembed_query"]
)
# LangChain vector stores: the classes, and the factory methods that take the embedding second.
VECTOR_STORES = frozenset(
    [
        "Chroma",
        "FAISS",
        "Qdrant",
        "QdrantVectorStore",
        "PineconeVectorStore",
        "Pinecone",
        "PGVector",
        "Milvus",
        "Weaviate",
        "WeaviateVectorStore",
        "ElasticsearchStore",
        "MongoDBAtlasVectorSearch",
        "LanceDB",
        "Redis",
        "OpenSearchVectorSearch",
        "SupabaseVectorStore",
        "InMemoryVectorStore",
        "DocArrayInMemorySearch",
        "Neo4jVector",
        "AzureSearch",
    ]
)
_STORE_FACTORIES = frozenset(
    ["from_documents", "from_texts", "load_local", "from_existing_index", "from_existing_collection"]
)
_EMBEDDING_KWARGS = ("embedding", "embedding_function", "embeddings", "embed_model", "embedding_model")
# What names one store: a location (directory, index, table) and, within it, a collection.
_LOCATION_KWARGS = ("persist_directory", "folder_path", "path", "index_name", "table_name", "url")
_COLLECTION_KWARGS = ("collection_name",)
# Raw clients: (method, the keyword holding vectors) for writes and queries of Chroma, Qdrant,
# Pinecone; the collection comes from how the receiver was obtained or from `collection_name=`.
_RAW_METHODS: dict[str, tuple[str, ...]] = {
    "add": ("embeddings",),
    "upsert": ("embeddings", "points", "vectors"),
    "query": ("query_embeddings", "vector"),
    "search": ("query_vector",),
    "query_points": ("query",),
}
_COLLECTION_GETTERS = frozenset(["get_or_create_collection", "get_collection", "create_collection", "Index"])
_HUB_PREFIX = re.compile(r"^sentence-transformers/")
# A file without one of these holds no embedding model this rule can name.
_EMBEDDING_WORDS = re.compile(r"(?i)embed|encode")


@dataclasses.dataclass(frozen=True)
class Embedder:
    family: str
    model: str | None  # None: the class's default model

    def differs(self, other: Embedder) -> bool | None:
        """True: different embedding spaces; None: cannot tell (a default model on one side)."""
        if self.model is not None and other.model is not None:
            return _HUB_PREFIX.sub("", self.model) != _HUB_PREFIX.sub("", other.model)
        if self.family != other.family:
            return True
        return None if self.model != other.model else False

    def describe(self) -> str:
        return f"`{self.model}`" if self.model else f"the default {self.family} model"


@dataclasses.dataclass(frozen=True)
class StoreUse:
    path: str
    at: int  # the line of the call
    line: int  # the changed line to report on (0: the change does not touch the call)
    key: Mapping[str, str]
    embedder: Embedder
    writes: bool  # puts vectors in (an index build, add, upsert); else it queries

    def same_store(self, other: StoreUse) -> bool:
        shared = set(self.key) & set(other.key)
        if not any(k in _LOCATION_KWARGS or k in _COLLECTION_KWARGS for k in shared):
            return False
        if any(self.key[k] != other.key[k] for k in shared):
            return False
        # Two collections of one directory are two stores: a collection named on one side only differs.
        return all((k in self.key) == (k in other.key) for k in _COLLECTION_KWARGS)


class _Resolver:
    """Resolves embedding objects and vectors of one file to the model that made them."""

    def __init__(self, src: PythonFile) -> None:
        self.src = src
        self.names = src.names
        self.functions = {
            n.name: n for n in src.nodes.module.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self.values: dict[ast.AST, dict[str, list[ast.expr]]] = {}

    def scope_values(self, node: ast.AST) -> dict[str, list[ast.expr]]:
        scope = self.src.nodes.function(node) or self.src.nodes.module
        if scope not in self.values:
            found: dict[str, list[ast.expr]] = {}
            for name, value in assigned_values(self.src.nodes.scopes.get(scope, [])):
                found.setdefault(name, []).append(value)
            self.values[scope] = found
        return self.values[scope]

    def embedder(self, expr: ast.AST | None, depth: int = 0) -> Embedder | None:
        """The embedding object an expression is: a constructor, a name bound to one, a module
        function returning one, a cache wrapper around one."""
        if expr is None or depth > 4:
            return None
        if isinstance(expr, ast.Call):
            name = self._class_name(expr.func)
            if name in EMBEDDING_CLASSES:
                family, keywords, position = EMBEDDING_CLASSES[name]
                model = argument(expr, position, *keywords) if position is not None else None
                if model is None:
                    keyword = kwarg(expr, *keywords)
                    model = keyword.value if keyword is not None else None
                if model is not None and string_value(model) is None:
                    return None  # a model from configuration: unknown
                return Embedder(family, string_value(model))
            if name == "CacheBackedEmbeddings" or (
                isinstance(expr.func, ast.Attribute) and expr.func.attr == "from_bytes_store"
            ):
                return self.embedder(argument(expr, 0, "underlying_embeddings"), depth + 1)
            if isinstance(expr.func, ast.Name) and expr.func.id in self.functions:
                returns = [
                    n.value for n in ast.walk(self.functions[expr.func.id]) if isinstance(n, ast.Return)
                ]
                found = {self.embedder(r, depth + 1) for r in returns}
                return found.pop() if len(found) == 1 else None
            return None
        key = self.names.key(expr)
        if key is None:
            return None
        local = self.scope_values(expr).get(key.split("@")[0], [])
        bound = local or ([self.names.bindings[key]] if key in self.names.bindings else [])
        found = {self.embedder(value, depth + 1) for value in bound}
        return found.pop() if len(found) == 1 else None

    def _class_name(self, func: ast.AST) -> str:
        qualname = self.names.qualname(func)
        if qualname is not None:
            return qualname.rsplit(".", 1)[-1]
        return func.id if isinstance(func, ast.Name) else ""

    def vectors(self, expr: ast.AST | None, depth: int = 0) -> Embedder | None:
        """The model that computed the vectors an expression holds."""
        if expr is None or depth > 4:
            return None
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                found = self._embedding_call(node)
                if found is not None:
                    return found
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                for value in self.scope_values(node).get(node.id, []):
                    found = self.vectors(value, depth + 1)
                    if found is not None:
                        return found
        return None

    def _embedding_call(self, call: ast.Call) -> Embedder | None:
        receiver, chain = call_receiver(call)
        method = ".".join(chain)
        if chain and chain[-1] in _EMBEDDING_METHODS:
            return self.embedder(receiver)
        qualname = self.names.call_name(call) or ""
        family = EMBEDDING_FUNCTIONS.get(qualname) or EMBEDDING_CALLS.get(method)
        model = kwarg(call, "model")
        if family is None or model is None:
            return None
        value = string_value(model.value)
        return Embedder(family, value) if value is not None else None


def _literal_key(call: ast.Call, names: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for name in names:
        keyword = kwarg(call, name)
        value = string_value(keyword.value) if keyword is not None else None
        if value is not None:
            found[name] = value
    return found


def store_uses(src: PythonFile) -> Iterator[tuple[StoreUse, ast.Call]]:
    """Every place the file writes or queries a vector store through a known embedding model."""
    resolver = _Resolver(src)
    names = src.names
    saved: dict[str, str] = {}
    for call in src.nodes.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "save_local":
            folder = string_value(argument(call, 0, "folder_path"))
            key = names.key(func.value)
            if folder is not None and key is not None:
                saved[key] = folder
    for call in src.nodes.calls:
        use = _langchain_use(src, resolver, call, saved) or _raw_use(src, resolver, call)
        if use is not None:
            yield use, call


def _langchain_use(
    src: PythonFile, resolver: _Resolver, call: ast.Call, saved: dict[str, str]
) -> StoreUse | None:
    func = call.func
    qualname = src.names.qualname(func) or ""
    parts = qualname.split(".")
    factory = parts[-1] in _STORE_FACTORIES
    store = parts[-2] if factory and len(parts) > 1 else parts[-1]
    if not qualname.startswith("langchain") or store not in VECTOR_STORES:
        return None
    embedding = kwarg(call, *_EMBEDDING_KWARGS)
    expr = (
        embedding.value
        if embedding is not None
        else (call.args[1] if factory and len(call.args) > 1 else None)
    )
    embedder = resolver.embedder(expr)
    if embedder is None:
        return None
    key = _literal_key(call, (*_LOCATION_KWARGS, *_COLLECTION_KWARGS))
    if parts[-1] == "load_local":
        folder = string_value(argument(call, 0, "folder_path"))
        if folder is not None:
            key["folder_path"] = folder
    parent = src.nodes.parents.get(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        bound = src.names.key(parent.targets[0])
        if bound in saved:
            key["folder_path"] = saved[bound]
    writes = parts[-1] in ("from_documents", "from_texts")
    return StoreUse(src.path, src.file_line(call.lineno), src.changed_line(call) or 0, key, embedder, writes)


def _raw_use(src: PythonFile, resolver: _Resolver, call: ast.Call) -> StoreUse | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _RAW_METHODS:
        return None
    vectors = kwarg(call, *_RAW_METHODS[func.attr])
    if vectors is None:
        return None
    key = _literal_key(call, _COLLECTION_KWARGS)
    if not key:
        key = _collection_of(src, func.value)
    if not key:
        return None
    embedder = resolver.vectors(vectors.value)
    if embedder is None:
        return None
    writes = func.attr in ("add", "upsert")
    return StoreUse(src.path, src.file_line(call.lineno), src.changed_line(call) or 0, key, embedder, writes)


def _collection_of(src: PythonFile, receiver: ast.AST) -> dict[str, str]:
    """`client.get_or_create_collection("docs")` / `pc.Index("docs")` behind a receiver."""
    key = src.names.key(receiver)
    value = src.names.bindings.get(key) if key is not None else receiver
    if not isinstance(value, ast.Call):
        return {}
    _, chain = attribute_chain(value.func)
    getter = chain[-1] if chain else getattr(value.func, "id", "")
    name = string_value(argument(value, 0, "name"))
    if getter not in _COLLECTION_GETTERS or name is None:
        return {}
    return {"collection_name": name}


_MAX_OTHER_FILES = 20


def _other_uses(src: PythonFile, keys: set[str]) -> Iterator[StoreUse]:
    """Store uses in other Python files of the repository that name one of the same stores,
    parsed through the repository model (within the review's parsing budget)."""
    quoted = [(f'"{k}"', f"'{k}'") for k in keys]
    seen = 0
    for path in src.repo.containing(tuple(sorted(w for pair in quoted for w in pair))):
        if path == src.path or seen >= _MAX_OTHER_FILES:
            continue
        text = src.repo.text(path)
        if text is None or not any(a in text or b in text for a, b in quoted):
            continue
        module = src.repo.module(path)
        if module is None:
            continue
        seen += 1
        other = PythonFile(path, "python", text, frozenset(), True, src.repo)
        vars(other)["tree"] = module.tree  # parsed once, by the repository model
        yield from (use for use, _ in store_uses(other))


@RULES.rule(
    "embedding-model-mismatch",
    title="Vector store written with one embedding model and queried with another",
    severity=Severity.HIGH,
    persona="ml-system-architect",
    kinds=("python", "notebook"),
)
def embedding_model_mismatch(src: PythonFile) -> Iterator[Hit]:
    """One vector store — the same persist directory, index, table or collection name — is
    written with one embedding model and queried (or written again) with another: LangChain
    stores (`Chroma`, `FAISS.load_local`, `PGVector`, ... with `embedding=`), or raw Chroma,
    Qdrant and Pinecone writes and queries whose
    vectors come from `SentenceTransformer(...).encode`, `embeddings.create(model=...)`,
    `*Embeddings(model=...).embed_*`. Uses in other files of the repository that name the same
    store are compared too.

    Calibration: both models must be known — literals, or two different providers' defaults; a
    model read from configuration, or a default against a literal of the same provider, is not
    judged; two collections of one directory are two stores; two queries are each compared with
    the writes, not with each other.

    Why:
        Vectors from different embedding models live in different spaces (often of different
        sizes): similarity between a query embedded with one and documents embedded with the
        other is meaningless, so retrieval returns unrelated chunks — or fails on a dimension
        mismatch — and the answers built on them are wrong without any error.
    Fix:
        Define the embedding model once (a module constant or setting) and use it for indexing
        and for queries; when changing models, re-index into a new collection.
    Bad:
        large = OpenAIEmbeddings(model="text-embedding-3-large")
        Chroma.from_documents(docs, large, persist_directory="db")
        small = OpenAIEmbeddings(model="text-embedding-3-small")
        store = Chroma(persist_directory="db", embedding_function=small)
    Good:
        EMBEDDINGS = OpenAIEmbeddings(model="text-embedding-3-large")
        store = Chroma(persist_directory="db", embedding_function=EMBEDDINGS)
    """
    if not _EMBEDDING_WORDS.search(src.code):
        return
    uses = [use for use, _ in store_uses(src)]
    changed = [use for use in uses if use.line]
    if not changed:
        return
    others: list[StoreUse] | None = None
    reported: set[int] = set()
    for use in changed:
        candidates = [u for u in uses if u is not use]
        if others is None:
            others = list(_other_uses(src, {v for u in changed for v in u.key.values()}))
        for other in [*candidates, *others]:
            if not (use.writes or other.writes) or use.line in reported or not use.same_store(other):
                continue  # two queries do not disagree with each other: each is judged against a write
            if not use.embedder.differs(other.embedder):
                continue
            if other.line and other.path == src.path and (use.writes, use.at) > (other.writes, other.at):
                continue  # both changed: one finding, on the query (or the later write)
            reported.add(use.line)
            where = f"line {other.at}" if other.path == src.path else f"{other.path}:{other.at}"
            detail = f"this uses {use.embedder.describe()}; the same store uses {other.embedder.describe()}"
            yield Hit(use.line, f"{detail} at {where}.")
