"""The repository model: one lazily built index of the revision under review.

`Repository` is built from two seams of the change (`Change.list_repo`, `Change.post.read`): the
tracked files of the index for `--staged`, of the head commit for ranges and pull requests — never
a working tree that may differ. Nothing is read or parsed until a rule or the persona review asks.

What it answers (the public API; rules reach it through `SourceFile.repo`, the persona review's
context pack through the same object):

- files: `files`, `glob(pattern)`, `text(path)`, `containing(words, glob)` (a word screen answered
  by `git grep` where the change has an index or commit), `mentions(pattern, glob, words)`.
- modules: `module(path)` parses one Python file on demand into a `Module` (imports, module
  constants and dict literals, functions with parameters, classes with bases, methods and
  `self.attr` assignments), cached for the review; `module_path(name, near)` maps an import name
  to the file that defines it (package `__init__` files, `src/` layouts, monorepos);
  `module_name(path)` is the reverse.
- symbols: `lookup(module, name)` and `member(symbol, attr)` resolve a name through imports,
  relative imports and re-exports (`from .impl import Client` in an `__init__`) to a `Symbol`:
  a project `Function`/`Class`/module constant, or the qualified name of something outside the
  repository. `symbol(qualname)` looks a dotted project name up directly.
- call graph, one hop: `Function.calls` (the calls a function makes) and `callers(name)` (the
  calls of a function or method name across the repository, found by a word screen that parses
  only the files that mention the name).
- inheritance: `base_classes(cls)` (project bases, transitively) and `method(cls, name)`,
  `attribute_values(cls, name)` (what `self.<name>` is assigned, in the class or its bases).

Bounds: files over `Budget.max_file_bytes` are not parsed; files other than the changed ones are
parsed within `Budget.max_modules` and `Budget.max_parse_bytes` per review; searches of the whole
repository go through the `containing` word screen and caller searches scan at most
`Budget.max_scan_bytes`; `parsed` and `read` count what a review cost. Past a bound the model
answers "unknown" (None, or an incomplete `Callers`), which rules turn into silence, never into a
finding. Every bound counts files or bytes, never time: the same revision gives the same answers
on a busy machine (and the persona review the same request, which its cache answers).
"""

from __future__ import annotations

import ast
import dataclasses
import fnmatch
import functools
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import PurePosixPath

Read = Callable[[str], bytes | None]
Prefetch = Callable[[Iterable[str]], None]
# The files holding one of some literal words (`git grep`), or None when the search failed.
Search = Callable[[Sequence[str]], frozenset[str] | None]
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_STDLIB = frozenset(sys.stdlib_module_names)
_MAX_HOPS = 8


@dataclasses.dataclass(frozen=True)
class Budget:
    """How much of the repository one review may parse and scan beyond the changed files."""

    max_file_bytes: int = 1_000_000
    max_modules: int = 400
    # Seconds of parsing (4-8 MB a second); max_modules usually binds first.
    max_parse_bytes: int = 24 * 2**20
    max_scan_bytes: int = 64 * 2**20


@dataclasses.dataclass(frozen=True)
class Imported:
    """One imported name: `from {module} import {name}` (name None for `import {module}`);
    `level` counts the leading dots of a relative import."""

    module: str
    name: str | None
    level: int = 0


# Leaf markers (`Load`, `Store`, `Add`, `And`, `Eq`, ...): the parser shares one object of each
# among all the nodes of a module, so they have no parent of their own; rules read them as the
# attribute of their node (`node.op`), never as nodes.
MARKERS = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`ast.iter_child_nodes` as a list, without the shared leaf `MARKERS`. Every walk of a review
    goes through here, once per node: a list and no generator is what keeps walks of large files
    cheap."""
    found: list[ast.AST] = []
    for field in node._fields:
        value = getattr(node, field, None)
        if type(value) is list:
            found.extend(
                [item for item in value if isinstance(item, ast.AST) and not isinstance(item, MARKERS)]
            )
        elif isinstance(value, ast.AST) and not isinstance(value, MARKERS):
            found.append(value)
    return found


def parameter_default(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    """The default value of `function`'s parameter `name` (None when it has none)."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    offset = len(positional) - len(args.defaults)
    for index, arg in enumerate(positional):
        if arg.arg == name:
            return args.defaults[index - offset] if index >= offset else None
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if arg.arg == name:
            return default
    return None


