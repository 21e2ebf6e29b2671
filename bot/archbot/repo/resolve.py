"""Resolvers over the repository model, shared by every rule and the persona review.

`Names` answers, for one Python file, what an expression is:

- `qualname(node)` / `call_name(call)` / `symbol(node)`: what a name refers to, through import
  aliases, relative imports, project re-exports (`from .impl import Client` in an `__init__`),
  module-level aliases (`loader = torch.load`), and SDK re-export paths (`openai.lib.azure.
  AzureOpenAI` is `openai.AzureOpenAI`, see `sdk.canonical`).
- `constructor(node)`: what object an expression holds — the class it was built from and the
  constructor call — through local bindings, module-level SDK clients imported from other
  project modules, `self.attr` (or `cls.attr` in a classmethod) set in any method of the class
  or of a project base class, or as a class attribute (in any module), a project factory
  function's `return Ctor(...)` (one hop), `.with_options(...)`, and parameter annotations.
- `target(call)`: the project function a call runs (functions, methods through `self`/`cls`,
  objects and classes, `super().__init__`); `callee(call)` also gives the resolver to read its
  body with, bound to the class it was called on when the method is inherited (`bound(cls)`):
  `cls.model` / `self.client` in a base's method are the attributes the subclass sets
  (`model = None` in the base, `model = Document` in the subclass).
- `keywords(call)`: the keyword arguments a call passes, with `**` splats resolved through local
  dict literals, `dict(...)`, subscript updates (`kw["max_tokens"] = None`), `.update(...)`,
  `.setdefault(...)`, `.pop(...)`, module constants and `self.attr` dicts. A splat of the
  enclosing function's own `**kwargs` is recorded as forwarded; anything else unresolved makes
  the answer "unknown" for the keywords it could carry (never "absent").
- `forwards(function)`: forwarding summaries — the calls a project function makes with its own
  `**kwargs`, transitively through project functions, computed once per function.
- `config_source(expr, scope)`: taint from external or deserialised configuration (`json.load`,
  `yaml.safe_load`, `config.get(...)`, `from_dict`, config objects, request bodies).
- `request_source(expr)`: request data — what the client of a web handler sent (a header, the
  body, a query parameter) that an expression holds, through local names and text operations
  (`request.headers.get("Content-Type").split(";")[0]`); the request objects are those of the
  web table (`web.py`): a parameter annotated with a framework's request class, a framework's
  request proxy (`flask.request`), or an unannotated `request` parameter in a serving module.
- `runnable_model(node)`: the chat model at the heart of a LangChain pipe chain
  (`prompt | llm | parser`), through names bound to the chain, or of a legacy chain given it as
  `llm=` (`LLMChain(llm=llm, prompt=...)`).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import functools
import re
import weakref
from collections.abc import Iterator, Mapping
from typing import Literal

from archbot.repo import sdk, web
from archbot.repo.model import MARKERS, Class, Function, Module, Repository, Symbol, own_nodes

_MAX_DEPTH = 4
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# The node types `Names` reads imports, bindings and annotations from.
_BINDING_NODES = frozenset([ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.withitem, ast.arg])
_CHAINABLE = frozenset(["with_options", "copy", "bind", "with_retry", "with_config", "with_fallbacks"])


class Tree:
    """Parent links and enclosing scopes for one module, computed once."""

    def __init__(self, module: ast.Module) -> None:
        self.module = module
        # Every node in `ast.walk` order but the shared leaf markers (see `child_nodes`), from the
        # one traversal that links parents: rules iterate this list instead of walking the tree.
        self.walked: list[ast.AST] = [module]
        self.parents: dict[ast.AST, ast.AST] = {}
        parents, walk = self.parents, self.walked.append
        # `child_nodes` inlined: this loop runs once per node of every reviewed file.
        for parent in self.walked:
            for field in parent._fields:
                value = getattr(parent, field, None)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, ast.AST) and not isinstance(child, MARKERS):
                            parents[child] = parent
                            walk(child)
                elif isinstance(value, ast.AST) and not isinstance(value, MARKERS):
                    parents[value] = parent
                    walk(value)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    def owns(self, node: ast.AST) -> bool:
        """`node` belongs to this tree (resolvers may hand back nodes of other modules)."""
        return node is self.module or node in self.parents

    def function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def enclosing_class(self, node: ast.AST) -> ast.ClassDef | None:
        """The class whose method (directly) holds `node`."""
        function = self.function(node)
        parent = self.parents.get(function) if function is not None else None
        return parent if isinstance(parent, ast.ClassDef) else None

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
        """Each scope — the module, every class and function — mapped to its own nodes (not those
        of scopes nested in it), in `walked` order: the units of intra-procedural data flow. Read
        off the parent links (a parent comes before its children in `walked`), not a new walk."""
        index: dict[ast.AST, list[ast.AST]] = {self.module: []}
        scope_of: dict[ast.AST, ast.AST] = {}
        for node in self.walked[1:]:
            parent = self.parents[node]
            scope = parent if parent in index else scope_of[parent]
            index[scope].append(node)
            if isinstance(node, _SCOPES):
                index[node] = []
            else:
                scope_of[node] = scope
        return index

    def scope_of(self, node: ast.AST) -> ast.AST:
        """The function (or the module) whose own code holds `node`."""
        return self.function(node) or self.module

    @functools.cached_property
    def bound_names(self) -> dict[ast.AST, frozenset[str]]:
        """The names each scope (`scopes`) binds itself: defs and classes, imports (relative ones
        too), assignment, loop, `with`/`except ... as` and walrus targets, and a function's
        parameters."""
        found: dict[ast.AST, frozenset[str]] = {}
        for scope, nodes in self.scopes.items():
            names: set[str] = set()
            for node in nodes:
                if isinstance(node, _SCOPES):
                    names.add(node.name)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.arg) or (isinstance(node, ast.ExceptHandler) and node.name):
                    names.add(node.arg if isinstance(node, ast.arg) else str(node.name))
            found[scope] = frozenset(names)
        return found

    def builtin(self, node: ast.AST, *functions: str) -> str | None:
        """The builtin (one of `functions`) a bare name refers to, or None when the name is bound
        where Python looks it up first: the enclosing functions, the class whose body holds it
        directly, or the module (`def eval(...)`, `from .scoring import eval`, `exec = runner.run`).
        A method named `eval` shadows nothing outside its class body; `model.eval()` is no name."""
        if not isinstance(node, ast.Name) or node.id not in functions:
            return None
        bound = self.bound_names
        innermost = True
        for scope in self.ancestors(node):
            if scope not in bound:
                continue
            if (innermost or not isinstance(scope, ast.ClassDef)) and node.id in bound[scope]:
                return None
            innermost = False
        return node.id


# The names PEP 8 gives a method's first argument: `self.x` and, in a classmethod, `cls.x` read
# the same attributes (a class attribute is read through either).
_RECEIVERS = frozenset(["self", "cls"])


def binding_key(node: ast.AST) -> str | None:
    """A name's key, or `self.x` for an attribute of the receiver (`self.x` or `cls.x`)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and is_receiver(node.value):
        return f"self.{node.attr}"
    return None


