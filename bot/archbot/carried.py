"""Findings a rewritten line already drew before the change: the gap was there, the change only
touched the line (renamed an id, reformatted an argument).

The hygiene line of an example or script (policy `fold`) notes what a change brings into that code.
A rename that rewrites forty `requests.get(...)` lines does not bring forty missing timeouts: they
were missing before. So a folded finding is dropped when its line replaces a line (in a run of
removed and added lines, the i-th added line replaces the i-th removed one) that
- differs from it only in string values: the same calls with the same arguments, an id or a text
  renamed (not a commit SHA or digest replaced by a branch or tag: that unpins); or
- drew the same rule's finding in the file as it was before the change (the file after it with the
  hunks applied backwards).
Findings in shipped code are kept on a rewritten line: there the touched line is the author's to
fix. A moved line is not touched: a block re-indented into a `try` or a function moved to another
module carries the findings it drew before (as code scanning reports only alerts new to a change),
wherever its role; moved into new surroundings (a sync call moved into an `async def`), its rule no
longer reported it before, and it speaks. Nor is a reformatted statement touched: one whose syntax
tree equals that of a statement the change removed (a call re-wrapped by a formatter, quotes or
trailing commas changed, a whole file re-indented) carries what its rule said of the old one, as
does a statement that calls the same functions with the same argument names as the old one and
differs only in the values built for them (a header added to a request's `headers={...}`), for
a rule that judges a call by its options (a timeout, a revision): the change edited what the call
is given, not the call; for such a rule a call equal to one the change removed (two assignments
merged into one helper's `return a(), b()`) is moved too. A keyword added to or dropped from the
call itself (`verify=` added to a request without a timeout) is an edit of the call, where its gap
is the author's to close, unless the rule judges what surrounds the call rather than its options
(no retry: the client's construction or a wrapper is where that gap closes, not a keyword of the
call, so `stop=` added to a completion carries it; a call per loop item: the loop; a blocking call:
the coroutine it runs in); and a rule
that reads the values (a request body without its seed, the file a rewritten loader unpickles)
speaks when they change or move.

A configuration line is seldom written from nothing: a new experiment's config is copied from the
last one, a registry entry from its siblings. A line a change adds to a file other than code, for
a rule that judges a setting (subject "call" or "surroundings": remote code switched on), carries
what its rule said of the same line elsewhere in that file, or in the nearest files of its kind
the change left alone, before the change: the project's choice repeated, reviewed where it was
first made. The first such line, or a copy that drops the pin its model had, still speaks.
"""

from __future__ import annotations

import ast
import collections
import copy
import functools
import io
import json
import re
import tokenize
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence

from archbot.models import ChangedFile, Finding, Subject
from archbot.repo.model import shared_folders

if typing.TYPE_CHECKING:
    from archbot.rules import RuleSpec
    from archbot.rules.source import PythonFile, SourceFile


def _runs(changed: ChangedFile) -> Iterator[tuple[list[int], list[int]]]:
    """Each run of removed and added lines within a hunk: the old numbers of the removed lines and
    the new numbers of the added ones."""
    for hunk in changed.hunks:
        removed: list[int] = []
        added: list[int] = []
        for line in (*hunk.lines, None):
            if line is not None and line.kind == "-" and line.old_line is not None:
                removed.append(line.old_line)
            elif line is not None and line.kind == "+" and line.new_line is not None:
                added.append(line.new_line)
            else:
                if removed or added:
                    yield removed, added
                removed, added = [], []


def replaced_lines(changed: ChangedFile) -> dict[int, int]:
    """For each added line that replaces a removed one, the old number of the line it replaces: in
    a run of removed and added lines within a hunk, the i-th added line replaces the i-th removed
    one; added lines past the removed ones are new."""
    replaced: dict[int, int] = {}
    for removed, added in _runs(changed):
        replaced.update(zip(added, removed, strict=False))
    return replaced