def shared_folders(path: str, other: str) -> int:
    """How many leading folders two repository paths share."""
    shared = 0
    for mine, theirs in zip(path.split("/")[:-1], other.split("/")[:-1], strict=False):
        if mine != theirs:
            break
        shared += 1
    return shared


def own_nodes(*roots: ast.AST) -> Iterator[ast.AST]:
    """The roots and what they contain, not entering nested functions, lambdas or classes."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        yield node
        stack.extend([c for c in child_nodes(node) if not isinstance(c, _NESTED)])


class Function:
    """A function or method of a project module."""

    def __init__(
        self, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: Class | None
    ) -> None:
        self.module = module
        self.node = node
        self.owner = owner
        self.name = node.name
        self.qualname = f"{owner.qualname if owner else module.name}.{node.name}"

    def __repr__(self) -> str:
        return f"<Function {self.qualname} {self.module.path}:{self.node.lineno}>"

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @functools.cached_property
    def parameters(self) -> tuple[str, ...]:
        """Every named parameter, positional ones first (`self`/`cls` included)."""
        args = self.node.args
        return tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))

    @property
    def kwargs_parameter(self) -> str | None:
        """The name of its `**kwargs` parameter, if any."""
        return self.node.args.kwarg.arg if self.node.args.kwarg else None

    def default(self, name: str) -> ast.expr | None:
        """The default value of parameter `name` (None when it has none)."""
        return parameter_default(self.node, name)

    def annotation(self, name: str) -> ast.expr | None:
        args = self.node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.arg == name:
                return arg.annotation
        return None

    @functools.cached_property
    def nodes(self) -> tuple[ast.AST, ...]:
        """The nodes of its own body (not of nested functions or classes)."""
        return tuple(own_nodes(*self.node.body))

    @functools.cached_property
    def calls(self) -> tuple[ast.Call, ...]:
        """The calls it makes itself, in source order: the edges of the one-hop call graph."""
        found = [n for n in self.nodes if isinstance(n, ast.Call)]
        return tuple(sorted(found, key=lambda c: (c.lineno, c.col_offset)))

    @functools.cached_property
    def returns(self) -> tuple[ast.expr, ...]:
        return tuple(n.value for n in self.nodes if isinstance(n, ast.Return) and n.value is not None)

    @functools.cached_property
    def awaits(self) -> bool:
        """Awaits something, or iterates or enters asynchronously (it can yield to the loop)."""
        return any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in self.nodes)


class Class:
    """A class of a project module: bases (as written), methods, and `self.attr` assignments."""

    def __init__(self, module: Module, node: ast.ClassDef, prefix: str) -> None:
        self.module = module
        self.node = node
        self.name = node.name
        self.qualname = f"{prefix}.{node.name}"
        self.bases: tuple[ast.expr, ...] = tuple(node.bases)
        self.methods: dict[str, Function] = {}
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.methods[statement.name] = Function(module, statement, self)

    def __repr__(self) -> str:
        return f"<Class {self.qualname} {self.module.path}:{self.node.lineno}>"

    @functools.cached_property
    def attributes(self) -> dict[str, tuple[ast.expr, ...]]:
        """Values assigned to `self.<name>` in its methods (`__init__` first) and to `<name>` in
        the class body: every assignment, since any of them may be the one in effect."""
        found: dict[str, list[ast.expr]] = {}
        for statement in self.node.body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append(statement.value)
        methods = sorted(self.methods.values(), key=lambda f: f.name != "__init__")
        for method in methods:
            self_name = method.parameters[0] if method.parameters else "self"
            for node in method.nodes:
                for target, value in _assignments(node):
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == self_name
                    ):
                        found.setdefault(target.attr, []).append(value)
        return {name: tuple(values) for name, values in found.items()}


def unpacked(target: ast.expr, value: ast.expr) -> list[tuple[ast.expr, ast.expr]]:
    """`conds, params = ["a = %s"], [user]` binds `conds` to the first list alone: a tuple target
    given a tuple or list of as many values (no starred part) pairs them one by one; any other
    target takes the whole value."""
    if (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(part, ast.Starred) for part in [*target.elts, *value.elts])
    ):
        pairs = zip(target.elts, value.elts, strict=True)
        return [pair for part, item in pairs for pair in unpacked(part, item)]
    return [(target, value)]


def _assignments(node: ast.AST) -> Iterator[tuple[ast.expr, ast.expr]]:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield from unpacked(target, node.value)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        yield node.target, node.value


class Module:
    """One parsed Python module of the repository."""

    def __init__(self, path: str, name: str, tree: ast.Module, walked: list[ast.AST] | None = None) -> None:
        """`walked`: every node of `tree`, when the caller has already listed them."""
        self.path = path
        self.name = name
        self.tree = tree
        self.is_package = PurePosixPath(path).name == "__init__.py"
        self.imports: dict[str, Imported] = {}
        self.star_imports: list[Imported] = []
        self.assigned: dict[str, ast.expr] = {}
        self.functions: dict[str, Function] = {}
        self.classes: dict[str, Class] = {}
        self._index_imports(walked if walked is not None else ast.walk(tree))
        for statement in _top_level(tree.body):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[statement.name] = Function(self, statement, None)
            elif isinstance(statement, ast.ClassDef):
                self.classes[statement.name] = Class(self, statement, name)
            else:
                for target, value in _assignments(statement):
                    if isinstance(target, ast.Name):
                        self.assigned[target.id] = value

    def __repr__(self) -> str:
        return f"<Module {self.name} {self.path}>"

    def _index_imports(self, nodes: Iterable[ast.AST]) -> None:
        """Imports anywhere in the file (projects import heavy SDKs inside functions); a later
        import of the same local name wins, as it usually does at run time."""
        for node in nodes:
            if type(node) is not ast.Import and type(node) is not ast.ImportFrom:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imports[alias.asname] = Imported(alias.name, None)
                    else:
                        top = alias.name.split(".")[0]
                        self.imports[top] = Imported(top, None)
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    imported = Imported(node.module or "", alias.name, node.level)
                    if alias.name == "*":
                        self.star_imports.append(imported)
                    else:
                        self.imports[alias.asname or alias.name] = imported

    def holds(self, node: ast.AST) -> bool:
        return id(node) in self._node_ids

    @functools.cached_property
    def _node_ids(self) -> frozenset[int]:
        return frozenset(map(id, ast.walk(self.tree)))

    @functools.cached_property
    def every_function(self) -> tuple[Function, ...]:
        """Its functions and the methods of its classes."""
        return (*self.functions.values(), *(m for c in self.classes.values() for m in c.methods.values()))

    def function_at(self, node: ast.AST) -> Function | None:
        """The project function whose definition is `node`."""
        for function in self.every_function:
            if function.node is node:
                return function
        return None


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those under `if`/`try` (TYPE_CHECKING, optional imports)."""
    for statement in body:
        if isinstance(statement, ast.If):
            yield from _top_level(statement.body)
            yield from _top_level(statement.orelse)
        elif isinstance(statement, ast.Try):
            yield from _top_level(statement.body)
            for handler in statement.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(statement.orelse)
        else:
            yield statement


