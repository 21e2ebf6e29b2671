"""The context pack: what a senior reviewer would open beside the diff, taken from the repository
model (repo/), never from a resolver of its own.

For each changed Python file: the definitions of the project functions and classes its changed
lines call, instantiate, subclass or read settings from (signature, docstring, body up to a
limit); how each client a changed line uses was built; the callers of each changed public
function; and plain statements of how the code runs (async, threads, several processes or ranks).
For the change: the versions of the libraries the sent files import, from the repository's lock
files and requirements. `lookup` answers the names a model said it missed (the second look).
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from archbot.classify import LOCK_FILES, PYTHON_LOCK_FILES
from archbot.models import ChangedFile
from archbot.repo.model import Class, Function, Module, Repository, Symbol
from archbot.repo.resolve import Names

MAX_DEFINITION_LINES = 40
MAX_CALLERS = 3
MAX_VERSIONS = 12
MAX_LOOKUPS = 8
_STDLIB = frozenset(sys.stdlib_module_names)
# Callers in code of these roles come last: they say less about how the function runs in production.
_NOT_PRODUCTION = frozenset(("test", "example", "docs", "generated", "vendored"))

# How code runs, by what it imports: the fact a reviewer needs before judging shared state,
# blocking calls or side effects. One entry per module (a prefix matches its submodules).
EXECUTION: Mapping[str, str] = {
    "asyncio": "async",
    "anyio": "async",
    "trio": "async",
    "threading": "threads",
    "concurrent.futures": "threads",
    "multiprocessing": "processes",
    "torch.multiprocessing": "processes",
    "ray": "processes",
    "celery": "worker processes",
    "torch.distributed": "ranks",
    "accelerate": "ranks",
    "deepspeed": "ranks",
    "lightning": "ranks",
    "pytorch_lightning": "ranks",
    "horovod": "ranks",
}
_EXECUTION_SENTENCES = {
    "async": "it runs on an event loop (imports {modules}): a blocking call stalls every request",
    "threads": "it uses threads (imports {modules}): shared state needs a lock",
    "processes": "it starts processes (imports {modules}): state is not shared, arguments are pickled",
    "worker processes": "it runs in worker processes (imports {modules}): tasks may run twice",
    "ranks": (
        "it runs as several ranks of a distributed job (imports {modules}): code outside a rank "
        "check runs on every rank, and a collective must be reached by every rank"
    ),
}
# Import names whose distribution is named otherwise; the rest match after `_` -> `-`.
DISTRIBUTIONS: Mapping[str, str] = {
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "google.generativeai": "google-generativeai",
    "google.genai": "google-genai",
    "dotenv": "python-dotenv",
    "jwt": "pyjwt",
    "faiss": "faiss-cpu",
    "llama_cpp": "llama-cpp-python",
    "pinecone": "pinecone",
}
# Python lock files whose `[[package]]` tables _LOCKED reads.
_TOML_LOCK_FILES = frozenset(n for n in PYTHON_LOCK_FILES if LOCK_FILES[n] == "toml")
_REQUIREMENT = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*((?:[<>=!~]=?|===)\s*[^;#\s,]+(?:\s*,\s*[<>=!~]=?\s*[^;#\s,]+)*)"
)
_QUOTED_REQUIREMENT = re.compile(
    r"[\"']([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*((?:[<>=!~]=?|===)[^\"';]+)[\"']"
)
_LOCKED = re.compile(r'^name\s*=\s*"([^"]+)"\s*\nversion\s*=\s*"([^"]+)"', re.M)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One piece of context: `key` identifies it across files (shown once), `weight` orders it."""

    key: str
    title: str
    text: str
    weight: float
    # Where the text comes from (path, first line, last line), when it is one place of one file.
    where: tuple[str, int, int] | None = None

    def shown_by(self, changed: ChangedFile) -> bool:
        """The layout already shows it: it is code of `changed` around a changed line."""
        if self.where is None or self.where[0] != changed.path:
            return False
        _, start, end = self.where
        return any(start <= n <= end for n in (*changed.added_lines, *changed.removal_anchors.values()))


@dataclasses.dataclass(frozen=True)
class _Changed:
    module: Module
    names: Names
    lines: tuple[int, ...]