def runs(changed: ChangedFile) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """For each added line of a run that also removes lines, the run: the old numbers of every line
    it removed and the new numbers of every line it added (a call rewritten from three lines into
    one replaces all three)."""
    found: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for removed, added in _runs(changed):
        if removed:
            found.update(dict.fromkeys(added, (tuple(removed), tuple(added))))
    return found


def old_text(text: str, changed: ChangedFile) -> str | None:
    """The file before the change: `text` (the whole file after it) with the hunks applied
    backwards; None when the hunks do not match the text."""
    new = text.split("\n")
    old: list[str] = []
    position = 1  # the next line of `new` not yet copied or skipped
    for hunk in changed.hunks:
        for line in hunk.lines:
            target = line.new_line if line.new_line is not None else None
            while position < (target or 0) or (line.old_line is not None and len(old) < line.old_line - 1):
                if position > len(new):
                    return None
                old.append(new[position - 1])
                position += 1
            if line.kind == "+":
                position += 1
            elif line.kind == "-":
                old.append(line.text)
            else:
                if position > len(new) or new[position - 1] != line.text:
                    return None
                old.append(line.text)
                position += 1
    return "\n".join([*old, *new[position - 1 :]])


_LAYOUT_TOKENS = frozenset(
    (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
)
_STRING_TOKENS = frozenset(
    (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING))  # Python 3.12+
)


# An immutable pin in a string value: a full commit SHA, a sha256 image digest.
_PIN = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])|sha256:[0-9a-f]{64}")


def code_shape(line: str, notebook: bool = False) -> tuple[str, ...]:
    """The line's tokens with every string value blanked (a notebook line is its JSON-encoded code
    first): two lines of one shape differ only in string values. () for a line without code."""
    text = line.strip()
    if notebook:
        try:
            decoded = json.loads(text.rstrip(","))
        except json.JSONDecodeError:
            return ()
        if not isinstance(decoded, str):
            return ()
        text = decoded.strip()
    shape: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in _LAYOUT_TOKENS:
                shape.append('""' if token.type in _STRING_TOKENS else token.string)
    except (tokenize.TokenError, SyntaxError):  # a line of a construct that spans lines
        pass
    return tuple(shape)


def _renamed(line: int, changed: ChangedFile, replaced: int, notebook: bool) -> bool:
    """Whether added `line` replaces old line `replaced` of its shape (see code_shape)."""
    new = code_shape(changed.added_lines.get(line, ""), notebook)
    old = next(
        hunk_line.text
        for hunk in changed.hunks
        for hunk_line in hunk.lines
        if hunk_line.kind == "-" and hunk_line.old_line == replaced
    )
    # A commit SHA or an image digest replaced by a branch or a tag is no rename: the change unpins.
    unpinned = len(_PIN.findall(changed.added_lines.get(line, ""))) < len(_PIN.findall(old))
    return bool(new) and code_shape(old, notebook) == new and not unpinned


