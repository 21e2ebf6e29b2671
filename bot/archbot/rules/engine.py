"""Runs the rules over source files: each rule isolated, broken files degraded to text rules."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import sys
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping

from archbot.models import Finding
from archbot.policy import SECRET, policy
from archbot.rules import RuleSpec, limits
from archbot.rules.source import PythonFile, SourceFile, YamlFile, yaml_error

if typing.TYPE_CHECKING:
    from multiprocessing.connection import Connection


@dataclasses.dataclass(frozen=True)
class RuleRun:
    findings: tuple[Finding, ...]
    notices: tuple[str, ...]


def context_type(spec: RuleSpec) -> type[SourceFile]:
    """The file context a check needs, from its annotation: PythonFile, YamlFile or SourceFile."""
    hints = typing.get_type_hints(spec.check)
    parameter = next(iter(hints.values()))
    assert isinstance(parameter, type) and issubclass(parameter, SourceFile)
    return parameter


def _parsed(src: SourceFile) -> tuple[SourceFile, str | None]:
    """The file with its parse done, or a plain-text view of it and why parsing failed."""
    try:
        if isinstance(src, PythonFile):
            _ = src.tree
        elif isinstance(src, YamlFile):
            _ = src.documents
    except (RecursionError, MemoryError):
        return _plain(src), _too_deep(src)
    except (SyntaxError, ValueError) as error:
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
        return _plain(src), f"{src.path}: not valid Python{where}; only text rules ran on it"
    except yaml_error() as error:  # evaluated only when an earlier clause did not match
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        templated = isinstance(src, YamlFile) and src.template.text != src.text
        where = f" once its template directives were set aside{where}" if templated else where
        return _plain(src), f"{src.path}: not valid YAML{where}; only text rules ran on it"
    if isinstance(src, YamlFile) and limits.yaml_bomb(src.documents):
        return _plain(src), (
            f"{src.path}: YAML aliases refer to themselves or expand more than "
            f"{limits.MAX_YAML_GROWTH}-fold; only text rules ran on it"
        )
    return src, None


def _too_deep(src: SourceFile) -> str:
    return f"{src.path}: nested too deeply to analyse; only text rules ran on it"


def _deep(src: SourceFile) -> bool:
    if isinstance(src, PythonFile):
        return limits.python_deeper_than(src.tree, limits.MAX_DEPTH)
    if isinstance(src, YamlFile):
        return limits.yaml_deeper_than(src.documents, limits.MAX_DEPTH)
    return False


def _plain(src: SourceFile) -> SourceFile:
    return SourceFile(src.path, src.kind, src.text, src.changed, src.complete, src.repo)


# Files reviewed per change above which the rules run in forked worker processes. Below it, the
# cost of forking is more than the work it spreads.
PARALLEL_FROM = 100

FileResult = tuple[list[Finding], list[str]]
# Whether a rule is worth running on a file at all (review.py: the role policy and rule scopes).
Wanted = Callable[[SourceFile, RuleSpec], bool]


# Allocations between two collections of the youngest generation while the rules run (CPython's
# default is 700).
_COLLECT_EVERY = 100_000


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """The rules build many objects that live as long as the review (syntax trees, parent links,
    resolver tables) and next to no reference cycles: at the collector's default pace, a large
    review spends a fifth of its time walking them again and again. Collect rarely meanwhile."""
    threshold = gc.get_threshold()
    gc.set_threshold(_COLLECT_EVERY, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def run(files: Iterable[SourceFile], specs: Mapping[str, RuleSpec], wanted: Wanted | None = None) -> RuleRun:
    needs = {rule_id: context_type(spec) for rule_id, spec in specs.items()}
    sources = list(files)
    workers = min(os.cpu_count() or 1, len(sources) // PARALLEL_FROM)
    with _few_collections():
        if workers > 1 and sys.platform == "linux":
            results = _in_workers(sources, specs, needs, workers, wanted)
        else:
            results = [_review_file(src, specs, needs, wanted) for src in sources]
    findings = [finding for found, _ in results for finding in found]
    notices = [notice for _, file_notices in results for notice in file_notices]
    return RuleRun(tuple(findings), tuple(notices))


def _review_file(
    original: SourceFile,
    specs: Mapping[str, RuleSpec],
    needs: Mapping[str, type[SourceFile]],
    wanted: Wanted | None = None,
) -> FileResult:
    """One file's findings, then its notices: why it was degraded, and rules that failed on it."""
    applicable = [
        s for s in specs.values() if original.kind in s.kinds and (wanted is None or wanted(original, s))
    ]
    if not applicable:
        return [], []
    src, problem = _parsed(original)
    try:
        found, failures = _checked(src, applicable, needs)
    except RecursionError:
        # Rules recurse over the tree: a file nested this deeply degrades like a parse failure.
        src, problem = _plain(src), _too_deep(src)
        found, failures = _checked(src, applicable, needs)
    return found, ([problem] if problem else []) + failures