class Pack:
    """The context pack of one review. `texts`: the changed files' post-change texts (what the
    review read, also when the repository cannot be: a diff from stdin)."""

    def __init__(
        self,
        repo: Repository | None,
        files: Mapping[str, ChangedFile],
        texts: Mapping[str, str],
        role_of: Callable[[str], str],
    ) -> None:
        self.repo = repo
        self.files = files
        self.texts = texts
        self.role_of = role_of
        self._entries: dict[str, list[Entry]] = {}

    # --- per file -------------------------------------------------------------------------------

    def facts(self, path: str) -> list[str]:
        """Plain statements of how the file's changed code runs."""
        out: list[str] = []
        changed = self._changed(path)
        if changed is None:
            return out
        kinds: dict[str, list[str]] = {}
        for imported in _imported_modules(changed.module):
            kind = _execution_kind(imported)
            if kind is not None:
                kinds.setdefault(kind, []).append(imported)
        for kind, modules in kinds.items():
            shown = ", ".join(sorted(set(modules))[:3])
            out.append(f"{path}: {_EXECUTION_SENTENCES[kind].format(modules=shown)}")
        for function in _changed_functions(changed):
            style = "async def" if function.is_async else "def"
            out.append(f"{path}: changed lines are in `{style} {function.qualname}`")
        return out

    def entries(self, path: str) -> list[Entry]:
        """Definitions, constructions and callers for the changed lines of `path`, best first."""
        if path not in self._entries:
            changed = self._changed(path)
            found = [] if changed is None else list(self._gather(path, changed))
            best: dict[str, Entry] = {}
            for entry in found:
                if entry.key not in best or best[entry.key].weight < entry.weight:
                    best[entry.key] = entry
            self._entries[path] = sorted(best.values(), key=lambda e: -e.weight)
        return self._entries[path]

    def _changed(self, path: str) -> _Changed | None:
        if self.repo is None or not path.endswith(".py") or path not in self.files:
            return None
        module = self.repo.module(path)
        if module is None:
            return None
        changed = self.files[path]
        lines = sorted({*changed.added_lines, *changed.removal_anchors.values()})
        return _Changed(module, Names.of(self.repo, module), tuple(lines))

    def _gather(self, path: str, changed: _Changed) -> Iterator[Entry]:
        assert self.repo is not None
        repo, names = self.repo, changed.names
        for node in ast.walk(changed.module.tree):
            if not _touches(node, changed.lines):
                continue
            if isinstance(node, ast.Call):
                target = names.target(node)
                if target is not None and not _encloses(target, node, path):
                    yield self._function_entry(target, "called by a changed line", 3.0)
                symbol = names.symbol(node.func)
                if symbol is not None and symbol.cls is not None:
                    yield self._class_entry(symbol.cls, "instantiated by a changed line", 3.0)
                if isinstance(node.func, ast.Attribute):
                    yield from self._receiver(names, node.func.value, path)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                yield from self._setting(names, node)
            elif isinstance(node, ast.ClassDef):
                cls = _class_of(changed.module, node)
                for base in repo.base_classes(cls) if cls is not None else ():
                    if isinstance(base, Class):
                        yield self._class_entry(base, f"a base class of `{node.name}`", 2.5)
        for function in _changed_functions(changed):
            if not function.name.startswith("_") or function.name == "__init__":
                entry = self._callers(function)
                if entry is not None:
                    yield entry

    def _receiver(self, names: Names, receiver: ast.expr, path: str) -> Iterator[Entry]:
        """How the object a changed line calls a method on was built (`client` of
        `client.chat.completions.create`): a client's construction, or its project class."""
        assert self.repo is not None
        built = None
        while built is None and isinstance(receiver, (ast.Attribute, ast.Name)):
            built = names.constructor(receiver)
            if built is None and isinstance(receiver, ast.Attribute):
                receiver = receiver.value
            elif built is None:
                return
        if built is None:
            return
        qualname, call = built
        if call is None:
            return
        project = self.repo.symbol(qualname)
        if project is not None and project.cls is not None:
            yield self._class_entry(project.cls, "the class of an object a changed line uses", 2.0)
            return
        module = self.repo.module_of(call)
        if module is None or qualname.split(".")[0] in _STDLIB:
            return
        statement = self._statement_lines(module, call)
        if (
            module.path == path
            and set(range(statement[0], statement[1] + 1)) <= self.files[path].visible_lines
        ):
            return  # the diff shows it
        where = f"{module.path}:{statement[0]}"
        yield Entry(
            f"built:{where}",
            f"how `{ast.unparse(receiver)}` is built ({qualname}), {where}",
            self._source(module, *statement),
            4.0 if module.path != path else 3.5,
            (module.path, *statement),
        )

    def _setting(self, names: Names, node: ast.Attribute) -> Iterator[Entry]:
        """A setting read from a project settings object or module constant."""
        symbol = names.symbol(node)
        if symbol is not None and symbol.value is not None and symbol.module is not None:
            yield self._constant_entry(symbol, 2.0)
            return
        assert self.repo is not None
        base = names.symbol(node.value)
        if base is not None and base.value is not None and base.module is not None:
            built = Names.of(self.repo, base.module).constructor(base.value)
        else:
            built = names.constructor(node.value)
        if built is None:
            return
        project = self.repo.symbol(built[0])
        if project is not None and project.cls is not None:
            yield self._class_entry(project.cls, f"read by a changed line (`{ast.unparse(node)}`)", 2.5)

    def _callers(self, function: Function) -> Entry | None:
        assert self.repo is not None
        found = self.repo.callers(function.name)
        sites = []
        for site in found.sites:
            if site.function is function:
                continue
            resolved = Names.of(self.repo, site.module).target(site.call)
            if resolved is function:
                sites.append(site)
        if not sites:
            return None
        roles = {s.module.path: self.role_of(s.module.path) for s in sites}
        sites.sort(
            key=lambda s: (
                roles[s.module.path] in _NOT_PRODUCTION,
                s.module.path == function.module.path,
                s.module.path,
                s.call.lineno,
            )
        )
        parts = []
        for site in sites[:MAX_CALLERS]:
            where = f"{site.module.path}:{site.call.lineno}"
            if site.function is not None:
                style = "async def" if site.function.is_async else "def"
                where += f" in `{style} {site.function.qualname}`"
            if roles[site.module.path] != "service":
                where += f" ({roles[site.module.path]} code)"
            parts.append(
                f"{where}\n{self._source(site.module, *self._statement_lines(site.module, site.call))}"
            )
        more = len(sites) - MAX_CALLERS
        if more > 0 or not found.complete:
            parts.append(f"... and {more if more > 0 else 'possibly'} more")
        return Entry(
            f"callers:{function.qualname}",
            f"callers of `{function.qualname}` (changed)",
            "\n".join(parts),
            2.8,
        )

    def _function_entry(self, function: Function, why: str, weight: float) -> Entry:
        return self._definition("def", f"`{function.qualname}`", function.module, function.node, why, weight)

    def _class_entry(self, cls: Class, why: str, weight: float) -> Entry:
        return self._definition("class", f"class `{cls.qualname}`", cls.module, cls.node, why, weight)

    def _definition(
        self,
        kind: str,
        name: str,
        module: Module,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        why: str,
        weight: float,
    ) -> Entry:
        """A definition from its decorators to its end (bounded by MAX_DEFINITION_LINES)."""
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        end = node.end_lineno or node.lineno
        return Entry(
            f"{kind}:{name}",
            f"{name}, {why}, {module.path}:{start}",
            self._source(module, start, end),
            weight,
            (module.path, start, end),
        )

    def _constant_entry(self, symbol: Symbol, weight: float) -> Entry:
        assert symbol.module is not None and symbol.value is not None
        statement = self._statement_lines(symbol.module, symbol.value)
        return Entry(
            f"const:{symbol.qualname}",
            f"`{symbol.qualname}`, read by a changed line, {symbol.module.path}:{statement[0]}",
            self._source(symbol.module, *statement),
            weight,
            (symbol.module.path, *statement),
        )

    # --- the second look ------------------------------------------------------------------------

    def lookup(self, wanted: Sequence[str], near: Sequence[str]) -> list[Entry]:
        """Definitions for the names a model said it missed: dotted names, plain names (looked up
        from the sent files' imports and definitions, then across the project), or file paths."""
        if self.repo is None:
            return []
        out: list[Entry] = []
        for item in wanted[:MAX_LOOKUPS]:
            for word in _candidates(item):
                entry = self._lookup_one(word, near)
                if entry is not None:
                    out.append(entry)
                    break
        return out

    def _lookup_one(self, word: str, near: Sequence[str]) -> Entry | None:
        assert self.repo is not None
        if word.endswith(".py") and self.repo.tracks(word):
            module = self.repo.module(word)
            if module is not None:
                outline = _outline(module)
                return Entry(f"file:{word}", f"outline of {word}", outline, 1.0)
        symbol: Symbol | None = None
        for path in near:
            module = self.repo.module(path) if path.endswith(".py") else None
            if module is not None and "." not in word:
                symbol = self.repo.lookup(module, word)
            if symbol is None:
                symbol = self.repo.symbol(word, near=path)
            if symbol is not None and symbol.module is not None:
                break
        if symbol is None or symbol.module is None:
            # The one project definition of that name, when there is exactly one.
            defined = self.repo.definitions(word.rsplit(".", 1)[-1])
            symbol = defined[0] if len(defined) == 1 else None
        if symbol is None:
            return None
        if symbol.function is not None:
            return self._function_entry(symbol.function, "asked for", 1.0)
        if symbol.cls is not None:
            return self._class_entry(symbol.cls, "asked for", 1.0)
        if symbol.value is not None and symbol.module is not None:
            return self._constant_entry(symbol, 1.0)
        return None

    # --- versions -------------------------------------------------------------------------------

    def versions(self, paths: Iterable[str]) -> list[str]:
        """`library version (where)` for the libraries the files import, from lock files first,
        then requirements and pyproject.toml."""
        if self.repo is None:
            return []
        wanted: dict[str, str] = {}
        for path in paths:
            module = self.repo.module(path) if path.endswith(".py") else None
            for imported in _imported_modules(module) if module is not None else ():
                top = imported.split(".")[0]
                if top in _STDLIB or self.repo.module_path(top) is not None:
                    continue
                name = DISTRIBUTIONS.get(imported) or DISTRIBUTIONS.get(top) or top
                wanted.setdefault(_normal(name), name)
        if not wanted:
            return []
        known = self._pins()
        out = []
        for key, name in sorted(wanted.items()):
            if key in known:
                version, where = known[key]
                out.append(f"{name} {version} ({where})")
        return out[:MAX_VERSIONS]

    def _pins(self) -> dict[str, tuple[str, str]]:
        assert self.repo is not None
        pins: dict[str, tuple[str, str]] = {}
        files = [f for f in self.repo.files if f.count("/") <= 2]
        for path in files:
            name = PurePosixPath(path).name
            if name in _TOML_LOCK_FILES:
                for match in _LOCKED.finditer(self.repo.text(path) or ""):
                    pins.setdefault(_normal(match.group(1)), (match.group(2), path))
        for path in files:
            name = PurePosixPath(path).name
            text = ""
            if (
                name.startswith("requirements") and name.endswith((".txt", ".in"))
            ) or name == "constraints.txt":
                text = self.repo.text(path) or ""
                matches = [_REQUIREMENT.match(line) for line in text.splitlines()]
                found = [(m.group(1), m.group(2)) for m in matches if m is not None]
            elif name in ("pyproject.toml", "setup.py", "setup.cfg"):
                text = self.repo.text(path) or ""
                found = [(m.group(1), m.group(2)) for m in _QUOTED_REQUIREMENT.finditer(text)]
            else:
                continue
            for package, spec in found:
                pins.setdefault(_normal(package), (" ".join(spec.split()), path))
        return pins

    # --- source text ----------------------------------------------------------------------------

    def _statement_lines(self, module: Module, node: ast.AST) -> tuple[int, int]:
        """The lines of the statement holding `node` (a whole `x = Client(...)`, not just the call)."""
        assert self.repo is not None
        tree = Names.of(self.repo, module).tree
        statement: ast.AST = node
        for ancestor in tree.ancestors(node):
            if isinstance(ancestor, ast.stmt):
                statement = ancestor
                break
        start = getattr(statement, "lineno", 1)
        end = getattr(statement, "end_lineno", None) or start
        if end - start > MAX_DEFINITION_LINES:
            start = getattr(node, "lineno", start)
            end = getattr(node, "end_lineno", None) or start
        return start, end

    def _source(self, module: Module, start: int, end: int) -> str:
        """Lines `start`..`end` of the module's file, at most MAX_DEFINITION_LINES of them."""
        assert self.repo is not None
        text = self.texts.get(module.path) or self.repo.text(module.path) or ""
        selected = text.split("\n")[start - 1 : end]
        if len(selected) > MAX_DEFINITION_LINES:
            hidden = len(selected) - MAX_DEFINITION_LINES
            selected = [*selected[:MAX_DEFINITION_LINES], f"    ... ({hidden} more lines)"]
        return "\n".join(selected)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _execution_kind(module: str) -> str | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        kind = EXECUTION.get(".".join(parts[:end]))
        if kind is not None:
            return kind
    return None


