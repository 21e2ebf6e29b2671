"""The source facade rules read: whole post-change files (or what the hunks show), parsed once."""

from __future__ import annotations

import ast
import dataclasses
import functools
import warnings
from typing import TYPE_CHECKING, Any

from archbot.classify import FileKind, file_kind, notebook_code
from archbot.models import ChangedFile
from archbot.repo.model import Repository
from archbot.repo.resolve import Names, Tree
from archbot.rules.pyast import LLMFlow
from archbot.rules.templating import TEMPLATE_MARK, Detemplated, detemplate

if TYPE_CHECKING:
    import yaml


@dataclasses.dataclass
class SourceFile:
    """A changed file as rules see it. `complete` is False when only the hunks were available.
    `diff`: the file's hunks, for rules that compare with the lines the change removed (None for a
    file rebuilt as it was before the change)."""

    path: str
    kind: FileKind
    text: str
    changed: frozenset[int]
    complete: bool
    repo: Repository
    diff: ChangedFile | None = None

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""


@dataclasses.dataclass
class PythonFile(SourceFile):
    """Python source, or a notebook's code cells mapped back to the notebook's own lines."""

    @functools.cached_property
    def _notebook(self) -> tuple[str, list[int]]:
        return notebook_code(self.text)

    @property
    def code(self) -> str:
        return self._notebook[0] if self.kind == "notebook" else self.text

    @functools.cached_property
    def tree(self) -> ast.Module:
        """Raises SyntaxError (or RecursionError/ValueError) when the file does not parse."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(self.code, filename=self.path)

    @functools.cached_property
    def names(self) -> Names:
        """The file's resolver, backed by the repository model (a notebook resolves only within
        itself: nothing imports it)."""
        if self.kind == "notebook":
            return Names(self.nodes)
        return Names(self.nodes, self.repo, self.repo.adopt(self.path, self.tree, self.nodes.walked))

    @functools.cached_property
    def nodes(self) -> Tree:
        return Tree(self.tree)

    @functools.cached_property
    def flows(self) -> dict[ast.AST, LLMFlow]:
        """Each scope's LLM data flow (`Tree.scopes`), built once for every data-flow rule."""
        return {scope: LLMFlow(self.names, nodes) for scope, nodes in self.nodes.scopes.items()}

    @functools.cached_property
    def before(self) -> PythonFile | None:
        """The file as it was before the change (its hunks applied backwards), its removed lines
        as the changed ones; None when the diff is not at hand or does not match the text."""
        from archbot.carried import old_text

        diff = self.diff
        text = old_text(self.text, diff) if diff is not None and self.complete else None
        if diff is None or text is None:
            return None
        return PythonFile(self.path, self.kind, text, frozenset(diff.removed_lines), True, self.repo)

    @functools.cached_property
    def unrun_lines(self) -> frozenset[int]:
        """The file lines of `if TYPE_CHECKING:` bodies: code that type checkers read and that never
        runs (its `else` does)."""
        if "TYPE_CHECKING" not in self.code:
            return frozenset()
        lines: set[int] = set()
        for node in self.nodes.walked:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                end = node.body[-1].end_lineno or node.body[-1].lineno
                lines.update(self.file_line(number) for number in range(node.body[0].lineno, end + 1))
        return frozenset(lines)

    def changed_line(self, node: ast.AST) -> int | None:
        """The line to report a finding about `node` on: its first line if the change touched it,
        else the first changed line inside it; None when the change does not touch it (or the
        node belongs to another module, as resolvers may hand back)."""
        if not self.nodes.owns(node):
            return None
        start = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", None) or start
        for code_line in range(start, end + 1):
            line = self.file_line(code_line)
            if line in self.changed:
                return line
        return None

    def changed_calls(self) -> list[ast.Call]:
        return [call for call in self.nodes.calls if self.changed_line(call) is not None]

    def file_line(self, code_line: int) -> int:
        """The line of the file a code line sits on (they differ only in notebooks; 0 = unknown)."""
        if self.kind != "notebook":
            return code_line
        mapping = self._notebook[1]
        return mapping[code_line - 1] if 0 < code_line <= len(mapping) else 0


def _is_type_checking(test: ast.expr) -> bool:
    """`TYPE_CHECKING` or `typing.TYPE_CHECKING` (under any module alias)."""
    name = test.attr if isinstance(test, ast.Attribute) else test.id if isinstance(test, ast.Name) else None
    return name == "TYPE_CHECKING"


def _yaml_loader() -> Any:
    """libyaml's loader when installed (several times faster on large manifests; the same nodes and
    marks). yaml is imported on first use: reviews without a YAML file, most hook runs, never pay
    for importing it (more than all the Python rules cost on a typical commit)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_error() -> type[Exception]:
    """yaml.YAMLError, imported on first use: for `except` clauses that only YAML files reach."""
    import yaml

    return yaml.YAMLError


def __getattr__(name: str) -> Any:
    """`YAML_LOADER`, resolved on first use (see _yaml_loader)."""
    if name == "YAML_LOADER":
        return _yaml_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclasses.dataclass
class YamlFile(SourceFile):
    @functools.cached_property
    def template(self) -> Detemplated:
        """The YAML as the parser reads it: a templated file (Helm, Jinja) with its directives set
        aside, and where they write YAML (see `archbot.rules.templating`)."""
        return detemplate(self.text) if TEMPLATE_MARK.search(self.text) else Detemplated(self.text, ())

    @functools.cached_property
    def documents(self) -> list[yaml.Node]:
        """Composed YAML nodes (they keep line numbers). Raises yaml.YAMLError on broken YAML."""
        import yaml

        return [node for node in yaml.compose_all(self.template.text, Loader=_yaml_loader()) if node]


def make(
    path: str,
    text: str,
    changed: frozenset[int],
    complete: bool,
    repo: Repository,
    diff: ChangedFile | None = None,
) -> SourceFile:
    kind = file_kind(path, repo.tracks)
    if kind in ("python", "notebook"):
        return PythonFile(path, kind, text, changed, complete, repo, diff)
    # A chart's `.tpl` files hold named templates, not manifests: text rules only.
    if kind in ("yaml", "conda", "helm", "helm-values") and not path.endswith(".tpl"):
        return YamlFile(path, kind, text, changed, complete, repo, diff)
    return SourceFile(path, kind, text, changed, complete, repo, diff)


def from_hunks(lines: dict[int, str]) -> str:
    """What the hunks show, at their new-file line numbers; unseen lines are blank."""
    if not lines:
        return ""
    return "\n".join(lines.get(n, "") for n in range(1, max(lines) + 1)) + "\n"
