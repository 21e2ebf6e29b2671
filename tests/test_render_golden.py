"""Each renderer against a golden file. Regenerate with ARCHBOT_UPDATE_GOLDEN=1 after a deliberate change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archbot import render
from archbot.models import (
    DiffSource,
    FileRole,
    FileRoute,
    Finding,
    LLMUsage,
    PersonaAssignment,
    Report,
    Severity,
    Signal,
    SkippedFile,
)

GOLDEN = Path(__file__).parent / "data" / "golden"


def _finding(rule: str, severity: Severity, line: int, title: str, **extra: str) -> Finding:
    return Finding(
        rule=rule,
        source="rules",
        persona="llm-ml-engineer",
        severity=severity,
        file="app/llm.py",
        line=line,
        title=title,
        rationale=extra.get("rationale", "Why it matters in production."),
        suggestion=extra.get("suggestion", "Do the safe thing."),
        fingerprint=f"fp-{rule}-{line}",
    )


REPORT = Report(
    source=DiffSource("range", base="main", head="HEAD"),
    personas=(
        PersonaAssignment(
            "llm-ml-engineer",
            4.5,
            ("app/llm.py",),
            ("app/llm.py: imports openai", "app/llm.py: path **/llm.py"),
        ),
    ),
    reviewed=("app/llm.py",),
    skipped=(SkippedFile("poetry.lock", "lock file"),),
    findings=(
        _finding(
            "hardcoded-llm-api-key",
            Severity.CRITICAL,
            4,
            "Provider API key or token in source or config",
            rationale="`api_key=` is the literal sk-p…(40 chars).",
        ),
        _finding(
            "http-call-no-timeout",
            Severity.HIGH,
            8,
            "Plain HTTP call without a timeout",
            suggestion="Pass `timeout=(3, 60)`.",
        ),
        _finding("llm-no-max-tokens", Severity.MEDIUM, 12, "Generation call without an output-token cap"),
        Finding(
            rule="llm/review",
            source="llm",
            persona="llm-ml-engineer",
            severity=Severity.HIGH,
            file="app/llm.py",
            line=9,
            title="No fallback when the provider is down @team <b>x</b>",
            rationale="See [here](https://evil.example) and ![img](http://x/y.png).",
            suggestion="Add a second provider.",
            confidence=0.9,
            fingerprint="fp-llm-9",
        ),
    ),
    llm=LLMUsage(
        used=True, model="claude-sonnet-4-5", calls=1, input_tokens=1200, output_tokens=300, cost_usd=0.0081
    ),
    notices=("tests/broken.py: not valid Python (line 3); only text rules ran on it",),
    roles=(FileRole("app/llm.py", "service", ("application code: no distributable package declares it",)),),
    routes=(
        FileRoute(
            "app/llm.py",
            {"llm-ml-engineer": 4.5, "ai-architect-agent": 0.25, "ml-system-architect": 0.0},
            {
                "llm-ml-engineer": (Signal("imports", "openai", 3.0), Signal("path", "**/llm.py", 1.5)),
                "ai-architect-agent": (Signal("security", "exec", 0.25),),
                "ml-system-architect": (),
            },
            "llm-ml-engineer",
        ),
    ),
)
EMPTY = Report(source=DiffSource("staged"), personas=(), reviewed=(), skipped=(), findings=())


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ARCHBOT_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "rendered"),
    [
        ("report.txt", lambda: render.text(REPORT)),
        ("report-quiet.txt", lambda: render.text(REPORT, quiet=True)),
        ("report-colour.txt", lambda: render.text(REPORT, colour=True, quiet=True)),
        (
            "report.md",
            lambda: render.markdown(REPORT, link=lambda p, n: f"https://github.test/o/r/blob/abc/{p}#L{n}"),
        ),
        ("report.json", lambda: render.json_text(REPORT)),
        ("empty.txt", lambda: render.text(EMPTY)),
        ("empty.md", lambda: render.markdown(EMPTY)),
        ("empty.json", lambda: render.json_text(EMPTY)),
    ],
)
def test_renderer_golden(name: str, rendered) -> None:  # type: ignore[no-untyped-def]
    _check(name, rendered())


def test_markdown_neutralises_untrusted_text() -> None:
    body = render.markdown(REPORT)
    assert "@team" not in body and "@\u200bteam" in body
    assert "<b>" not in body
    assert "](https://evil.example)" not in body
    assert "![img]" not in body
    assert body.count(render.COMMENT_MARKER) == 1
