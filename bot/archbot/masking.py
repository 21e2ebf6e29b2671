"""What archbot prints or posts (notices, errors, comments, summaries) never carries a secret: the
credentials of this run are masked by value, and other secrets by their shape (secrets.redact)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from archbot import secrets
from archbot.models import Finding, Report, SkippedFile

# The variables holding this run's own credentials.
CREDENTIAL_VARIABLES = ("ANTHROPIC_API_KEY", "GITHUB_TOKEN", "ANTHROPIC_AUTH_TOKEN")
# Shorter values are not masked by value: masking "abc" everywhere would garble any text.
_MIN_MASKED = 8
MASK = "[REDACTED:credential]"


class Masker:
    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values = sorted({v for v in values if len(v) >= _MIN_MASKED}, key=len, reverse=True)

    @classmethod
    def of(cls, env: Mapping[str, str]) -> Masker:
        return cls(env.get(name, "").strip() for name in CREDENTIAL_VARIABLES)

    def text(self, value: str) -> str:
        """Credentials by value, other secrets by shape: for text built from untrusted input."""
        return secrets.redact(self.values(value))[0]

    def values(self, value: str) -> str:
        """Credentials by value only: for text already rendered from masked parts."""
        for secret in self._values:
            value = value.replace(secret, MASK)
        return value

    def report(self, report: Report) -> Report:
        """Every text field of a report that archbot publishes, masked."""
        llm = report.llm
        return dataclasses.replace(
            report,
            findings=tuple(self.finding(f) for f in report.findings),
            possible=tuple(self.finding(f) for f in report.possible),
            notices=tuple(self.text(n) for n in report.notices),
            skipped=tuple(SkippedFile(s.path, self.text(s.reason)) for s in report.skipped),
            llm=dataclasses.replace(llm, error=self.text(llm.error) if llm.error else llm.error),
            suppressed=tuple(
                dataclasses.replace(s, finding=self.finding(s.finding), reason=self.text(s.reason))
                for s in report.suppressed
            ),
        )

    def finding(self, finding: Finding) -> Finding:
        return dataclasses.replace(
            finding,
            title=self.text(finding.title),
            rationale=self.text(finding.rationale),
            suggestion=self.text(finding.suggestion),
        )