def _imported_modules(module: Module) -> list[str]:
    out = []
    for imported in (*module.imports.values(), *module.star_imports):
        if imported.level:
            continue
        if imported.name is None:
            out.append(imported.module)
        elif imported.module:
            dotted = f"{imported.module}.{imported.name}"
            out.append(dotted if _execution_kind(dotted) or dotted in DISTRIBUTIONS else imported.module)
    return out


def _touches(node: ast.AST, lines: Sequence[int]) -> bool:
    """Does `node` span one of the (sorted) changed lines? A class counts by its header only."""
    start = getattr(node, "lineno", None)
    if start is None:
        return False
    end = getattr(node, "end_lineno", None) or start
    if isinstance(node, ast.ClassDef):
        end = max([start, *(b.end_lineno or b.lineno for b in node.bases)])
    index = bisect.bisect_left(lines, start)
    return index < len(lines) and lines[index] <= end


def _encloses(function: Function, node: ast.AST, path: str) -> bool:
    """The called function is the one the call sits in (recursion), so it is shown already."""
    if function.module.path != path:
        return False
    end = function.node.end_lineno or function.node.lineno
    return function.node.lineno <= getattr(node, "lineno", 0) <= end


def _changed_functions(changed: _Changed) -> list[Function]:
    """The innermost functions holding changed lines."""
    out: list[Function] = []
    for function in changed.module.every_function:
        node = function.node
        end = node.end_lineno or node.lineno
        if any(node.lineno <= line <= end for line in changed.lines):
            out.append(function)
    return [
        f
        for f in out
        if not any(
            o is not f
            and f.node.lineno < o.node.lineno
            and (o.node.end_lineno or 0) <= (f.node.end_lineno or 0)
            for o in out
        )
    ]


