"""Static rules: each a small decorated function with a stable id whose docstring is its documentation.

A rule module holds one family: `RULES = Family()` and `@RULES.rule(...)` on each check. The explicit
list of families is in `archbot.rules.registry`. A check receives the file context of its kind and
yields `Hit`s; the runner turns them into findings and the filter decides what is reported.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

from archbot.classify import FileKind
from archbot.models import Severity, Subject

_SECTION = re.compile(r"^(Why|Fix|Bad|Good):[ \t]*", re.M)


@dataclasses.dataclass(frozen=True)
class Hit:
    """One match: the line to report on, optional detail for the rationale, optional severity,
    the variant of the rule it is (policy.RulePolicy.variants: where it is reported), '' for the
    rule's own, and what it judges its call by when not what the rule does (RuleSpec.subject)."""

    line: int
    detail: str = ""
    severity: Severity | None = None
    end_line: int | None = None
    variant: str = ""
    subject: Subject | None = None


@dataclasses.dataclass(frozen=True)
class RuleDoc:
    what: str
    why: str
    fix: str
    bad: str
    good: str

    @classmethod
    def parse(cls, docstring: str, rule_id: str) -> RuleDoc:
        text = inspect.cleandoc(docstring)
        parts = _SECTION.split(text)
        # cleandoc, not strip: a section's continuation lines keep only their relative indent.
        sections = dict(zip(parts[1::2], (inspect.cleandoc(p) for p in parts[2::2]), strict=True))
        missing = {"Why", "Fix", "Bad", "Good"} - set(sections)
        if missing:
            raise ValueError(f"rule {rule_id}: docstring lacks {', '.join(sorted(missing))}")
        return cls(parts[0].strip(), sections["Why"], sections["Fix"], sections["Bad"], sections["Good"])


Check = Callable[[Any], Iterable[Hit]]


@dataclasses.dataclass(frozen=True)
class RuleSpec:
    id: str
    title: str
    severity: Severity
    persona: str
    kinds: frozenset[FileKind]
    peers: tuple[str, ...]
    check: Check
    doc: RuleDoc
    # What the rule judges a call by (models.Subject); a hit may say otherwise (Hit.subject).
    subject: Subject = "content"

    @property
    def rationale(self) -> str:
        return " ".join(self.doc.why.split())

    @property
    def suggestion(self) -> str:
        return " ".join(self.doc.fix.split())


class Family:
    """The rules of one module, in definition order."""

    def __init__(self) -> None:
        self.specs: list[RuleSpec] = []

    def rule(
        self,
        rule_id: str,
        *,
        title: str,
        severity: Severity,
        persona: str,
        kinds: Iterable[FileKind],
        peers: Iterable[str] = (),
        subject: Subject = "content",
    ) -> Callable[[Check], Check]:
        def register(check: Check) -> Check:
            spec = RuleSpec(
                id=rule_id,
                title=title,
                severity=severity,
                persona=persona,
                kinds=frozenset(kinds),
                peers=tuple(peers),
                check=check,
                doc=RuleDoc.parse(check.__doc__ or "", rule_id),
                subject=subject,
            )
            self.specs.append(spec)
            return check

        return register
