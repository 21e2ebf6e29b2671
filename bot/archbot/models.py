"""The one schema everything speaks: changed files, findings, the report."""

from __future__ import annotations

import dataclasses
import enum
import functools
import typing
from collections.abc import Mapping
from typing import Literal

FileStatus = Literal["added", "modified", "deleted", "renamed", "copied"]
FindingSource = Literal["rules", "llm"]
SourceKind = Literal["staged", "range", "diff", "github"]
Role = Literal["service", "library", "infra", "test", "example", "script", "docs", "generated", "vendored"]
ROLE_NAMES: tuple[Role, ...] = typing.get_args(Role)
# The rule id of the one low line per file that folds hygiene findings of example and script code
# (policy.py): it is shown, never inline, and never fails a build.
HYGIENE_RULE = "hygiene"
# What a rule judges a call by, which decides when a change only carries its gap over (carried.py):
# "call": the function it is and the options it passes (a timeout, a revision), so its gap stays
# when only the values the call is given change;
# "surroundings": what surrounds the call (the client it goes through, a retry around it, the loop
# it runs in, the module's seeding), so its gap stays when the call is given other arguments,
# keywords included;
# "content": it reads those values too (a request body's seed, a prompt, a model id).
Subject = Literal["call", "surroundings", "content"]


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


SEVERITY_NAMES = tuple(s.label for s in sorted(Severity, reverse=True))


@dataclasses.dataclass(frozen=True)
class HunkLine:
    kind: Literal["+", "-", " "]
    text: str
    old_line: int | None
    new_line: int | None


@dataclasses.dataclass(frozen=True)
class Hunk:
    old_start: int
    old_length: int
    new_start: int
    new_length: int
    section: str
    lines: tuple[HunkLine, ...]


@dataclasses.dataclass(frozen=True)
class ChangedFile:
    """One file of a diff. `path` is the new path (the old one for a deletion)."""

    path: str
    old_path: str | None
    status: FileStatus
    hunks: tuple[Hunk, ...] = ()
    is_binary: bool = False
    mode_change: tuple[str, str] | None = None

    @functools.cached_property
    def added_lines(self) -> Mapping[int, str]:
        """New-file line number -> text, for every added line (computed once: filters ask per finding)."""
        return {
            line.new_line: line.text
            for hunk in self.hunks
            for line in hunk.lines
            if line.kind == "+" and line.new_line is not None
        }

    @property
    def visible_lines(self) -> frozenset[int]:
        """New-file lines the diff shows (added and context): where a comment can anchor."""
        return frozenset(
            line.new_line for hunk in self.hunks for line in hunk.lines if line.new_line is not None
        )

    @functools.cached_property
    def removed_lines(self) -> Mapping[int, str]:
        """Old-file line number -> text, for every removed line."""
        return {
            line.old_line: line.text
            for hunk in self.hunks
            for line in hunk.lines
            if line.kind == "-" and line.old_line is not None
        }

    @functools.cached_property
    def removal_anchors(self) -> Mapping[int, int]:
        """Old-file number of each removed line -> the new-file line where the removal sits: the
        next line the hunk shows, else the last one before it (annotations and SARIF, which know
        only the new file, point there)."""
        anchors: dict[int, int] = {}
        for hunk in self.hunks:
            pending: list[int] = []
            last = max(hunk.new_start, 1)
            for line in hunk.lines:
                if line.kind == "-" and line.old_line is not None:
                    pending.append(line.old_line)
                elif line.new_line is not None:
                    anchors.update(dict.fromkeys(pending, line.new_line))
                    pending, last = [], line.new_line
            anchors.update(dict.fromkeys(pending, last))
        return anchors

    @property
    def is_deleted(self) -> bool:
        return self.status == "deleted"


@dataclasses.dataclass(frozen=True)
class Finding:
    rule: str
    source: FindingSource
    persona: str
    severity: Severity
    file: str
    line: int
    title: str
    rationale: str
    suggestion: str
    confidence: float = 1.0
    end_line: int | None = None
    fingerprint: str = ""
    category: str | None = None
    # On a removed line: its old-file number (`line` is then where the removal sits in the new file).
    old_line: int | None = None
    # The rule's variant that matched (policy.RulePolicy.variants), '' for the rule's own.
    variant: str = ""
    # What this finding judged its call by, when not what its rule does (RuleSpec.subject).
    subject: Subject | None = None

    @property
    def location(self) -> str:
        """`path:line`, or `path:-old` for a removed line (as the persona review's layout prints it)."""
        return f"{self.file}:-{self.old_line}" if self.old_line is not None else f"{self.file}:{self.line}"

    # The role of the file (roles.py), set by the filter.
    role: Role | None = None
    # Every place this finding stands for, (line, severity), when one rule matched several places
    # of the file (filter.grouped); empty for a finding of one place.
    places: tuple[tuple[int, Severity], ...] = ()
    # On a hygiene line: the (rule, line, severity) of every finding folded into it.
    folded: tuple[tuple[str, int, Severity], ...] = ()
    # The other files where the rule matched the same code (filter.across_files), each with its
    # lines; empty when the finding is of one file.
    also: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(line for line, _ in self.places) if self.places else (self.line,)

    @property
    def other_lines(self) -> tuple[int, ...]:
        """The lines this finding stands for besides the one it is anchored on."""
        return tuple(line for line in self.lines if line != self.line)

    @property
    def elsewhere(self) -> tuple[tuple[str, int], ...]:
        """Every (file, line) this finding stands for besides the one it is anchored on."""
        return tuple((self.file, line) for line in self.other_lines) + tuple(
            (path, line) for path, lines in self.also for line in lines
        )

    @property
    def blocks(self) -> bool:
        """Whether the finding can fail a build (`--fail-on`): folded hygiene lines never do."""
        return self.rule != HYGIENE_RULE

    def to_json(self) -> dict[str, object]:
        extra: dict[str, object] = {} if self.old_line is None else {"old_line": self.old_line}
        if self.also:
            extra["also"] = [{"file": path, "lines": list(lines)} for path, lines in self.also]
        return {
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "source": self.source,
            "persona": self.persona,
            "severity": self.severity.label,
            "confidence": self.confidence,
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "title": self.title,
            "rationale": self.rationale,
            "suggestion": self.suggestion,
            "role": self.role,
            "lines": list(self.lines),
            "places": [
                {"line": line, "severity": severity.label}
                for line, severity in (self.places or ((self.line, self.severity),))
            ],
            "folded": [
                {"rule": rule, "line": line, "severity": severity.label}
                for rule, line, severity in self.folded
            ],
            **extra,
        }


