"""How one changed file is shown to the model: the changed lines with the code around them in line
order, removed lines with their old numbers (`-123`), moved code as moved with only the edits
inside it, notebooks as code cells, and tests, docs and pure reformatting in one line each."""

from __future__ import annotations

import ast
import dataclasses
import difflib
import json
import re
from collections.abc import Iterable, Iterator, Sequence

from archbot import classify
from archbot.models import ChangedFile

# Enclosing functions or classes longer than this show only their signature: the hunks carry the rest.
MAX_CONTEXT_LINES = 80
# A block counts as moved when at least this many of its lines (that say something) match.
MIN_MOVED_LINES = 4
# Matched stretches this close together (in both places) are one moved block with edits inside.
MAX_MOVE_GAP = 3
# Above this many removed or added lines, moves are not looked for (a quadratic search).
MAX_MOVE_SEARCH_LINES = 20_000
GAP = "   ..."
_TRAILING_COMMA = re.compile(r",([)\]}])")
_NOTEBOOK_STRING = re.compile(r'^\s*("(?:[^"\\]|\\.)*"),?\s*$')


@dataclasses.dataclass(frozen=True)
class FileBlock:
    """One changed file as the model sees it."""

    path: str
    text: str
    # Which blocks go first when not all fit: higher first (see llm.risk).
    rank: tuple[float, ...] = ()


@dataclasses.dataclass(frozen=True)
class Move:
    """Lines removed in one place and added in another (or re-indented in place) with the same
    text, give or take whitespace and a few edited lines."""

    source: str
    old: tuple[int, int]
    target: str
    new: tuple[int, int]
    # Old lines (of `source`) and new lines (of `target`) inside the block whose text matched.
    matched_old: frozenset[int]
    matched_new: frozenset[int]
    # Removed lines inside the block that did not match: what its inner edits replaced.
    inner_removed: tuple[tuple[int, str], ...]
    in_place: bool


# --- moves --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Run:
    path: str
    numbers: tuple[int, ...]
    texts: tuple[str, ...]


def _norm(text: str) -> str:
    return "".join(text.split())


def _says_something(text: str) -> bool:
    """A line worth matching: not blank, not a lone bracket, `else:`, `pass` or `return`."""
    stripped = _norm(text)
    return len(stripped) >= 4 and stripped not in ("else:", "pass", "return", "try:", "finally:")


def _runs(files: Sequence[ChangedFile], kind: str) -> list[_Run]:
    runs: list[_Run] = []
    for changed in files:
        for hunk in changed.hunks:
            numbers: list[int] = []
            texts: list[str] = []
            for line in [*hunk.lines, None]:
                number = None
                if line is not None and line.kind == kind:
                    number = line.old_line if kind == "-" else line.new_line
                if number is not None and line is not None:
                    numbers.append(number)
                    texts.append(line.text)
                elif numbers:
                    runs.append(_Run(changed.path, tuple(numbers), tuple(texts)))
                    numbers, texts = [], []
    return runs


def find_moves(files: Sequence[ChangedFile]) -> tuple[Move, ...]:
    """Blocks of the change that were moved or re-indented rather than written."""
    removed = [r for r in _runs(files, "-") if sum(map(_says_something, r.texts)) >= MIN_MOVED_LINES]
    added = [r for r in _runs(files, "+") if sum(map(_says_something, r.texts)) >= MIN_MOVED_LINES]
    if sum(len(r.numbers) for r in (*removed, *added)) > MAX_MOVE_SEARCH_LINES:
        return ()
    where: dict[str, set[int]] = {}
    for index, run in enumerate(removed):
        for text in run.texts:
            if _says_something(text):
                where.setdefault(_norm(text), set()).add(index)
    hunk_of = {
        (f.path, n): i
        for f in files
        for i, h in enumerate(f.hunks)
        for line in h.lines
        for n in [line.new_line]
    }
    moves: list[Move] = []
    used_old: set[tuple[str, int]] = set()
    for run in added:
        candidates: dict[int, int] = {}
        for text in run.texts:
            for index in where.get(_norm(text), ()):
                candidates[index] = candidates.get(index, 0) + 1
        for index, shared in sorted(candidates.items(), key=lambda kv: -kv[1]):
            if shared < MIN_MOVED_LINES:
                break
            source = removed[index]
            for move in _matches(source, run):
                if any((source.path, n) in used_old for n in move.matched_old):
                    continue
                in_place = source.path == run.path and _same_hunk(files, source, move, hunk_of)
                moves.append(dataclasses.replace(move, in_place=in_place))
                used_old.update((source.path, n) for n in move.matched_old)
    return tuple(moves)


def _same_hunk(
    files: Sequence[ChangedFile], source: _Run, move: Move, hunk_of: dict[tuple[str, int | None], int]
) -> bool:
    changed = next(f for f in files if f.path == source.path)
    anchor = changed.removal_anchors.get(move.old[0])
    return hunk_of.get((source.path, anchor)) == hunk_of.get((source.path, move.new[0]))


