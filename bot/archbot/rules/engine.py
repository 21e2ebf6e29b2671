"""Runs the rules over source files: each rule isolated, broken files degraded to text rules."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable, Mapping

import yaml

from archbot.models import Finding
from archbot.rules import RuleSpec
from archbot.rules.manifests import TEMPLATE_MARK
from archbot.rules.source import PythonFile, SourceFile, YamlFile


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
    if isinstance(src, YamlFile) and src.kind == "yaml" and TEMPLATE_MARK.search(src.text):
        return _plain(src), f"{src.path}: Helm template with unrendered {{{{ }}}}; Kubernetes rules skipped"
    try:
        if isinstance(src, PythonFile):
            _ = src.tree
        elif isinstance(src, YamlFile):
            _ = src.documents
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
        return _plain(src), f"{src.path}: not valid Python{where}; only text rules ran on it"
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return _plain(src), f"{src.path}: not valid YAML{where}; only text rules ran on it"
    return src, None


def _plain(src: SourceFile) -> SourceFile:
    return SourceFile(src.path, src.kind, src.text, src.changed, src.complete, src.repo)


def run(files: Iterable[SourceFile], specs: Mapping[str, RuleSpec]) -> RuleRun:
    findings: list[Finding] = []
    notices: list[str] = []
    needs = {rule_id: context_type(spec) for rule_id, spec in specs.items()}
    for original in files:
        applicable = [s for s in specs.values() if original.kind in s.kinds]
        if not applicable:
            continue
        src, problem = _parsed(original)
        if problem:
            notices.append(problem)
        for spec in applicable:
            if not isinstance(src, needs[spec.id]):
                continue
            try:
                hits = list(spec.check(src))
            # A rule's bug must not cost the user the rest of the review: report it and go on.
            except Exception as error:  # noqa: BLE001
                notices.append(
                    f"rule {spec.id} failed on {src.path} ({type(error).__name__}: "
                    f"{error}); every other rule still ran"
                )
                continue
            findings.extend(_finding(spec, src.path, hit) for hit in hits)
    return RuleRun(tuple(findings), tuple(notices))


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
        title=spec.title,
        rationale=rationale,
        suggestion=spec.suggestion,
    )