Rerun = Callable[["SourceFile", Mapping[str, "RuleSpec"]], Sequence[Finding]]


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def removed_by_text(files: Mapping[str, ChangedFile]) -> dict[str, list[tuple[str, int]]]:
    """Each removed line's text (whitespace collapsed) -> where it was: (path, old line number)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path, changed in files.items():
        for number, text in changed.removed_lines.items():
            key = _collapsed(text)
            if key:
                found.setdefault(key, []).append((path, number))
    return found


def _smallest_statement(tree: ast.Module, line: int) -> ast.stmt | None:
    """The innermost statement spanning `line`."""
    found: ast.stmt | None = None
    body: list[ast.stmt] = tree.body
    while True:
        inner = next((s for s in body if s.lineno <= line <= (s.end_lineno or s.lineno)), None)
        if inner is None:
            return found
        found = inner
        body = [child for child in ast.iter_child_nodes(inner) if isinstance(child, ast.stmt)]


class _Outline(ast.NodeTransformer):
    """A statement's tree with what its calls are given set aside: an argument becomes a
    placeholder unless it is a constant or holds a call (`requests.get(url).text`, whose call is
    outlined in turn); a literal container or comprehension always does. Two statements of one
    outline call the same functions with the same argument names and constants; only the values
    computed for them differ (a header added to a request's `headers={...}`, the items of a list
    a `gather` fans out, another variable). A constant is the call's configuration (a model id, a
    flag, a timeout): another one makes another call. Variables are named by order of first use,
    so a renamed loop variable (`for request in requests` become `for doc in docs`) keeps the
    outline."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=self.names.setdefault(node.id, f"_{len(self.names)}"), ctx=node.ctx)

    def visit_Call(self, node: ast.Call) -> ast.Call:
        return ast.Call(
            func=self.visit(node.func),
            args=[self._given(arg) for arg in node.args],
            keywords=[ast.keyword(arg=k.arg, value=self._given(k.value)) for k in node.keywords],
        )

    def _given(self, value: ast.expr) -> ast.expr:
        if isinstance(value, ast.Constant):
            return value
        if isinstance(value, ast.Starred):
            return ast.Starred(value=self._given(value.value), ctx=value.ctx)
        if not isinstance(value, _BUILT) and any(isinstance(node, ast.Call) for node in ast.walk(value)):
            return typing.cast(ast.expr, self.visit(value))
        return ast.Constant(value=Ellipsis)