def _matches(source: _Run, target: _Run) -> Iterator[Move]:
    """The stretches of `target` whose lines match `source`'s, merged across small edits."""
    matcher = difflib.SequenceMatcher(
        None, [_norm(t) for t in source.texts], [_norm(t) for t in target.texts], autojunk=False
    )
    clusters: list[list[tuple[int, int, int]]] = []
    for block in matcher.get_matching_blocks():
        if block.size == 0:
            continue
        if clusters:
            last = clusters[-1][-1]
            if (
                block.a - (last[0] + last[2]) <= MAX_MOVE_GAP
                and block.b - (last[1] + last[2]) <= MAX_MOVE_GAP
            ):
                clusters[-1].append((block.a, block.b, block.size))
                continue
        clusters.append([(block.a, block.b, block.size)])
    for cluster in clusters:
        pairs = [(a + k, b + k) for a, b, size in cluster for k in range(size)]
        if sum(_says_something(source.texts[a]) for a, _ in pairs) < MIN_MOVED_LINES:
            continue
        first_a, first_b = cluster[0][0], cluster[0][1]
        last_a, last_b = cluster[-1][0] + cluster[-1][2] - 1, cluster[-1][1] + cluster[-1][2] - 1
        matched_a = {a for a, _ in pairs}
        yield Move(
            source=source.path,
            old=(source.numbers[first_a], source.numbers[last_a]),
            target=target.path,
            new=(target.numbers[first_b], target.numbers[last_b]),
            matched_old=frozenset(source.numbers[a] for a in matched_a),
            matched_new=frozenset(target.numbers[b] for _, b in pairs),
            inner_removed=tuple(
                (source.numbers[a], source.texts[a]) for a in range(first_a, last_a + 1) if a not in matched_a
            ),
            in_place=False,
        )


# --- summaries ----------------------------------------------------------------------------------


def reformatting_only(changed: ChangedFile) -> bool:
    """The change moves only whitespace, line breaks and trailing commas: the same code re-laid out
    (what formatters do)."""
    removed = _TRAILING_COMMA.sub(r"\1", "".join(_norm(t) for t in changed.removed_lines.values()))
    added = _TRAILING_COMMA.sub(r"\1", "".join(_norm(t) for t in changed.added_lines.values()))
    return bool(changed.removed_lines) and removed == added


def summary_line(changed: ChangedFile, what: str) -> FileBlock:
    added, removed = len(changed.added_lines), len(changed.removed_lines)
    text = (
        f"file: {changed.path} ({_status(changed)}): {what}, {added} line{'s' * (added != 1)} added, "
        f"{removed} removed; summarised, not shown"
    )
    return FileBlock(changed.path, text)


# --- one file -----------------------------------------------------------------------------------


def file_block(
    changed: ChangedFile, full_text: str | None, moves: Sequence[Move] = (), deleted: Iterable[str] = ()
) -> FileBlock:
    """The file's changed lines in line order, each region with the code that explains it.
    `deleted` names the change's deleted files (a move out of one says so)."""
    header = f"file: {changed.path} ({_status(changed)})"
    if changed.path.endswith(".ipynb"):
        rows = _notebook_rows(changed, full_text)
        return FileBlock(changed.path, "\n".join([f"{header} notebook: code cells only", *rows]))
    rows = _rows(changed, full_text, moves, frozenset(deleted))
    return FileBlock(changed.path, "\n".join([header, *rows]))


def _status(changed: ChangedFile) -> str:
    if changed.status in ("renamed", "copied") and changed.old_path:
        return f"{changed.status} from {changed.old_path}"
    return changed.status


def _line(number: str, mark: str, text: str) -> str:
    return f"{number:>6} {mark} {text}".rstrip()