def _in_workers(
    sources: list[SourceFile],
    specs: Mapping[str, RuleSpec],
    needs: Mapping[str, type[SourceFile]],
    workers: int,
    wanted: Wanted | None,
) -> list[FileResult]:
    """The per-file results, in file order, computed by `workers` forked processes (every k-th
    file each, so heavy and light files spread evenly). Forked, not spawned: the workers share
    the parsed change and its repository view without pickling them. A worker that fails to
    answer costs only time: its files are reviewed here."""
    import multiprocessing  # only for large changes: the import costs the hook time

    context = multiprocessing.get_context("fork")
    started = []
    # The objects built so far go to the collector's permanent generation: a worker's collections
    # do not walk them, so the memory it shares with this process is not copied page by page.
    gc.freeze()
    for worker in range(workers):
        receiver, sender = context.Pipe(duplex=False)
        share = sources[worker::workers]
        process = context.Process(target=_work, args=(share, specs, needs, sender, wanted), daemon=True)
        process.start()
        sender.close()
        started.append((worker, receiver, process))
    gc.unfreeze()
    answers: list[list[FileResult]] = []
    for worker, receiver, process in started:
        try:
            answers.append(receiver.recv())
        except (EOFError, OSError):  # the worker died or sent nothing: review its files here
            answers.append([_review_file(src, specs, needs, wanted) for src in sources[worker::workers]])
        finally:
            receiver.close()
            process.join()
    # File i went to worker i % workers as its (i // workers)-th file.
    return [answers[i % workers][i // workers] for i in range(len(sources))]


def _work(
    share: list[SourceFile],
    specs: Mapping[str, RuleSpec],
    needs: Mapping[str, type[SourceFile]],
    sender: Connection,
    wanted: Wanted | None = None,
) -> None:
    sender.send([_review_file(src, specs, needs, wanted) for src in share])
    sender.close()


def _checked(
    src: SourceFile, applicable: list[RuleSpec], needs: Mapping[str, type[SourceFile]]
) -> tuple[list[Finding], list[str]]:
    """The rules' findings on one file and the notices of rules that failed; a RecursionError on
    a deeply nested file propagates so the caller can degrade the whole file."""
    findings: list[Finding] = []
    failures: list[str] = []
    for spec in applicable:
        if not isinstance(src, needs[spec.id]):
            continue
        try:
            hits = list(spec.check(src))
        # A rule's bug must not cost the user the rest of the review: report it and go on.
        except Exception as error:  # re-raised only for a too-deep file, handled by run()
            if isinstance(error, RecursionError) and _deep(src):
                raise
            failures.append(
                f"rule {spec.id} failed on {src.path} ({type(error).__name__}: "
                f"{error}); every other rule still ran"
            )
            continue
        # Code under `if TYPE_CHECKING:` never runs; only a secret committed there is exposed.
        unrun = src.unrun_lines if isinstance(src, PythonFile) and policy(spec.id).row is not SECRET else ()
        findings.extend(_finding(spec, src.path, hit) for hit in hits if hit.line not in unrun)
    return findings, failures


def _finding(spec: RuleSpec, path: str, hit: typing.Any) -> Finding:
    rationale = f"{hit.detail} {spec.rationale}".strip()
    return Finding(
        rule=spec.id,
        source="rules",
        persona=spec.persona,
        severity=hit.severity or spec.severity,
        file=path,
        line=hit.line,
        end_line=hit.end_line,
        variant=hit.variant,
        subject=hit.subject,
        title=spec.title,
        rationale=rationale,
        suggestion=spec.suggestion,
    )