def _class_of(module: Module, node: ast.ClassDef) -> Class | None:
    for cls in module.classes.values():
        if cls.node is node:
            return cls
    return None


def _outline(module: Module) -> str:
    """A module's shape for a file asked for: its imports and every signature, no bodies."""
    rows = []
    for function in module.functions.values():
        rows.append(
            f"{'async ' if function.is_async else ''}def {function.name}({', '.join(function.parameters)})"
        )
    for cls in module.classes.values():
        bases = ", ".join(ast.unparse(b) for b in cls.bases)
        rows.append(f"class {cls.name}({bases}):")
        rows.extend(
            f"    {'async ' if m.is_async else ''}def {m.name}({', '.join(m.parameters)})"
            for m in cls.methods.values()
        )
    return "\n".join(rows)


def _candidates(item: str) -> list[str]:
    """The names or paths an entry of `missing_context` mentions, most specific first."""
    words = re.findall(r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*(?:\.py)?|[\w./-]+\.py", item)
    paths = [w for w in re.findall(r"[\w./-]+\.py\b", item)]
    dotted = sorted((w for w in words if "." in w and not w.endswith(".py")), key=len, reverse=True)
    plain = [w for w in words if "." not in w and len(w) > 2 and w not in _NOT_NAMES]
    return [*paths, *dotted, *plain]


_NOT_NAMES = frozenset(
    (
        "the",
        "and",
        "how",
        "definition",
        "class",
        "function",
        "method",
        "callers",
        "caller",
        "of",
        "in",
        "is",
        "for",
        "def",
        "what",
        "where",
        "which",
        "with",
        "config",
        "file",
        "module",
    )
)