def _rows(
    changed: ChangedFile, full_text: str | None, moves: Sequence[Move], deleted: frozenset[str]
) -> list[str]:
    file_lines = full_text.split("\n") if full_text is not None else []
    texts: dict[int, str] = {}
    added: set[int] = set()
    # Removed lines by where they sit: (n, 0) before new line n, (n, 2) after it (a hunk's end).
    removed_at: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for hunk in changed.hunks:
        pending: list[tuple[int, str]] = []
        last = 0
        for line in hunk.lines:
            if line.kind == "-" and line.old_line is not None:
                pending.append((line.old_line, line.text))
            elif line.new_line is not None:
                texts[line.new_line] = line.text
                if line.kind == "+":
                    added.add(line.new_line)
                if pending:
                    removed_at.setdefault((line.new_line, 0), []).extend(pending)
                    pending = []
                last = line.new_line
        if pending:
            removed_at.setdefault((last, 2), []).extend(pending)
    shown = set(texts)
    if full_text is not None and changed.path.endswith(".py"):
        shown |= _enclosing(changed, full_text)
    incoming = {m.new[0]: m for m in moves if m.target == changed.path}
    hidden_new = {n for m in incoming.values() for n in m.matched_new}
    outgoing = [m for m in moves if m.source == changed.path]
    hidden_old = {n for m in outgoing for n in range(m.old[0], m.old[1] + 1)}
    notes_old = {m.old[0]: m for m in outgoing if not m.in_place}
    rows: list[str] = []
    previous = 0
    for number, order in sorted({*((n, 1) for n in shown), *removed_at}):
        if order == 1:
            if previous and number > previous + 1:
                rows.append(GAP)
            previous = number
            move = incoming.get(number)
            if move is not None:
                rows.append(_move_note(move, changed.path, deleted))
                rows.extend(_inner_removals(move))
            if number in hidden_new:
                continue
            text = texts.get(number)
            if text is None:
                text = file_lines[number - 1] if 0 < number <= len(file_lines) else ""
            rows.append(_line(str(number), "+" if number in added else " ", text))
            continue
        for old, text in removed_at[(number, order)]:
            moved = notes_old.get(old)
            if moved is not None:
                rows.append(_moved_away_note(moved))
            if old not in hidden_old:
                rows.append(_line(f"-{old}", "-", text))
    return rows


def _moved_away_note(move: Move) -> str:
    where = "" if move.target == move.source else f" of {move.target}"
    return (
        f"{'':>6}   [lines -{move.old[0]}..-{move.old[1]} moved to lines {move.new[0]}-{move.new[1]}"
        f"{where}; shown there]"
    )


def _move_note(move: Move, path: str, deleted: frozenset[str]) -> str:
    if move.in_place:
        what = f"re-indented or re-wrapped from -{move.old[0]}..-{move.old[1]}"
    else:
        gone = " (deleted)" if move.source in deleted else ""
        origin = "" if move.source == path else f" of {move.source}{gone}"
        what = f"moved here from lines -{move.old[0]}..-{move.old[1]}{origin}"
    return (
        f"{'':>6}   [lines {move.new[0]}-{move.new[1]} {what}: {len(move.matched_new)} unchanged "
        "lines not shown; the edits inside follow]"
    )


def _inner_removals(move: Move) -> Iterator[str]:
    """What the edits inside a moved block replaced: with old numbers when they are this file's,
    without when they were another file's (anchor a finding on the `+` line then)."""
    for old, text in move.inner_removed:
        yield _line(f"-{old}" if move.source == move.target else "", "-", text)


def _enclosing(changed: ChangedFile, full_text: str) -> set[int]:
    """For each changed place: the whole enclosing function or class when short, else its signature."""
    try:
        tree = ast.parse(full_text)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    spans = [
        (node.lineno, node.end_lineno or node.lineno, _body_start(node))
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    places = [*changed.added_lines, *changed.removal_anchors.values()]
    shown: set[int] = set()
    for place in places:
        around = [s for s in spans if s[0] <= place <= s[1]]
        if not around:
            continue
        start, end, body = max(around, key=lambda s: s[0])
        if end - start < MAX_CONTEXT_LINES:
            shown.update(range(start, end + 1))
        else:
            shown.update(range(start, body))
            for outer in around:
                shown.update(range(outer[0], outer[2]))
    return shown


def _body_start(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    first = node.body[0]
    return max(getattr(first, "lineno", node.lineno), node.lineno + 1)


# --- notebooks ----------------------------------------------------------------------------------


def _notebook_rows(changed: ChangedFile, full_text: str | None) -> list[str]:
    """The code cells holding changed lines, whole; removed source lines beside them decoded."""
    rows: list[str] = []
    cells = classify.notebook_cells(full_text) if full_text is not None else []
    added = changed.added_lines
    removed_at: dict[int, list[tuple[int, str]]] = {}
    for old, anchor in changed.removal_anchors.items():
        code = _decoded(changed.removed_lines[old])
        if code is not None:
            removed_at.setdefault(anchor, []).append((old, code))
    shown_any = False
    for index, cell in enumerate(cells, start=1):
        numbers = {n for n, _ in cell if n}
        if not numbers & (set(added) | set(removed_at)):
            continue
        shown_any = True
        rows.append(f"{'':>6}   # cell {index}")
        for number, code in cell:
            rows.extend(_line(f"-{old}", "-", text) for old, text in removed_at.get(number, []))
            rows.append(_line(str(number or ""), "+" if number in added else " ", code))
    if not shown_any:
        rows.append(f"{'':>6}   (no code cell changed: outputs, metadata or markdown only)")
    return rows


def _decoded(json_line: str) -> str | None:
    match = _NOTEBOOK_STRING.match(json_line)
    if match is None:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None
    return value.rstrip("\n") if isinstance(value, str) else None