@dataclasses.dataclass(frozen=True)
class FileRole:
    """What kind of code a file is, and the signals that decided it."""

    path: str
    role: Role
    signals: tuple[str, ...]
    # The (first, last) lines of a shipped module's `__main__` blocks: code that runs only when
    # someone runs the module as a program, script code whatever the file is.
    program_blocks: tuple[tuple[int, int], ...] = ()

    def role_at(self, line: int) -> Role:
        """The role of the code at `line`: `script` in a `__main__` block, else the file's."""
        if any(first <= line <= last for first, last in self.program_blocks):
            return "script"
        return self.role

    def to_json(self) -> dict[str, object]:
        return {"role": self.role, "signals": list(self.signals)}


@dataclasses.dataclass(frozen=True)
class Signal:
    """Why a file scored for a persona: e.g. ('import', 'openai', 3.0)."""

    kind: str
    value: str
    weight: float

    def describe(self) -> str:
        return f"{self.kind} {self.value}"


@dataclasses.dataclass(frozen=True)
class FileRoute:
    path: str
    scores: Mapping[str, float]
    signals: Mapping[str, tuple[Signal, ...]]
    persona: str | None

    def to_json(self) -> dict[str, object]:
        """The routing decision as `archbot route --format json` and the JSON report both show it:
        the persona its signals chose, every persona's score and the signals behind each."""
        return {
            "routed_to": self.persona,
            "scores": {name: round(score, 2) for name, score in self.scores.items()},
            "signals": {name: [s.describe() for s in found] for name, found in self.signals.items() if found},
        }


@dataclasses.dataclass(frozen=True)
class PersonaAssignment:
    name: str
    score: float
    files: tuple[str, ...]
    reasons: tuple[str, ...]
    # (path, persona it was routed to) for files this persona reviews only because that persona
    # was not kept (`personas.max`).
    folded: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "score": round(self.score, 2),
            "files": list(self.files),
            "reasons": list(self.reasons),
        }


@dataclasses.dataclass(frozen=True)
class Suppression:
    """A finding silenced in the code: by `# archbot: ignore[...]` (or a peer tool's `# noqa` /
    `# nosec`) on `line`. `added`: the change itself adds that line."""

    finding: Finding
    line: int
    marker: str
    reason: str
    added: bool


@dataclasses.dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclasses.dataclass(frozen=True)
class DiffSource:
    kind: SourceKind
    base: str | None = None
    head: str | None = None


@dataclasses.dataclass(frozen=True)
class LLMUsage:
    used: bool = False
    model: str | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    cached: bool = False
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "used": self.used,
            "model": self.model,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "cached": self.cached,
            "error": self.error,
        }


@dataclasses.dataclass(frozen=True)
class Report:
    source: DiffSource
    personas: tuple[PersonaAssignment, ...]
    reviewed: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]
    findings: tuple[Finding, ...]
    llm: LLMUsage = dataclasses.field(default_factory=LLMUsage)
    notices: tuple[str, ...] = ()
    redactions: int = 0
    suppressed: tuple[Suppression, ...] = ()
    # Persona findings between llm.possible_confidence and llm.min_confidence: shown collapsed as
    # worth a look, never inline, never failing a build.
    possible: tuple[Finding, ...] = ()
    roles: tuple[FileRole, ...] = ()
    # How each reviewed file was routed: every persona's score and signals.
    routes: tuple[FileRoute, ...] = ()

    @property
    def summary(self) -> dict[str, int]:
        counts = {name: 0 for name in SEVERITY_NAMES}
        for finding in self.findings:
            counts[finding.severity.label] += 1
        return counts

    @property
    def has_ml_changes(self) -> bool:
        """Something to say: a persona reviewed files, or a rule found something."""
        return bool(self.personas) or bool(self.findings)

    def worst(self) -> Severity | None:
        """The worst severity of the findings that can fail a build."""
        return max((f.severity for f in self.findings if f.blocks), default=None)