def is_receiver(node: ast.AST | None) -> bool:
    """`self` or `cls`: the object (or class) a method runs on."""
    return isinstance(node, ast.Name) and node.id in _RECEIVERS


def string_value(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def is_none(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


Built = tuple[str, ast.Call | None]
State = Literal["set", "absent", "unknown"]


@dataclasses.dataclass(frozen=True)
class Keywords:
    """The keyword arguments a call passes. `values`: each keyword the code shows, written at the
    call or carried by a resolved `**` splat (a later source wins, as at run time). `unresolved`:
    splats whose keys the code does not show. `forwarded`: the enclosing function's own
    `**kwargs` parameter, when the call passes it on (its keys are the callers' business);
    `named`: that function's named parameters, which its `**kwargs` never holds."""

    values: Mapping[str, ast.expr]
    unresolved: tuple[ast.expr, ...] = ()
    forwarded: str | None = None
    named: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        """Every keyword the call can receive is known."""
        return not self.unresolved and self.forwarded is None

    def get(self, *names: str) -> ast.expr | None:
        for name in names:
            if name in self.values:
                return self.values[name]
        return None

    def state(self, *names: str) -> State:
        """ "set" when one of `names` is given a value other than a literal None; "absent" when the
        call surely passes none of them (or only None: "a value None means absent"); "unknown"
        when a splat the code does not show may carry one."""
        for name in names:
            value = self.values.get(name)
            if value is not None and not is_none(value):
                return "set"
        return "absent" if self.complete else "unknown"

    def carried(self, *names: str) -> State:
        """`state`, knowing that a forwarded `**kwargs` cannot hold a keyword its function takes
        as a named parameter (`def f(model_id, revision=None, **kwargs)`: a caller's `revision=`
        binds to the parameter), so passing it on does not pass that keyword."""
        found = self.state(*names)
        if found == "unknown" and not self.unresolved and all(name in self.named for name in names):
            return "absent"
        return found


EMPTY_KEYWORDS = Keywords({})


@dataclasses.dataclass(frozen=True)
class Forward:
    """A call a project function makes with its own `**kwargs` (a forwarding summary): the sink
    call, the resolver of the sink's module, what the sink sets itself, and the chain of project
    functions from the summarised function down to the sink."""

    sink: ast.Call
    names: Names
    keywords: Keywords
    chain: tuple[Function, ...]


_CONFIG_LOADERS = frozenset(
    [
        "json.load",
        "json.loads",
        "yaml.safe_load",
        "yaml.load",
        "yaml.full_load",
        "toml.load",
        "toml.loads",
        "tomllib.load",
        "tomllib.loads",
        "omegaconf.OmegaConf.load",
        "omegaconf.OmegaConf.create",
    ]
)
_CONFIG_NAME = re.compile(r"(?i)^(.*_)?(config|cfg|conf|configuration|settings|options|opts|params)$")
_REQUEST_NAME = re.compile(r"(?i)^(request|req)$")
_REQUEST_BODY = frozenset(["json", "get_json", "form", "body", "data", "query_params", "args"])
_FROM_CONFIG = re.compile(
    r"(?i)^(from_dict|from_config|from_json|from_yaml|load_config|parse_obj|model_validate)"
)
_COPIES = frozenset(["copy", "deepcopy", "dict"])

_RESOLVERS: weakref.WeakKeyDictionary[Module, Names] = weakref.WeakKeyDictionary()


class Names:
    """Resolves the expressions of one Python file (see the module docstring). Without a
    repository (or for a notebook) it resolves within the file only."""

    def __init__(self, tree: Tree, repo: Repository | None = None, module: Module | None = None) -> None:
        self.tree = tree
        self.repo = repo
        self.module = module
        self.imports: dict[str, str] = {}
        # What the module imports outside any function (a function's own import loads an optional
        # feature when it runs: `def serve(self): from flask import Flask`).
        self.module_imports: set[str] = set()
        self.bindings: dict[str, ast.expr] = {}
        self.annotations: dict[str, ast.expr] = {}
        self._class_spans = [
            (node.lineno, node.end_lineno or node.lineno)
            for node in tree.walked
            if isinstance(node, ast.ClassDef)
        ]
        for node in tree.walked:
            if type(node) not in _BINDING_NODES:  # one test for the many nodes that bind nothing
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.imports[local] = alias.name if alias.asname else local
                    if tree.function(node) is None:
                        self.module_imports.add(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                    if tree.function(node) is None:
                        self.module_imports.add(f"{node.module}.{alias.name}")
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
        self._symbols: dict[ast.AST, Symbol | None] = {}
        self._locals: dict[ast.AST, frozenset[str]] = {}
        self._forwards: dict[int, tuple[Forward, ...]] = {}
        # In a view bound to a class (`bound`): the class `self`/`cls` stand for in its bases' methods.
        self.self_class: Class | None = None
        self._bound: dict[int, Names] = {}

    @classmethod
    def of(cls, repo: Repository, module: Module) -> Names:
        """The resolver of another project module (built once per module)."""
        found = _RESOLVERS.get(module)
        if found is None:
            found = _RESOLVERS[module] = cls(Tree(module.tree), repo, module)
        return found

    def bound(self, cls: Class) -> Names:
        """This module's resolver with `self` and `cls`, in the methods of `cls`'s project bases,
        standing for `cls`: a method a subclass inherits reads the attributes the subclass sets
        (`model = Document` in the subclass, `model = None` and `cls.model.get(...)` in the base)."""
        found = self._bound.get(id(cls))
        if found is None:
            found = copy.copy(self)  # shares the module's bindings; answers about `self` differ
            found.self_class = cls
            found._forwards = {}
            found._bound = {}
            self._bound[id(cls)] = found
        return found

    def callee(self, call: ast.Call) -> tuple[Function, Names] | None:
        """The project function `call` runs (`target`) and the resolver to read its body with:
        bound to the receiver's class when the function is inherited from a project base
        (`Service.get(...)`, `self.get(...)`, `service.get(...)` with `service = Service()`)."""
        function = self.target(call)
        if function is None or self.repo is None:
            return None
        names = self if function.module is self.module else Names.of(self.repo, function.module)
        receiver = self._receiver_class(call)
        owner = function.owner
        if receiver is None or owner is None or receiver is owner:
            return function, names
        return function, names.bound(receiver) if owner in self.repo.base_classes(receiver) else names

    def _receiver_class(self, call: ast.Call) -> Class | None:
        """The project class a method call's receiver is, or is an instance of."""
        func = call.func
        if not isinstance(func, ast.Attribute) or self.repo is None or self.module is None:
            return None
        if is_receiver(func.value):
            return self.enclosing_class(call)
        found = self.symbol(func.value)
        if found is not None:
            return found.cls
        built = self.constructor(func.value)
        owner = self.repo.symbol(built[0], self.module.path) if built is not None else None
        return owner.cls if owner is not None else None

    # -- names -----------------------------------------------------------------------------------

    def symbol(self, node: ast.AST | None) -> Symbol | None:
        """What a `Name` or dotted `Attribute` refers to (see `Repository.lookup`)."""
        if node is None:
            return None
        if node in self._symbols:
            return self._symbols[node]
        found = self._symbol(node)
        self._symbols[node] = found
        return found

    def _symbol(self, node: ast.AST) -> Symbol | None:
        if isinstance(node, ast.Name):
            if self.repo is not None and self.module is not None:
                if node.id in self.module.imports or node.id in self.module.functions:
                    return self.repo.lookup(self.module, node.id)
                if node.id in self.module.classes:
                    return self.repo.lookup(self.module, node.id)
                if node.id in self.module.assigned and self._module_level_name(node):
                    return self.repo.lookup(self.module, node.id)
                if node.id in self.imports:  # a relative import the model cannot place
                    return Symbol(self.imports[node.id])
                return None
            imported = self.imports.get(node.id)
            return Symbol(imported) if imported else None
        if isinstance(node, ast.Attribute):
            base = self.symbol(node.value)
            if base is None:
                return None
            if self.repo is not None:
                return self.repo.member(base, node.attr)
            return Symbol(f"{base.qualname}.{node.attr}") if base.module is None else None
        return None

    def _module_level_name(self, node: ast.Name) -> bool:
        """The name is not rebound in the function that reads it (so the module value applies)."""
        function = self.tree.function(node)
        return function is None or node.id not in self._local_names(function)

    def _local_names(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
        found = self._locals.get(function)
        if found is None:
            stored = {
                n.id
                for n in own_nodes(*function.body)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            found = self._locals[function] = frozenset(stored | parameter_names(function))
        return found

    def qualname(self, node: ast.AST | None) -> str | None:
        """`np.load` -> 'numpy.load' when numpy is imported as np; None if not from an import or a
        project definition. SDK re-export paths come back as their public names."""
        found = self.symbol(node)
        if found is None:
            return None
        return sdk.canonical(found.qualname) if found.module is None else found.qualname

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

    # -- objects ----------------------------------------------------------------------------------

    def constructor(self, node: ast.AST | None, depth: int = 0) -> Built | None:
        """What object an expression is: the qualified name of the class it was built from (or
        annotated with) and the constructor call (None when only an annotation says so). The call
        may belong to another module: check `Tree.owns` before reporting on it."""
        if node is None or depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Await):
            return self.constructor(node.value, depth + 1)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _CHAINABLE:
                return self.constructor(func.value, depth + 1)
            name = self.qualname(func)
            if name is not None:
                returned = self._factory_result(func, depth)
                return returned if returned is not None else (name, node)
            method = self._method_of(func)
            return self._returned(method, depth) if method is not None else None
        key = self.key(node)
        if key is None:
            return None
        if key in self.bindings:
            found = self.constructor(self.bindings[key], depth + 1)
            if found is not None:
                return found
        elif key.startswith("self."):
            found = self._self_attribute(node, depth)
            if found is not None:
                return found
        elif isinstance(node, ast.Name):
            found = self._imported_client(node, depth)
            if found is not None:
                return found
        annotation = self.annotations.get(key)
        if annotation is not None:
            name = self.qualname(_unwrap_optional(annotation))
            return (name, None) if name else None
        return None

    def _imported_client(self, node: ast.Name, depth: int) -> Built | None:
        """A module-level object of another project module built from a class outside the project
        (`from app.clients import llm`, `llm = ChatOpenAI(...)` there): an SDK client or session.
        Objects of project classes are left to `target` as before: rules judging a project
        method's blocking or async twin by its name alone would take an event bus's
        fire-and-forget `emit` for a blocking call."""
        held = self.value_of(node)
        if held is None or held[0] is self or self.repo is None:
            return None
        found = held[0].constructor(held[1], depth + 1)
        near = held[0].module.path if held[0].module is not None else ""
        if found is None or self.repo.symbol(found[0], near) is not None:
            return None
        return found

    def _factory_result(self, func: ast.expr, depth: int) -> Built | None:
        """A project function called as a factory: what its `return` builds (one hop)."""
        found = self.symbol(func)
        if found is None or found.function is None or self.repo is None:
            return None
        return self._returned(found.function, depth)

    def _returned(self, function: Function, depth: int) -> Built | None:
        if self.repo is None:
            return None
        names = self if function.module is self.module else Names.of(self.repo, function.module)
        for value in function.returns:
            built = names.constructor(value, depth + 1)
            if built is not None:
                return built
        return None

    def _method_of(self, func: ast.expr) -> Function | None:
        """`self.make_client(...)`: the method of the enclosing class (or a project base)."""
        if not (isinstance(func, ast.Attribute) and is_receiver(func.value)):
            return None
        cls = self.enclosing_class(func)
        return self.repo.method(cls, func.attr) if cls is not None and self.repo is not None else None

    def enclosing_class(self, node: ast.AST) -> Class | None:
        """The project class (of this module) whose method holds `node`."""
        if self.module is None:
            return None
        definition = self.tree.enclosing_class(node)
        if definition is None:
            return None
        for cls in self._classes():
            if cls.node is definition:
                return self._as_bound(cls)
        return None

    def _as_bound(self, cls: Class) -> Class:
        """In a bound view, a base of the bound class stands for the bound class."""
        bound = self.self_class
        if bound is None or bound is cls or self.repo is None:
            return cls
        return bound if cls in self.repo.base_classes(bound) else cls

    def _classes(self) -> Iterator[Class]:
        assert self.module is not None
        yield from self.module.classes.values()

    def _self_attribute(self, node: ast.AST, depth: int) -> Built | None:
        """`self.x` assigned in a base class (this module or another): what that assignment builds."""
        if not isinstance(node, ast.Attribute) or self.repo is None:
            return None
        cls = self.enclosing_class(node)
        if cls is None:
            return None
        for owner, value in self.repo.attribute_values(cls, node.attr):
            names = self if owner.module is self.module else Names.of(self.repo, owner.module)
            built = names.constructor(value, depth + 1)
            if built is not None:
                return built
        return None

    def attribute_values(self, node: ast.AST) -> list[tuple[Names, ast.expr]]:
        """What `self.x` may hold: every value assigned to it in the class or its project bases,
        each with the resolver of the module that assigns it."""
        if not isinstance(node, ast.Attribute) or binding_key(node) is None or self.repo is None:
            return []
        cls = self.enclosing_class(node)
        if cls is None:
            return []
        return [
            (self if owner.module is self.module else Names.of(self.repo, owner.module), value)
            for owner, value in self.repo.attribute_values(cls, node.attr)
        ]

    def value_of(self, node: ast.expr) -> tuple[Names, ast.expr] | None:
        """The one value a name stands for where the code shows it: a module constant (here or
        imported), or the only value `self.x` is ever assigned. None when several or unknown."""
        if isinstance(node, ast.Name) and self.repo is not None and self.module is not None:
            found = self.symbol(node)
            if found is not None and found.value is not None and found.module is not None:
                names = self if found.module is self.module else Names.of(self.repo, found.module)
                return names, found.value
        if isinstance(node, ast.Attribute):
            values = self.attribute_values(node)
            if len(values) == 1:
                return values[0]
        return None

    def setting_default(self, node: ast.expr) -> ast.expr | None:
        """The value a settings class gives the field `node` reads, in effect when configuration
        leaves it unset: `settings.base_url` or `getattr(settings, "base_url")`, where `settings`
        is an object (here or imported, built directly or by a factory, or annotated) of a project
        class whose code assigns the field once, a value or pydantic's `Field(default)`. None
        when the code does not show one."""
        read = _field_read(node)
        if read is None or self.repo is None:
            return None
        holder, field = read
        held = self.value_of(holder) if isinstance(holder, ast.Name) else None
        names, value = held if held is not None else (self, holder)
        built = names.constructor(value)
        near = names.module.path if names.module is not None else ""
        symbol = self.repo.symbol(built[0], near) if built is not None else None
        if symbol is None or symbol.cls is None:
            return None
        values = self.repo.attribute_values(symbol.cls, field)
        if len(values) != 1:
            return None
        owner, assigned = values[0]
        declared = Names.of(self.repo, owner.module)
        if isinstance(assigned, ast.Call) and declared.qualname(assigned.func) in _FIELD_DECLARATIONS:
            default = next((k.value for k in assigned.keywords if k.arg == "default"), None)
            return default if default is not None else (assigned.args[0] if assigned.args else None)
        return assigned

    def target(self, call: ast.Call) -> Function | None:
        """The project function `call` runs: a function, a class's `__init__`, a method through
        `self`, `super()`, an object built from a project class, or a module attribute."""
        if self.repo is None or self.module is None:
            return None
        func = call.func
        found = self.symbol(func)
        if found is not None:
            if found.function is not None:
                return found.function
            if found.cls is not None:
                return self.repo.method(found.cls, "__init__")
            return None
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        if is_receiver(receiver):
            return self._method_of(func)
        if (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "super"
        ):
            cls = self.enclosing_class(call)
            if cls is not None and receiver.args:
                # `super(Base, self)` looks past `Base`: its own method is the one skipped.
                named = self.symbol(receiver.args[0])
                cls = named.cls if named is not None else None
            if cls is None:
                return None
            for base in self.repo.base_classes(cls):
                if isinstance(base, Class) and func.attr in base.methods:
                    return base.methods[func.attr]
            return None
        built = self.constructor(receiver)
        if built is not None:
            owner = self.repo.symbol(built[0], self.module.path)
            if owner is not None and owner.cls is not None:
                return self.repo.method(owner.cls, func.attr)
        return None

    def bind(self, call: ast.Call, function: Function) -> dict[str, ast.expr] | None:
        """The arguments `call` gives the parameters of `function` (the project function it runs,
        `target(call)`), by parameter name: positional ones in order (after `self`/`cls` for a
        method), keywords by name, `**` splats as far as `keywords` resolves them. None when a
        `*args` splat hides which positions are filled."""
        if any(isinstance(arg, ast.Starred) for arg in call.args):
            return None
        args = function.node.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        if function.owner is not None and not _decorated(function.node, "staticmethod"):
            # `Base.__init__(self, ...)` passes `self` itself; `Base(...)`, `obj.m(...)` do not.
            receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
            through_class = receiver is not None and getattr(self.symbol(receiver), "cls", None) is not None
            if not through_class or _decorated(function.node, "classmethod"):
                positional = positional[1:]
        bound: dict[str, ast.expr] = dict(zip(positional, call.args, strict=False))
        bound.update(self.keywords(call).values)
        return bound

    # -- LangChain runnables ---------------------------------------------------------------------

    def runnable_model(self, node: ast.AST, depth: int = 0) -> Built | None:
        """The LangChain chat model a runnable is built around: `prompt | llm | parser` (or a name
        bound to one), `llm.with_structured_output(...)`, `llm.bind_tools(...)`."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.runnable_model(node.left, depth + 1) or self.runnable_model(node.right, depth + 1)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("with_structured_output", "bind_tools", "pipe")
        ):
            return self.runnable_model(node.func.value, depth + 1)
        built = self.constructor(node)
        if built is not None:
            if sdk.langchain_model(built[0]):
                return built
            return self._chain_model(built, depth) if sdk.langchain_component(built[0]) else None
        key = self.key(node)
        if key is not None and key in self.bindings:
            return self.runnable_model(self.bindings[key], depth + 1)
        return None

    def _chain_model(self, built: Built, depth: int) -> Built | None:
        """A legacy LangChain chain given its model by keyword (`LLMChain(llm=llm, ...)`), read in
        the module that builds it."""
        call = built[1]
        names: Names | None = self
        if call is not None and not self.tree.owns(call):
            module = self.repo.module_of(call) if self.repo is not None else None
            names = Names.of(self.repo, module) if self.repo is not None and module is not None else None
        if call is None or names is None:
            return None
        value = names.keywords(call).get(sdk.LANGCHAIN_CHAIN_MODEL_KEYWORD)
        return names.runnable_model(value, depth + 1) if value is not None else None

    # -- keyword arguments ------------------------------------------------------------------------

    def keywords(self, call: ast.Call) -> Keywords:
        """The keyword arguments `call` passes, splats resolved (see `Keywords`)."""
        values: dict[str, ast.expr] = {}
        unresolved: list[ast.expr] = []
        forwarded: str | None = None
        for keyword in call.keywords:
            if keyword.arg is not None:
                values[keyword.arg] = keyword.value
                continue
            found = self._splat(keyword.value, call, 0)
            if found is None:
                unresolved.append(keyword.value)
                continue
            shown, through = found
            values.update(shown)
            if through is not None:
                forwarded = through
        function = self.tree.function(call) if forwarded is not None and self.tree.owns(call) else None
        named: frozenset[str] = frozenset()
        # A `**kwargs` rebound in the function (`kwargs = {**kwargs, "revision": revision}`) may
        # hold anything: only the parameter as received excludes the named ones.
        if function is not None and not any(
            isinstance(n, ast.Name) and n.id == forwarded and isinstance(n.ctx, ast.Store)
            for n in own_nodes(*function.body)
        ):
            named = frozenset(parameter_names(function)) - {forwarded}
        return Keywords(values, tuple(unresolved), forwarded, named)

    def _splat(
        self, expr: ast.expr, site: ast.AST, depth: int
    ) -> tuple[dict[str, ast.expr], str | None] | None:
        """The keys a `**expr` carries, and the forwarded `**kwargs` parameter it passes on; None
        when the code does not show them."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Dict):
            return self._dict_literal(expr, site, depth)
        if isinstance(expr, ast.Call):
            return self._dict_call(expr, site, depth)
        if isinstance(expr, ast.IfExp):
            body = self._splat(expr.body, site, depth + 1)
            orelse = self._splat(expr.orelse, site, depth + 1)
            if body is None or orelse is None:
                return None
            return {**orelse[0], **body[0]}, body[1] or orelse[1]
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            parts = [self._splat(v, site, depth + 1) for v in expr.values]
            if any(p is None for p in parts):
                return None
            merged: dict[str, ast.expr] = {}
            through: str | None = None
            for part in reversed([p for p in parts if p is not None]):
                merged.update(part[0])
                through = through or part[1]
            return merged, through
        if isinstance(expr, ast.Name):
            return self._splat_name(expr, site, depth)
        if isinstance(expr, ast.Attribute):
            values = self.attribute_values(expr)
            if not values:
                return None
            merged = {}
            for names, value in values:
                shown = names._splat(value, value, depth + 1)
                if shown is None or shown[1] is not None:
                    return None
                merged.update(shown[0])
            return merged, None
        return None

    def _dict_literal(
        self, expr: ast.Dict, site: ast.AST, depth: int
    ) -> tuple[dict[str, ast.expr], str | None] | None:
        shown: dict[str, ast.expr] = {}
        through: str | None = None
        for key, value in zip(expr.keys, expr.values, strict=True):
            if key is None:
                inner = self._splat(value, site, depth + 1)
                if inner is None:
                    return None
                shown.update(inner[0])
                through = through or inner[1]
                continue
            name = string_value(key)
            if name is None:
                return None
            shown[name] = value
        return shown, through

    def _dict_call(
        self, expr: ast.Call, site: ast.AST, depth: int
    ) -> tuple[dict[str, ast.expr], str | None] | None:
        """`dict(a, k=v)`, `a.copy()`, `copy.deepcopy(a)`."""
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not expr.args:
            return self._splat(func.value, site, depth + 1)
        called = func.id if isinstance(func, ast.Name) else self.qualname(func)
        if called not in ("dict", "copy.copy", "copy.deepcopy"):
            return None
        shown: dict[str, ast.expr] = {}
        through: str | None = None
        for arg in expr.args:
            inner = self._splat(arg, site, depth + 1)
            if inner is None:
                return None
            shown.update(inner[0])
            through = through or inner[1]
        for keyword in expr.keywords:
            if keyword.arg is None:
                inner = self._splat(keyword.value, site, depth + 1)
                if inner is None:
                    return None
                shown.update(inner[0])
                through = through or inner[1]
            else:
                shown[keyword.arg] = keyword.value
        return shown, through

    def _splat_name(
        self, name: ast.Name, site: ast.AST, depth: int
    ) -> tuple[dict[str, ast.expr], str | None] | None:
        function = self.tree.function(site) if self.tree.owns(site) else None
        line = getattr(site, "lineno", 0)
        base: dict[str, ast.expr] = {}
        through: str | None = None
        if function is not None and function.args.kwarg is not None and function.args.kwarg.arg == name.id:
            through = name.id
        elif function is not None and name.id in parameter_names(function):
            return None
        else:
            scope_nodes = own_nodes(*function.body) if function is not None else iter(self.tree.module.body)
            assigned = [
                value
                for node in scope_nodes
                for target, value in _assigned(node)
                if isinstance(target, ast.Name) and target.id == name.id and value.lineno <= line
            ]
            if assigned:
                for value in assigned:
                    part = self._splat(value, value, depth + 1)
                    if part is None:
                        return None
                    base.update(part[0])
                    through = through or part[1]
            else:
                resolved = self.value_of(name)
                if resolved is None:
                    return None
                names, constant = resolved
                shown = names._splat(constant, constant, depth + 1)
                if shown is None or shown[1] is not None:
                    return None
                base.update(shown[0])
        updates = self._updates(name.id, function, line)
        if updates is None:
            return None
        for key, update in updates:
            if update is None:
                base.pop(key, None)
            else:
                base[key] = update
        return base, through

    def _updates(
        self, name: str, function: ast.FunctionDef | ast.AsyncFunctionDef | None, line: int
    ) -> list[tuple[str, ast.expr | None]] | None:
        """Changes made to the dict `name` before `line` in its scope: `d["k"] = v`, `d.update(...)`,
        `d.setdefault("k", v)`, `d.pop("k")`, `del d["k"]` (a None value means removed). None
        when a change's key is not a literal."""
        nodes = sorted(
            (
                n
                for n in (own_nodes(*function.body) if function else self.tree.module.body)
                if _line(n) < line
            ),
            key=_line,
        )
        found: list[tuple[str, ast.expr | None]] = []
        for node in nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and _is_name(target.value, name):
                        key = string_value(target.slice)
                        if key is None:
                            return None
                        found.append((key, node.value))
            elif isinstance(node, ast.Delete):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and _is_name(target.value, name):
                        key = string_value(target.slice)
                        if key is not None:
                            found.append((key, None))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and _is_name(node.func.value, name)
            ):
                method = node.func.attr
                if method == "update":
                    for arg in node.args:
                        part = self._splat(arg, node, _MAX_DEPTH - 1)
                        if part is None:
                            return None
                        found.extend(part[0].items())
                    found.extend((k.arg, k.value) for k in node.keywords if k.arg is not None)
                    if any(k.arg is None for k in node.keywords):
                        return None
                elif method == "setdefault" and node.args:
                    key = string_value(node.args[0])
                    if key is None:
                        return None
                    value = node.args[1] if len(node.args) > 1 else ast.Constant(None)
                    found.append((key, value))
                elif method == "pop" and node.args:
                    key = string_value(node.args[0])
                    if key is not None:
                        found.append((key, None))
        return found

    # -- forwarding summaries ---------------------------------------------------------------------

    def forwards(self, function: Function, depth: int = 0) -> tuple[Forward, ...]:
        """The calls `function` makes with its own `**kwargs` (directly, or through project
        functions that forward theirs), computed once per function."""
        cached = self._forwards.get(id(function))
        if cached is not None:
            return cached
        parameter = function.kwargs_parameter
        if parameter is None or self.repo is None or depth > 3:
            return ()
        names = self if function.module is self.module else Names.of(self.repo, function.module)
        found: list[Forward] = []
        for call in function.calls:
            keywords = names.keywords(call)
            if keywords.forwarded != parameter:
                continue
            found.append(Forward(call, names, keywords, (function,)))
            inner = names.target(call)
            if inner is not None and inner is not function:
                for forward in names.forwards(inner, depth + 1):
                    found.append(dataclasses.replace(forward, chain=(function, *forward.chain)))
        result = tuple(found)
        self._forwards[id(function)] = result
        return result

    # -- configuration taint -----------------------------------------------------------------------

    def config_source(self, expr: ast.expr, depth: int = 0) -> str | None:
        """Where a value comes from when it is external or deserialised configuration: a short
        description ("`json.load`", "`config.get(...)`", "a request body"), or None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            return self.config_source(expr.value, depth + 1)
        if isinstance(expr, (ast.BoolOp, ast.IfExp)):
            parts = expr.values if isinstance(expr, ast.BoolOp) else [expr.body, expr.orelse]
            for part in parts:
                found = self.config_source(part, depth + 1)
                if found:
                    return found
            return None
        if isinstance(expr, ast.Call):
            return self._config_call(expr, depth)
        if isinstance(expr, (ast.Attribute, ast.Subscript)):
            root = expr.value
            if isinstance(root, ast.Name) and (_CONFIG_NAME.match(root.id) or _REQUEST_NAME.match(root.id)):
                if isinstance(expr, ast.Attribute) and _REQUEST_NAME.match(root.id):
                    return "a request body" if expr.attr in _REQUEST_BODY else None
                return f"`{root.id}`, a configuration object"
            return self.config_source(root, depth + 1)
        if isinstance(expr, ast.Name):
            return self._config_name(expr, depth)
        if isinstance(expr, ast.Dict):
            for value in expr.values:
                found = self.config_source(value, depth + 1)
                if found:
                    return found
        return None

    # -- request data ------------------------------------------------------------------------------

    def request_source(self, expr: ast.expr, depth: int = 0) -> str | None:
        """What the client of a web handler sent that `expr` holds ("the `Content-Type` request
        header", "the request body", "a request query parameter"), or None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            return self.request_source(expr.value, depth + 1)
        if isinstance(expr, (ast.BoolOp, ast.IfExp)):
            parts = expr.values if isinstance(expr, ast.BoolOp) else [expr.body, expr.orelse]
            return next((f for p in parts if (f := self.request_source(p, depth + 1))), None)
        if isinstance(expr, ast.Subscript):
            return self._client_part(expr.value, expr.slice) or self.request_source(expr.value, depth + 1)
        if isinstance(expr, ast.Attribute):
            return self._client_part(expr, None) or self.request_source(expr.value, depth + 1)
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute):
                if func.attr in web.CLIENT_READS and self.is_request(func.value):
                    return "the request body"
                if func.attr in web.PASS_THROUGH:
                    key = expr.args[0] if func.attr == "get" and expr.args else None
                    return self._client_part(func.value, key) or self.request_source(func.value, depth + 1)
            elif isinstance(func, ast.Name) and func.id == "str" and expr.args:
                return self.request_source(expr.args[0], depth + 1)
            return None
        if isinstance(expr, ast.Name):
            return self._request_name(expr, depth)
        return None

    def _client_part(self, node: ast.expr, key: ast.expr | None) -> str | None:
        """`request.headers` (with `key`, one header of it): what the client sent, described."""
        if not (isinstance(node, ast.Attribute) and node.attr in web.CLIENT_ATTRIBUTES):
            return None
        if not self.is_request(node.value):
            return None
        part = web.CLIENT_ATTRIBUTES[node.attr]
        if part == "body":
            return "the request body"
        named = string_value(key)
        return f"the `{named}` request {part}" if named else f"a request {part}"

    def _request_name(self, name: ast.Name, depth: int) -> str | None:
        """A local name assigned request data earlier in its function."""
        values = self._earlier_values(name, loops=False)
        return next(filter(None, (self.request_source(value, depth + 1) for value in values)), None)

    def is_request(self, node: ast.AST) -> bool:
        """Is `node` the request a web handler is serving: a framework's request proxy, or a
        parameter (of its function or an enclosing one) annotated with a framework's request
        class, or named `request`/`req` without an annotation in a module importing a serving
        framework?"""
        if not isinstance(node, ast.Name):
            return False
        if self.qualname(node) in web.REQUEST_GLOBALS:
            return True
        if not self.tree.owns(node):
            return False
        for ancestor in self.tree.ancestors(node):
            if not isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            args = ancestor.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if arg.arg == node.id:
                    return self._request_parameter(arg)
        return False

    def _request_parameter(self, arg: ast.arg) -> bool:
        if arg.annotation is None:
            return bool(_REQUEST_NAME.match(arg.arg)) and self._serving_module
        annotation = _unwrap_optional(arg.annotation)
        text = string_value(annotation)
        if text is not None:
            return web.is_request_class(self.imports.get(text, text))
        return web.is_request_class(self.qualname(annotation))

    @functools.cached_property
    def _serving_module(self) -> bool:
        return any(web.is_serving_module(imported) for imported in self.imports.values())

    @functools.cached_property
    def may_hold_requests(self) -> bool:
        """Does the module import a web framework (else no name of it holds a request)?"""
        return any(imported.split(".")[0] in web.FRAMEWORKS for imported in self.imports.values())

    def _config_call(self, call: ast.Call, depth: int) -> str | None:
        name = self.call_name(call)
        if name in _CONFIG_LOADERS:
            return f"`{name}`"
        func = call.func
        if isinstance(func, ast.Attribute):
            if _FROM_CONFIG.match(func.attr):
                return f"`{func.attr}(...)`"
            receiver = func.value.id if isinstance(func.value, ast.Name) else ""
            if func.attr in ("json", "get_json", "body") and _REQUEST_NAME.match(receiver):
                return "a request body"
            if func.attr in _COPIES or func.attr in ("get", "pop"):
                found = self.config_source(func.value, depth + 1)
                if found is None and func.attr in ("get", "pop") and _CONFIG_NAME.match(receiver):
                    return f"`{receiver}.{func.attr}(...)`"
                return found
        if isinstance(func, ast.Name) and func.id in _COPIES:
            for arg in call.args:
                found = self.config_source(arg, depth + 1)
                if found:
                    return found
        return None

    def _config_name(self, name: ast.Name, depth: int) -> str | None:
        values = self._earlier_values(name, loops=True)
        return next(filter(None, (self.config_source(value, depth + 1) for value in values)), None)

    def value_at(self, name: ast.Name) -> ast.expr | None:
        """The one value a name stands for where it is used, as written: the last its function
        assigns it before the use, else the last its module assigns it. None for a parameter or
        another name its function binds (the caller's, not known here), or one never assigned."""
        function = self.tree.function(name) if self.tree.owns(name) else None
        local = max(self._earlier_values(name, loops=False), key=lambda value: value.lineno, default=None)
        if local is not None or (function is not None and name.id in self.tree.bound_names[function]):
            return local
        module = (
            value
            for node in self.tree.scopes[self.tree.module]
            for target, value in _assigned(node)
            if _is_name(target, name.id)
        )
        return max(module, key=lambda value: value.lineno, default=None)

    def _earlier_values(self, name: ast.Name, loops: bool) -> Iterator[ast.expr]:
        """What a local name (not a parameter) of its function was assigned before its use, and,
        with `loops`, what the loops binding it iterate over."""
        function = self.tree.function(name) if self.tree.owns(name) else None
        if function is None or name.id in parameter_names(function):
            return
        for node in own_nodes(*function.body):
            for target, value in _assigned(node):
                if isinstance(target, ast.Name) and target.id == name.id and value.lineno <= name.lineno:
                    yield value
            if loops and isinstance(node, (ast.For, ast.AsyncFor)) and _binds(node.target, name.id):
                yield node.iter


# Declarations of a settings field whose default is their `default` (or first) argument.
_FIELD_DECLARATIONS = frozenset(["pydantic.Field", "pydantic.fields.Field", "dataclasses.field"])


def _field_read(node: ast.expr) -> tuple[ast.expr, str] | None:
    """The object and the field name a read names: `holder.field`, `getattr(holder, "field")`."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value, node.attr
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) == 2
        and not node.keywords
    ):
        field = string_value(node.args[1])
        return (node.args[0], field) if field is not None else None
    return None


def parameter_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Every name the function's parameters bind (`*args` and `**kwargs` included)."""
    return {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}


def _decorated(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    return any(isinstance(d, ast.Name) and d.id == name for d in function.decorator_list)


def _assigned(node: ast.AST) -> Iterator[tuple[ast.expr, ast.expr]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield target, node.value
    elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
        yield node.target, node.value


def _binds(target: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def _unwrap_optional(annotation: ast.expr) -> ast.expr:
    """`Optional[X]` / `X | None` -> `X`."""
    if isinstance(annotation, ast.Subscript) and getattr(annotation.value, "id", "") == "Optional":
        return annotation.slice
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        if is_none(annotation.right):
            return annotation.left
        if is_none(annotation.left):
            return annotation.right
    return annotation
