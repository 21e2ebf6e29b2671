"""Synchronous database and service clients: one table of the objects they hand out and which of
their methods wait on the server.

An entry (`Store`) is one kind of object — a SQLAlchemy `Session`, a pymongo collection, a DB-API
cursor — with the methods that block until the server answers, the methods that hand out another
kind (`conn.cursor()`), the kind reached by attribute or subscript (`client["db"]["docs"]`), and
what to use instead in async code. `CONSTRUCTORS` maps the calls that build each kind;
`ANNOTATIONS` the classes a parameter may be annotated with; `MODEL_BASES` the ORM base classes
whose project subclasses are models (peewee). Async clients (SQLAlchemy's `AsyncSession`, motor,
`redis.asyncio`, `AsyncElasticsearch`, aioboto3) are absent on purpose: their calls are awaited.
So is `sqlite3`: it runs in the process on a local file, with no server to wait on, as brief as
the local file reads the event-loop rules do not count.
Rules ask this table; `kind_of` resolves an expression to a kind through the repository model.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Mapping

from archbot.repo.model import own_nodes
from archbot.repo.resolve import Names, binding_key


@dataclasses.dataclass(frozen=True)
class Store:
    """One kind of object a synchronous client hands out. `blocking`: methods that wait on the
    server; `every_method`: every public method does but those in `local`; `returns`: methods that
    hand out another kind; `called`: the kind calling the object gives (a session factory);
    `members`: the kind an attribute or subscript gives (a database of a client)."""

    kind: str
    package: str
    instead: str
    source: str
    blocking: frozenset[str] = frozenset()
    every_method: bool = False
    local: frozenset[str] = frozenset()
    returns: Mapping[str, str] = dataclasses.field(default_factory=dict)
    called: str | None = None
    members: str | None = None

    def blocks(self, method: str) -> bool:
        if method in self.blocking:
            return True
        return self.every_method and not method.startswith("_") and method not in self.local


def _methods(*names: str) -> frozenset[str]:
    return frozenset(names)


_SA_SOURCE = "SQLAlchemy docs: Session, Query, Connection (sync); asyncio extension for AsyncSession"
_SA_QUERY_CHAIN: tuple[str, ...] = ("filter", "filter_by", "join", "outerjoin", "order_by", "limit", "offset")
_SA_QUERY_CHAIN += ("options", "group_by", "having", "where", "distinct", "select_from", "with_entities")
_SA_SESSION = "use `AsyncSession` (`await session.execute(...)`), or run it with `asyncio.to_thread`"
_DBAPI_SOURCE = "PEP 249 (DB-API 2.0): connect, commit, Cursor.execute/fetch*; psycopg2, pymysql"
_DBAPI = "use an async driver (asyncpg, psycopg's `AsyncConnection`, aiomysql) or `asyncio.to_thread`"
_MONGO_SOURCE = "PyMongo docs: MongoClient, Database, Collection; motor and AsyncMongoClient are async"
_MONGO = "use pymongo's `AsyncMongoClient` or motor, or `asyncio.to_thread`"
_PEEWEE_SOURCE = "peewee docs: Model.get/create/save, SelectQuery.execute; queries run when executed"
_PEEWEE = "run it with `asyncio.to_thread` (peewee is synchronous)"
_ES_SOURCE = "elasticsearch-py docs: Elasticsearch (sync) and AsyncElasticsearch"
_BOTO_SOURCE = "boto3 docs: client methods are synchronous HTTP calls; aioboto3 is the async wrapper"

_ENTRIES: tuple[Store, ...] = (
    Store(
        "sqlalchemy.sessionmaker",
        "SQLAlchemy",
        _SA_SESSION,
        _SA_SOURCE,
        returns={"begin": "sqlalchemy.session"},
        called="sqlalchemy.session",
    ),
    Store(
        "sqlalchemy.session",
        "SQLAlchemy",
        _SA_SESSION,
        _SA_SOURCE,
        blocking=_methods(
            "execute", "scalar", "scalars", "commit", "flush", "refresh", "get", "merge", "rollback"
        ),
        returns={"query": "sqlalchemy.query", "begin": "sqlalchemy.session"},
        called="sqlalchemy.session",  # a scoped_session registry, called, is the session
    ),
    Store(
        "sqlalchemy.query",
        "SQLAlchemy",
        _SA_SESSION,
        _SA_SOURCE,
        blocking=_methods("all", "first", "one", "one_or_none", "scalar", "count", "get", "delete", "update"),
        returns=dict.fromkeys(_SA_QUERY_CHAIN, "sqlalchemy.query"),
    ),
    Store(
        "sqlalchemy.engine",
        "SQLAlchemy",
        "use `create_async_engine`, or `asyncio.to_thread`",
        _SA_SOURCE,
        returns={"connect": "sqlalchemy.connection", "begin": "sqlalchemy.connection"},
    ),
    Store(
        "sqlalchemy.connection",
        "SQLAlchemy",
        "use `create_async_engine`, or `asyncio.to_thread`",
        _SA_SOURCE,
        blocking=_methods("execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback"),
    ),
    Store(
        "dbapi.connection",
        "DB-API",
        _DBAPI,
        _DBAPI_SOURCE,
        blocking=_methods("commit", "rollback", "execute", "executemany", "executescript"),
        returns={"cursor": "dbapi.cursor"},
    ),
    Store(
        "dbapi.cursor",
        "DB-API",
        _DBAPI,
        _DBAPI_SOURCE,
        blocking=_methods(
            "execute", "executemany", "executescript", "fetchone", "fetchall", "fetchmany", "callproc"
        ),
    ),
    Store(
        "pymongo.client",
        "PyMongo",
        _MONGO,
        _MONGO_SOURCE,
        blocking=_methods("list_database_names", "server_info", "drop_database"),
        returns={"get_database": "pymongo.database", "get_default_database": "pymongo.database"},
        members="pymongo.database",
    ),
    Store(
        "pymongo.database",
        "PyMongo",
        _MONGO,
        _MONGO_SOURCE,
        blocking=_methods("command", "list_collection_names", "create_collection", "drop_collection"),
        returns={"get_collection": "pymongo.collection"},
        members="pymongo.collection",
    ),
    Store(
        "pymongo.collection",
        "PyMongo",
        _MONGO,
        _MONGO_SOURCE,
        blocking=_methods(
            "find",
            "find_one",
            "insert_one",
            "insert_many",
            "update_one",
            "update_many",
            "replace_one",
            "delete_one",
            "delete_many",
            "count_documents",
            "estimated_document_count",
            "aggregate",
            "distinct",
            "bulk_write",
            "find_one_and_update",
            "find_one_and_replace",
            "find_one_and_delete",
            "create_index",
        ),
    ),
    Store(
        "redis.client",
        "redis-py",
        "use `redis.asyncio.Redis`",
        "redis-py docs: Redis commands are synchronous; redis.asyncio holds the async client",
        every_method=True,
        local=_methods("pipeline", "pubsub", "lock", "register_script", "get_connection_kwargs", "close"),
    ),
    Store(
        "elasticsearch.client",
        "Elasticsearch",
        "use `AsyncElasticsearch`",
        _ES_SOURCE,
        every_method=True,
        local=_methods("options", "close"),
        returns={"options": "elasticsearch.client"},
        members="elasticsearch.client",  # its namespaces (`es.indices.create`) call the server too
    ),
    Store(
        "boto3.client",
        "boto3",
        "use aioboto3, or run it with `asyncio.to_thread`",
        _BOTO_SOURCE,
        every_method=True,
        local=_methods(
            "get_paginator",
            "get_waiter",
            "can_paginate",
            "generate_presigned_url",
            "generate_presigned_post",
            "close",
        ),
    ),
    Store("boto3.session", "boto3", "", _BOTO_SOURCE, returns={"client": "boto3.client"}),
    Store(
        "peewee.model-class",
        "peewee",
        _PEEWEE,
        _PEEWEE_SOURCE,
        blocking=_methods(
            "get",
            "get_or_none",
            "get_by_id",
            "create",
            "get_or_create",
            "bulk_create",
            "bulk_update",
            "delete_by_id",
        ),
        returns={
            **dict.fromkeys(
                ("select", "update", "delete", "insert", "insert_many", "replace"), "peewee.query"
            ),
            **dict.fromkeys(("get", "get_or_none", "get_by_id", "create"), "peewee.model"),
        },
        called="peewee.model",
    ),
    Store(
        "peewee.query",
        "peewee",
        _PEEWEE,
        _PEEWEE_SOURCE,
        blocking=_methods("execute", "get", "get_or_none", "first", "count", "exists", "scalar"),
        returns=dict.fromkeys(
            (
                "where",
                "join",
                "order_by",
                "limit",
                "offset",
                "group_by",
                "having",
                "distinct",
                "paginate",
                "dicts",
            ),
            "peewee.query",
        ),
    ),
    Store("peewee.model", "peewee", _PEEWEE, _PEEWEE_SOURCE, blocking=_methods("save", "delete_instance")),
)
STORES: Mapping[str, Store] = {entry.kind: entry for entry in _ENTRIES}

# Calls that build a kind (qualified names as the resolver spells them).
CONSTRUCTORS: Mapping[str, str] = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.sessionmaker",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.session",
    "sqlalchemy.orm.Session": "sqlalchemy.session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.session",
    "sqlmodel.Session": "sqlalchemy.session",
    "sqlalchemy.create_engine": "sqlalchemy.engine",
    "sqlmodel.create_engine": "sqlalchemy.engine",
    "psycopg2.connect": "dbapi.connection",
    "psycopg.connect": "dbapi.connection",
    "psycopg.Connection.connect": "dbapi.connection",
    "pymysql.connect": "dbapi.connection",
    "pymongo.MongoClient": "pymongo.client",
    "pymongo.mongo_client.MongoClient": "pymongo.client",
    "redis.Redis": "redis.client",
    "redis.StrictRedis": "redis.client",
    "redis.client.Redis": "redis.client",
    "redis.from_url": "redis.client",
    "redis.Redis.from_url": "redis.client",
    "elasticsearch.Elasticsearch": "elasticsearch.client",
    "boto3.client": "boto3.client",
    "boto3.Session": "boto3.session",
    "boto3.session.Session": "boto3.session",
}
# Constructors that themselves wait on the server (a network handshake).
CONNECTING = frozenset(
    ["psycopg2.connect", "psycopg.connect", "psycopg.Connection.connect", "pymysql.connect"]
)
# Classes a parameter or attribute may be annotated with.
ANNOTATIONS: Mapping[str, str] = {
    "sqlalchemy.orm.Session": "sqlalchemy.session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.session",
    "sqlmodel.Session": "sqlalchemy.session",
    "pymongo.MongoClient": "pymongo.client",
    "pymongo.database.Database": "pymongo.database",
    "pymongo.collection.Collection": "pymongo.collection",
    "redis.Redis": "redis.client",
    "elasticsearch.Elasticsearch": "elasticsearch.client",
}
# ORM base classes: a project class deriving from one (directly or through project bases) is a model.
MODEL_BASES: Mapping[str, str] = {
    "peewee.Model": "peewee.model-class",
    "playhouse.signals.Model": "peewee.model-class",
}
_MODEL_PACKAGES = tuple(sorted({base.split(".")[0] for base in MODEL_BASES}))
_MODEL_IMPORT = re.compile(rf"^\s*(?:from|import)\s+(?:{'|'.join(_MODEL_PACKAGES)})\b", re.MULTILINE)
# Keyword values that make a session factory build async sessions (`sessionmaker(class_=AsyncSession)`).
_ASYNC_CLASS_OPTIONS = ("class_",)
_MAX_DEPTH = 6


def store(kind: str | None) -> Store | None:
    return STORES.get(kind) if kind is not None else None


def kind_of(names: Names, node: ast.AST, depth: int = 0) -> str | None:
    """What kind of synchronous store object `node` is (a `STORES` key), through local and module
    bindings, `self.x` / `cls.x` assignments and class attributes in the class and its project
    bases (the class a method was called on, `Names.callee`: `model = Document` read as
    `cls.model`), parameter annotations, project factories (one `return`), project model classes;
    None when unknown or async."""
    if depth > _MAX_DEPTH or isinstance(node, ast.Await):
        return None
    if isinstance(node, ast.Call):
        return _call_kind(names, node, depth)
    if isinstance(node, ast.Subscript):
        return _member(kind_of(names, node.value, depth + 1))
    if isinstance(node, ast.Name) or binding_key(node) is not None:
        return _bound_kind(names, node, depth)
    if isinstance(node, ast.Attribute):
        found = _class_kind(names, node)
        if found is not None:
            return found
        value = names.value_of(node)  # a module attribute (`db.client`)
        if value is not None:
            return kind_of(value[0], value[1], depth + 1)
        return _member(kind_of(names, node.value, depth + 1))
    return None


def _member(kind: str | None) -> str | None:
    entry = store(kind)
    return entry.members if entry is not None else None


def _call_kind(names: Names, call: ast.Call, depth: int) -> str | None:
    name = names.call_name(call)
    if name is not None and name in CONSTRUCTORS:
        return None if _builds_async(names, call, name) else CONSTRUCTORS[name]
    func = call.func
    called = store(kind_of(names, func, depth + 1)) if isinstance(func, (ast.Name, ast.Attribute)) else None
    if called is not None and called.called is not None:
        return called.called
    if isinstance(func, ast.Attribute):
        receiver = store(kind_of(names, func.value, depth + 1))
        if receiver is not None and func.attr in receiver.returns:
            return receiver.returns[func.attr]
    symbol = names.symbol(func)
    if symbol is not None and symbol.function is not None and names.repo is not None:
        function = symbol.function  # a project factory: what it returns (or yields, FastAPI's get_db)
        here = names if function.module is names.module else Names.of(names.repo, function.module)
        for value in (*function.returns, *_yielded(function.node)):
            found = kind_of(here, value, depth + 1)
            if found is not None:
                return found
    return None


def _yielded(function: ast.AST) -> list[ast.expr]:
    return [n.value for n in ast.walk(function) if isinstance(n, ast.Yield) and n.value is not None]


def _builds_async(names: Names, call: ast.Call, name: str) -> bool:
    """A session factory told to build async sessions, or whose options the code does not show."""
    if not name.endswith("sessionmaker"):
        return False
    keywords = names.keywords(call)
    if not keywords.complete:
        return True
    for option in _ASYNC_CLASS_OPTIONS:
        value = keywords.get(option)
        if value is not None and "Async" in (names.qualname(value) or ast.unparse(value)):
            return True
    return False


def _class_kind(names: Names, node: ast.AST) -> str | None:
    """A project class whose bases reach an ORM model base (`MODEL_BASES`). Class hierarchies are
    walked only in a repository that imports one of their packages (one word search per review)."""
    symbol = names.symbol(node)
    if symbol is None or symbol.cls is None or names.repo is None:
        return None
    if not names.repo.mentions(_MODEL_IMPORT, "*.py", _MODEL_PACKAGES):
        return None
    for base in names.repo.subclasses_external(symbol.cls):
        if base in MODEL_BASES:
            return MODEL_BASES[base]
    return None


def _bound_kind(names: Names, node: ast.AST, depth: int) -> str | None:
    """A name or `self.x`: every value the code binds it to must be one kind (None values aside)."""
    found = _class_kind(names, node) if isinstance(node, ast.Name) else None
    if found is not None:
        return found
    values = _values(names, node)
    if not values:
        return None
    kinds = set()
    for here, value in values:
        if isinstance(value, ast.Constant) and value.value is None:
            continue
        if isinstance(value, ast.arg):  # a parameter: its annotation says, or nothing does
            kind = _annotated(here, value.annotation) if value.annotation is not None else None
        else:
            kind = kind_of(here, value, depth + 1)
        if kind is None:
            return None
        kinds.add(kind)
    return kinds.pop() if len(kinds) == 1 else None


def _annotated(names: Names, annotation: ast.expr) -> str | None:
    node = annotation
    if isinstance(node, ast.Subscript):  # Optional[Session]
        node = node.slice
    if isinstance(node, ast.BinOp):  # Session | None
        node = node.right if isinstance(node.left, ast.Constant) else node.left
    name = names.qualname(node)
    return ANNOTATIONS.get(name) if name is not None else None


Bound = ast.expr | ast.arg


def _values(names: Names, node: ast.AST) -> list[tuple[Names, Bound]]:
    """The values the code binds a name or `self.x` to where `node` reads it ([] when unknown)."""
    if isinstance(node, ast.Attribute):
        return list(names.attribute_values(node))
    if not isinstance(node, ast.Name):
        return []
    function = names.tree.function(node)
    if function is not None:
        local = _local_values(function, node.id)
        if local:
            return [(names, value) for value in local]
    found = names.value_of(node)
    if found is not None:
        return [found]
    if names.module is None and node.id in names.bindings:  # a notebook: the file's own bindings
        return [(names, names.bindings[node.id])]
    return []


def _local_values(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> list[Bound]:
    """What a function binds `name` to (assignments, `with ... as name`, a parameter); [] when it
    does not bind it (so the module's value applies). A loop variable is an unannotated `arg`."""
    arguments = function.args
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        if argument.arg == name:
            return [argument]
    values: list[Bound] = []
    for node in own_nodes(*function.body):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_is_name(target, name) for target in targets):
                values.append(node.value)
        elif isinstance(node, ast.withitem) and _is_name(node.optional_vars, name):
            values.append(node.context_expr)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.NamedExpr, ast.comprehension)) and _is_name(
            node.target, name
        ):
            values.append(ast.arg(arg=name))
    return values


def _is_name(node: ast.AST | None, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name