@dataclasses.dataclass(frozen=True)
class Symbol:
    """What a name stands for. `qualname`: dotted name (a project symbol's starts with its module's
    name). For a project symbol, `module` is where it is defined and one of `function`, `cls`,
    `value` (a module-level assigned value) is set, or `is_module` for a project module."""

    qualname: str
    module: Module | None = None
    function: Function | None = None
    cls: Class | None = None
    value: ast.expr | None = None
    is_module: bool = False

    @property
    def in_project(self) -> bool:
        return self.module is not None


@dataclasses.dataclass(frozen=True)
class CallSite:
    """A call found in the repository: its module, the call, and the function making it."""

    module: Module
    call: ast.Call
    function: Function | None


@dataclasses.dataclass(frozen=True)
class Callers:
    """The calls of a name across the repository; `complete` is False when a bound stopped the search."""

    sites: tuple[CallSite, ...]
    complete: bool


@dataclasses.dataclass
class _Search:
    """How a repository-wide search ended: False when a bound or an unparseable file left files out."""

    complete: bool = True


class Repository:
    """The repository under review, at the revision under review. One per review."""

    def __init__(
        self,
        list_files: Callable[[], tuple[str, ...]],
        read: Read,
        prefetch: Prefetch | None = None,
        budget: Budget | None = None,
        search: Search | None = None,
    ) -> None:
        self._list_files = list_files
        self._read = read
        self._prefetch = prefetch
        self._search = search
        self.budget = budget or Budget()
        self._modules: dict[str, Module | None] = {}
        self._parsed = 0
        self._parsed_bytes = 0
        self._read_paths: set[str] = set()

    # -- files ------------------------------------------------------------------------------

    @functools.cached_property
    def files(self) -> tuple[str, ...]:
        return self._list_files()

    @functools.cached_property
    def _tracked(self) -> frozenset[str]:
        return frozenset(self.files)

    def tracks(self, path: str) -> bool:
        """Is `path` a file of the reviewed revision?"""
        return path in self._tracked

    def glob(self, pattern: str) -> list[str]:
        return [
            f
            for f in self.files
            if fnmatch.fnmatchcase(f, pattern) or fnmatch.fnmatchcase(f.rsplit("/", 1)[-1], pattern)
        ]

    @functools.cache  # noqa: B019 - one Repository per review; the cache dies with it
    def text(self, path: str) -> str | None:
        data = self._data(path)
        return None if data is None else data.decode("utf-8", errors="replace")

    @functools.cache  # noqa: B019 - one Repository per review; the cache dies with it
    def _data(self, path: str) -> bytes | None:
        """A file's bytes, read once for searching and parsing alike."""
        self._read_paths.add(path)
        return self._read(path)

    @functools.cache  # noqa: B019 - one Repository per review; the cache dies with it
    def containing(self, words: tuple[str, ...], glob: str = "*.py") -> tuple[str, ...]:
        """The files matching `glob` whose text holds one of the literal `words`, in `files`
        order: the screen in front of every search of the whole repository. The change's index
        answers it (`git grep`) without this process reading the files; only when it cannot
        search is every file read here."""
        paths = self.glob(glob)
        found = self._search(words) if self._search is not None else None
        if found is not None:
            hits = [p for p in paths if p in found]
            self._prefetched(hits)
            return tuple(hits)
        self._prefetched(paths)
        return tuple(p for p in paths if (text := self.text(p)) is not None and any(w in text for w in words))

    @functools.cache  # noqa: B019 - one Repository per review; the cache dies with it
    def mentions(self, pattern: re.Pattern[str], glob: str, words: tuple[str, ...] = ()) -> bool:
        """Does any repository file matching `glob` contain `pattern`? `words`: literals one of
        which every match holds, so that only the files holding one are read. Answered once
        per review."""
        paths = self.containing(words, glob) if words else self.glob(glob)
        self._prefetched(list(paths))
        return any(text is not None and pattern.search(text) is not None for text in map(self.text, paths))

    def _prefetched(self, paths: list[str]) -> None:
        if self._prefetch is not None and len(paths) > 1:
            self._prefetch(paths)

    # -- the module map -----------------------------------------------------------------------

    @functools.cached_property
    def python_files(self) -> tuple[str, ...]:
        return tuple(f for f in self.files if f.endswith(".py"))

    @functools.cached_property
    def _packages(self) -> frozenset[str]:
        """Directories holding an `__init__.py`."""
        return frozenset(f[: -len("/__init__.py")] for f in self.python_files if f.endswith("/__init__.py"))

    @functools.cached_property
    def _index(self) -> dict[str, list[tuple[str, str]]]:
        """Each dotted name a file can be imported as, mapped to (path, source root) pairs: a name
        may start at any directory whose parent is not a package (the repository root, `src/`,
        a monorepo's package folders, a scripts folder)."""
        index: dict[str, list[tuple[str, str]]] = {}
        for path in self.python_files:
            parts = path[: -len(".py")].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or not all(p.isidentifier() for p in parts[-1:]):
                continue
            for start in range(len(parts)):
                root = "/".join(parts[:start])
                if start and root in self._packages:
                    continue
                names = parts[start:]
                if all(p.isidentifier() for p in names):
                    index.setdefault(".".join(names), []).append((path, root))
        return index

    def module_name(self, path: str) -> str:
        """The dotted name `path` is imported as: from its topmost enclosing package (directories
        without `__init__.py` below it are namespace portions of it), else its own name."""
        parts = path[: -len(".py")].split("/") if path.endswith(".py") else path.split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for start in range(1, len(parts)):
            if "/".join(parts[:start]) in self._packages:
                return ".".join(parts[start - 1 :])
        return parts[-1] if parts else ""

    def module_path(self, name: str, near: str = "") -> str | None:
        """The file that `import {name}` reaches from the file `near`; None when `name` is not a
        project module (standard library names never are)."""
        if not name or name.split(".")[0] in _STDLIB:
            return None
        candidates = self._index.get(name, [])
        here = near.rsplit("/", 1)[0] if "/" in near else ""
        accepted = [(path, root) for path, root in candidates if self._importable(name, path, root, here)]
        if not accepted:
            return None

        def closeness(candidate: tuple[str, str]) -> tuple[int, int]:
            path, _ = candidate
            return (-shared_folders(path, near), len(path))

        return min(accepted, key=closeness)[0]

    def _importable(self, name: str, path: str, root: str, here: str) -> bool:
        """A real package is importable from anywhere; a loose module or a namespace directory
        only from files under its source root (the directory Python puts on sys.path)."""
        top = name.split(".")[0]
        top_dir = f"{root}/{top}" if root else top
        if top_dir in self._packages:
            return True
        return not root or here == root or here.startswith(root + "/")

    def relative_base(self, path: str, level: int) -> str:
        """The package directory a relative import with `level` dots starts from."""
        parts = path.split("/")[:-1]
        return "/".join(parts[: len(parts) - (level - 1)]) if level - 1 <= len(parts) else ""

    def _relative_path(self, path: str, imported: Imported) -> str | None:
        base = self.relative_base(path, imported.level)
        sub = imported.module.replace(".", "/")
        target = f"{base}/{sub}" if base and sub else base or sub
        for candidate in (f"{target}.py", f"{target}/__init__.py" if target else "__init__.py"):
            if candidate in self._python_set:
                return candidate
        return None

    @functools.cached_property
    def _python_set(self) -> frozenset[str]:
        return frozenset(self.python_files)

    # -- parsing --------------------------------------------------------------------------------

    def adopt(self, path: str, tree: ast.Module, walked: list[ast.AST] | None = None) -> Module:
        """Register a changed file's tree, already parsed (and walked) by the rules' source facade."""
        module = Module(path, self.module_name(path), tree, walked)
        self._modules[path] = module
        return module

    def module(self, path: str) -> Module | None:
        """The parsed module at `path`; None when it is not a readable Python file of this
        revision, does not parse, or the review's parsing budget is spent."""
        if path in self._modules:
            return self._modules[path]
        module = self._parse(path)
        self._modules[path] = module
        return module

    @property
    def budget_left(self) -> bool:
        return self._parsed < self.budget.max_modules and self._parsed_bytes < self.budget.max_parse_bytes

    def _parse(self, path: str) -> Module | None:
        if not path.endswith(".py") or not self.budget_left:
            return None
        data = self._data(path)
        if data is None or len(data) > self.budget.max_file_bytes:
            return None
        self._parsed += 1
        self._parsed_bytes += len(data)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(data, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return Module(path, self.module_name(path), tree)

    @property
    def parsed(self) -> int:
        """How many modules this review parsed beyond the changed files."""
        return self._parsed

    @property
    def read(self) -> int:
        """How many repository files this review read in full, to search or parse them (the
        changed files are read by the review itself, not through here)."""
        return len(self._read_paths)

    # -- symbols ----------------------------------------------------------------------------------

    def resolve_import(self, module: Module, imported: Imported, hops: int = 0) -> Symbol | None:
        """What an import of `module` binds: a project symbol or module, or an external name."""
        if hops > _MAX_HOPS:
            return None
        if imported.level:
            target = self._relative_path(module.path, imported)
            if imported.name is None:
                return self._module_symbol(target) if target else None
            if target is not None:
                found = self._lookup_path(target, imported.name, hops + 1)
                if found is not None:
                    return found
            base = self.relative_base(module.path, imported.level)
            sub = "/".join(p for p in (base, imported.module.replace(".", "/"), imported.name) if p)
            return self._module_symbol(f"{sub}.py") or self._module_symbol(f"{sub}/__init__.py")
        if imported.name is None:
            path = self.module_path(imported.module, module.path)
            if path is not None:
                return self._module_symbol(path)
            return Symbol(imported.module)
        path = self.module_path(imported.module, module.path)
        if path is None:
            return Symbol(f"{imported.module}.{imported.name}")
        found = self._lookup_path(path, imported.name, hops + 1)
        if found is not None:
            return found
        submodule = self.module_path(f"{imported.module}.{imported.name}", module.path)
        if submodule is not None:
            return self._module_symbol(submodule)
        # A package whose names the model cannot place (lazy `__getattr__` exports): the name as
        # written, as for a name from outside the repository.
        return Symbol(f"{imported.module}.{imported.name}")

    def _module_symbol(self, path: str) -> Symbol | None:
        if path not in self._python_set:
            return None
        module = self.module(path)
        if module is None:
            return None
        return Symbol(module.name, module, is_module=True)

    def _lookup_path(self, path: str, name: str, hops: int) -> Symbol | None:
        module = self.module(path)
        return self.lookup(module, name, hops) if module is not None else None

    def lookup(self, module: Module, name: str, hops: int = 0) -> Symbol | None:
        """What the module-level name `name` of `module` is: a definition, a constant, or what it
        was imported or aliased from (following re-exports); None when unknown."""
        if hops > _MAX_HOPS:
            return None
        qualname = f"{module.name}.{name}"
        if name in module.functions:
            return Symbol(qualname, module, function=module.functions[name])
        if name in module.classes:
            return Symbol(qualname, module, cls=module.classes[name])
        if name in module.imports:
            return self.resolve_import(module, module.imports[name], hops + 1)
        if name in module.assigned:
            value = module.assigned[name]
            if isinstance(value, (ast.Name, ast.Attribute)):
                aliased = self.expression(module, value, hops + 1)
                if aliased is not None:
                    return aliased
            return Symbol(qualname, module, value=value)
        if module.is_package:
            sub = module.path.rsplit("/", 1)[0] if "/" in module.path else ""
            prefix = f"{sub}/{name}" if sub else name
            found = self._module_symbol(f"{prefix}.py") or self._module_symbol(f"{prefix}/__init__.py")
            if found is not None:
                return found
        for star in module.star_imports:
            origin = self.resolve_import(module, Imported(star.module, None, star.level), hops + 1)
            if origin is not None and origin.module is not None and origin.is_module:
                found = self.lookup(origin.module, name, hops + 1)
                if found is not None:
                    return found
        return None

    def member(self, symbol: Symbol, attr: str, hops: int = 0) -> Symbol | None:
        """`symbol.attr`: a module's name, a class's method or class attribute, or an external
        dotted name."""
        if symbol.is_module and symbol.module is not None:
            return self.lookup(symbol.module, attr, hops + 1)
        if symbol.cls is not None:
            method = self.method(symbol.cls, attr)
            if method is not None:
                return Symbol(method.qualname, method.module, function=method)
            return None
        if symbol.module is None:
            return Symbol(f"{symbol.qualname}.{attr}")
        return None

    def expression(self, module: Module, node: ast.expr, hops: int = 0) -> Symbol | None:
        """What a `Name` or dotted `Attribute` written at module level of `module` refers to."""
        if isinstance(node, ast.Name):
            return self.lookup(module, node.id, hops + 1)
        if isinstance(node, ast.Attribute):
            base = self.expression(module, node.value, hops + 1)
            return self.member(base, node.attr, hops + 1) if base is not None else None
        return None

    def symbol(self, qualname: str, near: str = "") -> Symbol | None:
        """A project symbol by dotted name (`pkg.llm.make_client`, `pkg.llm.Client.ask`)."""
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.module_path(".".join(parts[:cut]), near)
            if path is None:
                continue
            found = self._module_symbol(path)
            for attr in parts[cut:]:
                found = self.member(found, attr) if found is not None else None
            return found
        return None

    # -- classes -------------------------------------------------------------------------------

    def base_classes(self, cls: Class) -> list[Class | str]:
        """The bases of `cls`, transitively: project classes, and the qualified names of external
        ones (where the chain leaves the repository)."""
        found: list[Class | str] = []
        seen = {id(cls)}
        queue = [cls]
        while queue and len(found) < 32:
            current = queue.pop(0)
            for base in current.bases:
                written = _subscript_base(base)
                symbol = self.expression(current.module, written)
                if symbol is not None and symbol.cls is current and isinstance(written, ast.Name):
                    # `class Dataset(Dataset)`: the base is what the name held before the class
                    # statement rebound it, an import.
                    imported = current.module.imports.get(written.id)
                    symbol = self.resolve_import(current.module, imported) if imported else None
                if symbol is None:
                    continue
                if symbol.cls is not None:
                    if id(symbol.cls) not in seen:
                        seen.add(id(symbol.cls))
                        found.append(symbol.cls)
                        queue.append(symbol.cls)
                elif symbol.module is None:
                    found.append(symbol.qualname)
        return found

    def method(self, cls: Class, name: str) -> Function | None:
        """`name` as `cls` resolves it: its own method or the nearest project base's."""
        if name in cls.methods:
            return cls.methods[name]
        for base in self.base_classes(cls):
            if isinstance(base, Class) and name in base.methods:
                return base.methods[name]
        return None

    def attribute_values(self, cls: Class, name: str) -> list[tuple[Class, ast.expr]]:
        """Every value assigned to `self.<name>` (or the class attribute) in `cls` and its project
        bases, with the class whose code assigns it."""
        found = [(cls, value) for value in cls.attributes.get(name, ())]
        for base in self.base_classes(cls):
            if isinstance(base, Class):
                found.extend((base, value) for value in base.attributes.get(name, ()))
        return found

    def subclasses_external(self, cls: Class) -> list[str]:
        """The external classes `cls` derives from (directly or through project bases)."""
        return [b for b in self.base_classes(cls) if isinstance(b, str)]

    def module_of(self, node: ast.AST) -> Module | None:
        """The parsed module whose tree holds `node`: resolvers hand back nodes of other modules
        (a constructor call, a base class), and whoever shows them needs their file."""
        for module in self._modules.values():
            if module is not None and module.holds(node):
                return module
        return None

    # -- the call graph ---------------------------------------------------------------------------

    def callers(self, name: str, limit: int = 200) -> Callers:
        """Calls of a function or method named `name` anywhere in the repository's Python files
        (`name(...)`, `x.name(...)`), found by a text search that parses only the files that
        mention `name`. Matched by name: callers may resolve them further."""
        pattern = re.compile(rf"(?<![\w.])(?:[\w.]*\.)?{re.escape(name)}\s*\(")
        sites: list[CallSite] = []
        search = _Search()
        for module in self._modules_matching(name, pattern, search):
            sites.extend(self._calls_named(module, name))
            if len(sites) >= limit:
                return Callers(tuple(sites[:limit]), False)
        return Callers(tuple(sites), search.complete)

    def definitions(self, name: str, limit: int = 2) -> list[Symbol]:
        """Functions, classes and methods named `name` anywhere in the repository's Python files
        (module or class level), found like `callers`: a word screen, then a text search that
        parses only the files defining `name`, within the scan budget. At most `limit` (a caller
        wanting the one definition asks for two)."""
        pattern = re.compile(rf"^\s*(?:async\s+def|def|class)\s+{re.escape(name)}\b", re.M)
        found: list[Symbol] = []
        for module in self._modules_matching(name, pattern, _Search()):
            if name in module.functions:
                found.append(Symbol(f"{module.name}.{name}", module, function=module.functions[name]))
            if name in module.classes:
                found.append(Symbol(f"{module.name}.{name}", module, cls=module.classes[name]))
            found.extend(
                Symbol(f"{cls.qualname}.{name}", module, function=cls.methods[name])
                for cls in module.classes.values()
                if name in cls.methods
            )
            if len(found) >= limit:
                return found[:limit]
        return found

    def _modules_matching(self, word: str, pattern: re.Pattern[str], search: _Search) -> Iterator[Module]:
        """The parsed modules of the files holding `word` whose text `pattern` finds (files already
        parsed are taken as they are), read in batches within the scan budget; `search` says
        whether a bound or an unparseable file left some out."""
        scanned = 0
        paths = list(self.containing((word,)))
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            self._prefetched([p for p in chunk if p not in self._modules])
            for path in chunk:
                module = self._modules.get(path)
                if module is None:
                    text = self.text(path)
                    if text is None:
                        continue
                    scanned += len(text)
                    if scanned > self.budget.max_scan_bytes:
                        search.complete = False
                        return
                    if pattern.search(text) is None:
                        continue
                    module = self.module(path)
                    if module is None:
                        search.complete = False
                        continue
                yield module

    def _calls_named(self, module: Module, name: str) -> Iterator[CallSite]:
        owners = {node: function for function in module.every_function for node in function.nodes}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called == name:
                    yield CallSite(module, node, owners.get(node))


def _subscript_base(node: ast.expr) -> ast.expr:
    """`Generic[T]` -> `Generic`: the class a subscripted base names."""
    return node.value if isinstance(node, ast.Subscript) else node