# Values built for an argument: a literal container, a comprehension.
_BUILT = (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _outline(statement: ast.stmt) -> str:
    return ast.dump(_Outline().visit(copy.deepcopy(statement)))


class _KeywordNames(ast.NodeTransformer):
    """A statement with its calls' keyword names set aside (splats kept apart): a keyword renamed
    to what the library now calls it (`name=` to `model=`), its value unchanged, keeps this."""

    def visit_keyword(self, node: ast.keyword) -> ast.keyword:
        return ast.keyword(arg=None if node.arg is None else "_", value=self.visit(node.value))


def _unnamed(statement: ast.stmt) -> str:
    return ast.dump(_KeywordNames().visit(copy.deepcopy(statement)))


class _MemberNames(ast.NodeTransformer):
    """A statement with the attributes of `self` and `cls` named by order of first use: a member
    renamed (`self._store` become `self.store`) leaves the same code."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def visit_Attribute(self, node: ast.Attribute) -> ast.Attribute:
        value = self.visit(node.value)
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            return ast.Attribute(value=value, attr=self.names.setdefault(node.attr, f"_{len(self.names)}"))
        return ast.Attribute(value=value, attr=node.attr)


def _members_renamed(statement: ast.stmt) -> str:
    return ast.dump(_MemberNames().visit(copy.deepcopy(statement)))


class _Unforwarded(ast.NodeTransformer):
    """A statement with its calls' splats (`*args`, `**options`) set aside: forwarding a caller's
    arguments into a call (`**kwargs` added) keeps the call, its own options unchanged."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        node.args = [a for a in node.args if not isinstance(a, ast.Starred)]
        node.keywords = [k for k in node.keywords if k.arg is not None]
        return node


def _unforwarded(statement: ast.stmt) -> str:
    return ast.dump(_Unforwarded().visit(copy.deepcopy(statement)))


class _Callees(ast.NodeTransformer):
    """A statement with everything its calls are given set aside: the same functions called on
    other arguments or keywords (`stop=` added to a completion) keep this."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        return ast.Call(func=self.visit(node.func), args=[], keywords=[])


def _callees(statement: ast.stmt) -> str:
    return ast.dump(_Callees().visit(copy.deepcopy(statement)))


def _edit_sites(changed: ChangedFile) -> dict[int, tuple[frozenset[int], bool]]:
    """For each added line, where in the old version its edit sits: the old lines its run removed
    (any of them), or for a run that only adds lines, the old lines before and after it (both)."""
    sites: dict[int, tuple[frozenset[int], bool]] = {}
    for hunk in changed.hunks:
        previous = hunk.old_start - 1  # the old line before the current run
        removed: list[int] = []
        added: list[int] = []
        for line in (*hunk.lines, None):
            if line is not None and line.kind == "-" and line.old_line is not None:
                removed.append(line.old_line)
                continue
            if line is not None and line.kind == "+" and line.new_line is not None:
                added.append(line.new_line)
                continue
            if removed:
                sites.update(dict.fromkeys(added, (frozenset(removed), False)))
                previous = removed[-1]
            elif added:
                sites.update(dict.fromkeys(added, (frozenset((previous, previous + 1)), True)))
            removed, added = [], []
            if line is not None and line.old_line is not None:
                previous = line.old_line
    return sites


class _Reformats:
    """The statements of a Python file's old version that the change edited, by their syntax
    tree (layout, comments, quotes and trailing commas aside) and by their outline
    (_Outline). A statement of the new version with the same tree as any of them is the old one
    reformatted or moved within the file, and so is one equal to the statement its edit sits in
    but for a member of `self` renamed. For a rule that judges a call by its options, so is a
    call (two assignments merged into one `return a(), b()`), and a statement with the outline of
    the one its own edit sits in is that statement given other values, a keyword renamed, or a
    caller's arguments forwarded (`**kwargs` added)."""

    def __init__(self, before: str | None, changed: ChangedFile) -> None:
        self.by_tree: dict[str, list[frozenset[int]]] = {}
        self.edited: list[tuple[frozenset[int], ast.stmt]] = []
        self.forms: dict[tuple[Callable[[ast.stmt], str], int], str] = {}  # an old statement's forms
        self.sites = _edit_sites(changed)
        # Added lines past those their run removes are new, not the removed ones rewritten.
        self.surplus = frozenset(
            line for removed, added in _runs(changed) if removed for line in added[len(removed) :]
        )
        if before is None:
            return
        try:
            tree = ast.parse(before)
        except (SyntaxError, ValueError, RecursionError):
            return
        removed = changed.removed_lines.keys()
        sites = {site for site, _ in self.sites.values()}
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt):
                lines = frozenset(range(node.lineno, (node.end_lineno or node.lineno) + 1))
                if not lines.isdisjoint(removed):
                    self.by_tree.setdefault(ast.dump(node), []).append(lines)
                if any(not lines.isdisjoint(site) for site in sites):
                    self.edited.append((lines, node))

    def old_lines(
        self, after: PythonFile, line: int, subject: Subject | None, removed: _RemovedCalls
    ) -> frozenset[int]:
        """The old lines of the edited statements that the statement at `line` of the new version
        `after` reformats or moves, or, for a rule judging a call by its options or its
        surroundings (`subject` "call" or "surroundings"), whose calls a call on that line moves
        or that the statement gives other values (for "surroundings", other arguments too);
        none: it is new."""
        if not self.edited:
            return frozenset()
        try:
            statement = _smallest_statement(after.tree, line)
        except (SyntaxError, ValueError, RecursionError):
            return frozenset()
        if statement is None:
            return frozenset()
        same = self.by_tree.get(ast.dump(statement))
        if same:
            return frozenset().union(*same)
        members = _members_renamed(statement)
        renamed = self._at_edit_site(statement, lambda old: self._form(_members_renamed, old) == members)
        if renamed or subject not in ("call", "surroundings"):
            return renamed
        moved = removed.moved_to(after, line, elsewhere=False).get(after.path)
        if moved:
            return moved
        if subject == "surroundings":
            # Any call of the same functions would do: only one on a line that rewrites a removed
            # line, not a new one added after it.
            callees = _callees(statement)
            return self._at_edit_site(
                statement, lambda old: self._form(_callees, old) == callees, self.surplus
            )
        outline, unnamed, unforwarded = _outline(statement), _unnamed(statement), _unforwarded(statement)
        return self._at_edit_site(
            statement,
            lambda old: (
                self._form(_outline, old) == outline
                or self._form(_unnamed, old) == unnamed
                or self._form(_unforwarded, old) == unforwarded
            ),
        )

    def _form(self, form: Callable[[ast.stmt], str], old: ast.stmt) -> str:
        """`form(old)`, computed once per old statement (findings ask again and again)."""
        key = (form, id(old))
        if key not in self.forms:
            self.forms[key] = form(old)
        return self.forms[key]

    def _at_edit_site(
        self, statement: ast.stmt, alike: Callable[[ast.stmt], bool], unless: frozenset[int] = frozenset()
    ) -> frozenset[int]:
        """The old lines of the edited statements of `statement`'s type where its edit sits (on
        its lines but those `unless` names) that are `alike` it."""
        span = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
        sites = [self.sites[number] for number in span if number in self.sites and number not in unless]
        return frozenset().union(
            *(
                lines
                for lines, old in self.edited
                if type(old) is type(statement)
                and any(lines >= site if both else not lines.isdisjoint(site) for site, both in sites)
                and alike(old)
            )
        )


def _outermost_calls(statement: ast.stmt, line: int) -> list[ast.Call]:
    """The calls of `statement` that span `line`, less those inside another of them."""
    spanning = [
        node
        for node in ast.walk(statement)
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    inner = {id(node) for call in spanning for node in ast.walk(call) if node is not call}
    return [call for call in spanning if id(call) not in inner]


class _RemovedCalls:
    """The calls the change removed from each Python file (by syntax tree, in the file's old
    version), read once a finding asks: a call moved within its file (two assignments merged into
    one `return a(), b()`) or to another module (a module split in two)."""

    def __init__(self, sources: Mapping[str, SourceFile], files: Mapping[str, ChangedFile]) -> None:
        self.sources = sources
        self.files = files
        self.added_in: dict[str, collections.Counter[str]] = {}  # per new file, counted when asked

    @functools.cached_property
    def by_tree(self) -> dict[str, list[tuple[str, frozenset[int]]]]:
        """Each removed call's syntax tree -> where it was: (path, its old lines)."""
        found: dict[str, list[tuple[str, frozenset[int]]]] = {}
        for path, changed in self.files.items():
            if not path.endswith(".py") or not changed.removed_lines:
                continue
            try:
                tree = ast.parse(_before(path, self.sources, self.files) or "")
            except (SyntaxError, ValueError, RecursionError):
                continue
            removed = changed.removed_lines.keys()
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    lines = frozenset(range(node.lineno, (node.end_lineno or node.lineno) + 1))
                    if not lines.isdisjoint(removed):
                        found.setdefault(ast.dump(node), []).append((path, lines))
        return found

    def moved_to(self, after: PythonFile, line: int, elsewhere: bool) -> dict[str, frozenset[int]]:
        """Where the calls on `line` of `after` were, in its own old version or (`elsewhere`) in
        other files, when every call on it is one the change removed there (a new call beside a
        moved one is new) and the change adds no more copies of it to this file (a copy is new)."""
        if not self.by_tree:
            return {}  # the change removed no call: nothing moved
        statement = _smallest_statement(after.tree, line)
        if statement is None:
            return {}
        found: dict[str, frozenset[int]] = {}
        for call in _outermost_calls(statement, line):
            key = ast.dump(call)
            old = [
                (path, lines)
                for path, lines in self.by_tree.get(key, [])
                if (path != after.path) == elsewhere
            ]
            if not old or self._added(after)[key] > len(old):
                return {}
            for path, lines in old:
                found[path] = found.get(path, frozenset()) | lines
        return found

    def _added(self, after: PythonFile) -> collections.Counter[str]:
        """The calls on the lines the change adds to `after`, by syntax tree."""
        if after.path not in self.added_in:
            added = frozenset(self.files[after.path].added_lines)
            self.added_in[after.path] = collections.Counter(
                ast.dump(node)
                for node in ast.walk(after.tree)
                if isinstance(node, ast.Call)
                and not added.isdisjoint(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            )
        return self.added_in[after.path]


def _before(path: str, sources: Mapping[str, SourceFile], files: Mapping[str, ChangedFile]) -> str | None:
    """The text of `path` before the change: a reviewed file with its hunks applied backwards, a
    deleted file from its removed lines."""
    changed = files[path]
    after = sources.get(path)
    if after is not None:
        return old_text(after.text, changed) if after.complete else None
    if changed.status == "deleted":
        return "\n".join(text for _, text in sorted(changed.removed_lines.items()))
    return None


# How many of the nearest files of its kind a new configuration line is looked for in.
_NEAREST_TEMPLATES = 3


def _templated_from(
    after: SourceFile, line: int, sources: Mapping[str, SourceFile], files: Mapping[str, ChangedFile]
) -> dict[str, frozenset[int]]:
    """Where the repository held the text of `line`, a line a change adds to a configuration file,
    before the change: the file's own lines with that text, and those of the nearest files of its
    kind (by path) that hold it and that the change left alone. A new configuration is written
    from the project's others (an experiment's config copied from the last one, an entry added to
    a registry beside its siblings)."""
    text = after.line(line).strip()
    key = _collapsed(text)
    if not key:
        return {}
    found: dict[str, frozenset[int]] = {}
    before = _before(after.path, sources, files)
    own = _lines_holding(before or "", key)
    if own:
        found[after.path] = own
    name = after.path.rsplit("/", 1)[-1]
    kind = f"*.{name.rsplit('.', 1)[-1]}" if "." in name.lstrip(".") else name
    others = [path for path in after.repo.containing((text,), kind) if path not in files]
    for path in sorted(others, key=lambda other: (-shared_folders(other, after.path), other))[
        :_NEAREST_TEMPLATES
    ]:
        held = _lines_holding(after.repo.text(path) or "", key)
        if held:
            found[path] = held
    return found


def _lines_holding(text: str, key: str) -> frozenset[int]:
    """The numbers of the lines of `text` that are `key`, whitespace collapsed."""
    return frozenset(number for number, line in enumerate(text.splitlines(), 1) if _collapsed(line) == key)


class _Suspect(typing.NamedTuple):
    """A finding to check against the file before the change: carried when its rule reported on
    one of `lines` there (none: any line), with the same words when `same_words`."""

    finding: Finding
    lines: frozenset[int]
    same_words: bool = False


def without_carried(
    findings: Sequence[Finding],
    candidates: Callable[[Finding], bool],
    sources: Mapping[str, SourceFile],
    files: Mapping[str, ChangedFile],
    specs: Mapping[str, RuleSpec],
    rerun: Rerun,
) -> list[Finding]:
    """`findings` less those the change carried over from the code before it:
    - `candidates` (folded findings) whose rule reported on a line the finding's line replaces;
    - any finding on a moved line (its text, whitespace aside, is a line the change removed, in
      this file or another: a block re-indented into a `try`, a function moved to a new module)
      whose rule reported on that removed line, in the file before the change;
    - any finding in a reformatted Python statement (its syntax tree equals that of a statement
      the change removed lines of, or that of the one its edit sits in but for a member of `self`
      renamed) whose rule reported on that old statement; for a rule that judges a call by its
      options (RuleSpec.subject "call"), also on a call equal to one the change removed (moved
      into another statement, or into this file from another) and in a statement with the outline
      of the one its edit sits in (the same calls and options given other values) or equal to it
      but for a keyword's name (`name=config.model` become `model=config.model`) or a caller's
      arguments forwarded (`**kwargs` added); for a rule (or a finding: Finding.subject) that
      judges a call by its surroundings (subject "surroundings": the client it goes through, a
      retry around it, the loop or the coroutine it runs in, the module's seeding), in a
      statement that calls the same functions as the one its edit sits in, whatever they are
      given (on a line that rewrites a removed one, not one added past them);
    - any finding on a rewritten line of a file other than Python (a manifest's image tag bumped)
      when its rule said the same words of that file before the change: the gap was there, the
      change did not bring it; on a new line of such a file, for a rule that judges a setting
      (subject "call" or "surroundings"), when its rule said the same words of a line with its
      text in that file before the change or in one of the nearest files of its kind the change
      left alone (`_templated_from`). (In Python an edit near a gap is often the place to close it: an
      evaluation's generation config added without the seed it lacked.)
    `rerun(before, specs)` runs rules over a file's old version."""
    from archbot.rules import source

    # Old path -> the findings to check against it.
    suspects: dict[str, list[_Suspect]] = {}
    carried: set[int] = set()
    replacements: dict[str, dict[int, int]] = {}
    reformats: dict[str, _Reformats] = {}
    moved_from: dict[str, list[tuple[str, int]]] | None = None  # built for the first added line
    removed = _RemovedCalls(sources, files)  # read for the first call it may carry
    for finding in findings:
        changed = files.get(finding.file)
        if changed is None or finding.old_line is not None or finding.line not in changed.added_lines:
            continue
        if finding.file not in replacements:
            replacements[finding.file] = replaced_lines(changed)
        replaced = replacements[finding.file].get(finding.line)
        if candidates(finding) and replaced is not None:
            if _renamed(finding.line, changed, replaced, sources[finding.file].kind == "notebook"):
                carried.add(id(finding))
                continue
            suspects.setdefault(finding.file, []).append(_Suspect(finding, frozenset((replaced,))))
        moved_from = removed_by_text(files) if moved_from is None else moved_from
        by_path: dict[str, set[int]] = {}
        for path, number in moved_from.get(_collapsed(changed.added_lines[finding.line]), ()):
            by_path.setdefault(path, set()).add(number)
        for path, numbers in by_path.items():
            suspects.setdefault(path, []).append(_Suspect(finding, frozenset(numbers)))
        after = sources.get(finding.file)
        spec = specs.get(finding.rule)
        subject = finding.subject or (spec.subject if spec is not None else None)
        if not isinstance(after, source.PythonFile):
            if replaced is not None:
                suspects.setdefault(finding.file, []).append(_Suspect(finding, frozenset(), True))
            elif after is not None and subject in ("call", "surroundings"):
                for path, lines in _templated_from(after, finding.line, sources, files).items():
                    suspects.setdefault(path, []).append(_Suspect(finding, lines, True))
        elif after.kind == "python":
            if finding.file not in reformats:
                reformats[finding.file] = _Reformats(_before(finding.file, sources, files), changed)
            old_lines = reformats[finding.file].old_lines(after, finding.line, subject, removed)
            if old_lines:
                suspects.setdefault(finding.file, []).append(_Suspect(finding, old_lines))
            elif subject in ("call", "surroundings"):
                for path, lines in removed.moved_to(after, finding.line, elsewhere=True).items():
                    suspects.setdefault(path, []).append(_Suspect(finding, lines))
    for path, items in suspects.items():
        after = sources.get(path)
        repo = after.repo if after is not None else next(iter(sources.values())).repo
        # A file the change left alone is now as it was before it.
        before_text = _before(path, sources, files) if path in files else repo.text(path)
        if before_text is None:
            continue
        every_line = frozenset(range(1, before_text.count("\n") + 2))
        items = [item if item.lines else item._replace(lines=every_line) for item in items]
        before = source.make(path, before_text, frozenset().union(*(i.lines for i in items)), True, repo)
        old_found = rerun(
            before, {i.finding.rule: specs[i.finding.rule] for i in items if i.finding.rule in specs}
        )
        if isinstance(after, source.PythonFile) and "names" in vars(after):
            # Resolving names registered each tree with the repository model: the new one wins.
            after.repo.adopt(path, after.tree, after.nodes.walked)
        said: dict[tuple[str, int], set[str]] = {}
        for old in old_found:
            said.setdefault((old.rule, old.line), set()).add(old.rationale)
        carried |= {id(item.finding) for item in items if _said_before(item, said)}
    return [finding for finding in findings if id(finding) not in carried]


def _said_before(item: _Suspect, said: Mapping[tuple[str, int], set[str]]) -> bool:
    rule, words = item.finding.rule, item.finding.rationale
    return any((rule, n) in said and (not item.same_words or words in said[(rule, n)]) for n in item.lines)
