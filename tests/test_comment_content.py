"""What the PR comment and the inline comments say: golden files for the bundled examples, the size
of a 30-finding comment, each rule explained once, and one-click suggestions that are correct code."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from archbot import github as gh
from archbot import personas, render, review, sources, suggest
from archbot.config import Config
from archbot.models import DiffSource, Finding, PersonaAssignment, Report, Severity
from archbot.rules.registry import all_rules
from conftest import GitRepo

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
SHA = "3f9c2a7b1e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b"
INFO = gh.PullInfo("acme/support-bot", 42, "0" * 40, SHA, False, "https://github.com/acme/support-bot")
COMMENT_BYTES = 8 * 1024


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ARCHBOT_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def examples(repo: GitRepo) -> tuple[GitRepo, Report]:
    """The three bundled example diffs as one commit on top of their pre-change files, reviewed."""
    diffs = sorted((ROOT / "examples").glob("*.diff"))
    for diff_path in diffs:
        (changed,) = sources.diff_file(str(diff_path)).files
        (hunk,) = changed.hunks
        repo.write(changed.path, "".join(f"{line.text}\n" for line in hunk.lines if line.kind != "+"))
    repo.commit("before")
    for diff_path in diffs:
        subprocess.run(["git", "apply", "--index", str(diff_path)], cwd=repo.path, check=True)
    repo.commit("the examples")
    change = sources.ref_range("HEAD~1", "HEAD", cwd=repo.path)
    report = review.review(change, Config(), personas.load(personas.builtin_texts()))
    return repo, report


def test_examples_comment_golden(examples: tuple[GitRepo, Report]) -> None:
    _, report = examples

    body = render.markdown(report, INFO.link)

    check_golden("examples-comment.md", body)


def test_examples_inline_bodies_golden(examples: tuple[GitRepo, Report]) -> None:
    repo, report = examples
    top = [f for f in report.findings if f.severity >= Severity.HIGH]

    bodies = [
        f"<!-- {f.file}:{f.line} -->\n"
        + render.inline_body(f, (repo.path / f.file).read_text(encoding="utf-8").split("\n"))
        for f in top
    ]

    check_golden("examples-inline.md", "\n\n".join(bodies) + "\n")
    suggested = [b for b in bodies if "```suggestion" in b]
    assert sorted(b.split(" -->")[0].removeprefix("<!-- ") for b in suggested) == [
        "app/llm/client.py:37",
        "training/train.py:15",
    ]
    assert all(len(b) < 700 for b in bodies)


def test_each_rule_is_explained_once_and_each_occurrence_is_one_line(
    examples: tuple[GitRepo, Report],
) -> None:
    _, report = examples
    body = render.markdown(report, INFO.link)
    specs = all_rules()

    for rule in {f.rule for f in report.findings}:
        why = render.md_text(render.first_clause(specs[rule].rationale, render.WHY_CHARS))
        assert body.count(why) == 1, rule
    for finding in report.findings:
        location = f"`{finding.file}:{finding.line}`"
        assert sum(1 for line in body.splitlines() if location in line and finding.rule in line) <= 1
    for finding in (f for f in report.findings if f.severity >= Severity.HIGH):
        assert f"[`{finding.file}:{finding.line}`]({INFO.link(finding.file, finding.line)})" in body


def thirty_findings() -> Report:
    """A review of 30 findings of 11 rules across 7 files, as rules write them (detail + why)."""
    specs = all_rules()
    plan = [
        ("hardcoded-llm-api-key", "app/llm/client.py", 10, "`api_key=` is the literal sk-p…(40 chars)."),
        (
            "hardcoded-llm-api-key",
            "deploy/model-server.yaml",
            32,
            "huggingface-access-token hf_k…(37 chars).",
        ),
        ("sync-llm-client-in-async", "app/llm/client.py", 24, "`requests.post` is a synchronous HTTP call."),
        ("sync-llm-client-in-async", "app/llm/client.py", 27, "`openai.OpenAI` is the synchronous client."),
        (
            "sync-llm-client-in-async",
            "app/rag/answer.py",
            41,
            "`anthropic.Anthropic` is the synchronous client.",
        ),
        ("sync-llm-client-in-async", "app/rag/answer.py", 58, "`requests.get` is a synchronous HTTP call."),
        ("trust-remote-code", "deploy/model-server.yaml", 29, "`--trust-remote-code` on the command line."),
        ("trust-remote-code", "training/train.py", 13, ""),
        ("llm-client-no-timeout", "app/rag/answer.py", 12, "`Anthropic()` uses the SDK default of 600 s."),
        ("llm-client-no-timeout", "app/rag/batch.py", 8, "`AsyncOpenAI()` uses the SDK default of 600 s."),
        ("unsafe-model-deserialization", "training/train.py", 15, "`torch.load(..., weights_only=False)`."),
        (
            "unsafe-model-deserialization",
            "training/eval.py",
            22,
            "`torch.load(path)` of a command-line path.",
        ),
        ("http-call-no-timeout", "app/llm/client.py", 24, "`requests.post` with no timeout."),
        ("http-call-no-timeout", "app/rag/index.py", 18, "`requests.get` with no timeout."),
        ("http-call-no-timeout", "app/rag/answer.py", 58, "`requests.get` with no timeout."),
        ("http-call-no-timeout", "app/rag/batch.py", 31, "`httpx.post` with no timeout."),
        ("llm-no-max-tokens", "app/llm/client.py", 27, "`.chat.completions.create()` without `max_tokens`."),
        ("llm-no-max-tokens", "app/rag/answer.py", 44, "`.chat.completions.create()` without `max_tokens`."),
        ("llm-no-max-tokens", "app/rag/batch.py", 26, "`.chat.completions.create()` without `max_tokens`."),
        ("hf-unpinned-revision", "training/train.py", 12, "'acme/ticket-classifier' without `revision=`."),
        ("hf-unpinned-revision", "training/train.py", 15, "'acme/ticket-head' without `revision=`."),
        ("hf-unpinned-revision", "app/rag/index.py", 9, "'BAAI/bge-small-en-v1.5' without `revision=`."),
        ("hf-unpinned-revision", "training/eval.py", 11, "'acme/ticket-classifier' without `revision=`."),
        ("hf-unpinned-revision", "training/eval.py", 14, "'acme/tickets' without `revision=`."),
        ("llm-call-no-error-handling", "app/rag/answer.py", 44, "`.chat.completions.create()` unguarded."),
        (
            "llm-model-hardcoded",
            "app/llm/client.py",
            28,
            "`model='gpt-4o-mini-2024-07-18'` is fixed in code.",
        ),
        ("llm-model-hardcoded", "app/rag/answer.py", 45, "`model='claude-sonnet-4-5'` is fixed in code."),
        ("llm-model-hardcoded", "app/rag/batch.py", 27, "`model='gpt-4o-mini-2024-07-18'` is fixed in code."),
        ("training-no-seed", "training/train.py", 12, "A new head is initialised from an unseeded RNG."),
        ("training-no-seed", "training/eval.py", 9, "`main` samples evaluation batches without a seed."),
    ]
    findings = tuple(
        Finding(
            rule=rule,
            source="rules",
            persona=specs[rule].persona,
            severity=specs[rule].severity,
            file=path,
            line=line,
            title=specs[rule].title,
            rationale=f"{detail} {specs[rule].rationale}".strip(),
            suggestion=specs[rule].suggestion,
            fingerprint=f"{index:020x}",
        )
        for index, (rule, path, line, detail) in enumerate(plan)
    )
    personas_ = (
        PersonaAssignment(
            "llm-ml-engineer",
            12.0,
            ("app/llm/client.py", "app/rag/answer.py", "app/rag/batch.py", "app/rag/index.py"),
            ("app/llm/client.py: path **/llm/**", "app/llm/client.py: imports openai"),
        ),
        PersonaAssignment(
            "ai-architect-agent",
            9.0,
            ("deploy/model-server.yaml", "training/train.py", "training/eval.py"),
            ("deploy/model-server.yaml: path **/deploy/**", "training/train.py: keyword trust_remote_code"),
        ),
    )
    ordered = tuple(sorted(findings, key=lambda f: (-f.severity, f.file, f.line, f.rule)))
    return Report(DiffSource("github", "0" * 40, SHA), personas_, (), (), ordered)


def test_a_thirty_finding_comment_stays_under_the_size_target() -> None:
    report = thirty_findings()

    body = render.markdown(report, INFO.link)

    assert len(report.findings) == 30 and len({f.rule for f in report.findings}) == 11
    assert len(body.encode()) < COMMENT_BYTES
    assert body.count("<li>") == 0 and body.count("\n- [`") == 12  # one linked line per critical/high
    assert body.count("\n  - `") == 18  # one line per medium/low finding, under its rule


def test_persona_line_is_one_short_sentence_per_persona() -> None:
    body = render.markdown(thirty_findings(), INFO.link)

    assert [line for line in body.splitlines() if line.startswith("**")] == [
        "**llm-ml-engineer** reviewed `app/llm/client.py`, `app/rag/answer.py` and 2 more "
        "(path `**/llm/**`, imports `openai`).  ",
        "**ai-architect-agent** reviewed `deploy/model-server.yaml`, `training/train.py` and 1 more "
        "(path `**/deploy/**`, keyword `trust_remote_code`).  ",
    ]


# --- suggestions: correct code for the line, or none -----------------------------------------

ASYNCIO = ["import asyncio", "import os", "", "async def f():"]


@pytest.mark.parametrize(
    ("rule", "line", "fixed"),
    [
        (
            "http-call-no-timeout",
            "    r = requests.post(URL, json={'q': q})",
            "    r = requests.post(URL, json={'q': q}, timeout=30)",
        ),
        ("http-call-no-timeout", "r = httpx.get(URL)", "r = httpx.get(URL, timeout=30)"),
        ("llm-client-no-timeout", "client = OpenAI()", "client = OpenAI(timeout=60.0)"),
        (
            "llm-client-no-timeout",
            "client = anthropic.AsyncAnthropic(max_retries=3)",
            "client = anthropic.AsyncAnthropic(max_retries=3, timeout=60.0)",
        ),
        ("llm-timeout-disabled", "c = OpenAI(timeout=None)", "c = OpenAI(timeout=60.0)"),
        ("llm-retries-disabled", "c = Anthropic(max_retries=0)  # é", "c = Anthropic(max_retries=2)  # é"),
        ("unsafe-model-deserialization", "sd = torch.load(path)", "sd = torch.load(path, weights_only=True)"),
        (
            "unsafe-model-deserialization",
            "sd = torch.load(p, map_location='cpu', weights_only=False)",
            "sd = torch.load(p, map_location='cpu', weights_only=True)",
        ),
        (
            "blocking-sleep-in-async",
            "        time.sleep(2 ** attempt)",
            "        await asyncio.sleep(2 ** attempt)",
        ),
        (
            "hardcoded-llm-api-key",
            'client = OpenAI(api_key="sk-proj-9fQ20N2X5gU84x2iqjSvZeJzkAOPBDs7")',
            'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])',
        ),
    ],
)
def test_mechanical_fix_is_the_corrected_line(rule: str, line: str, fixed: str) -> None:
    assert suggest.suggestion(rule, line, ASYNCIO) == fixed


@pytest.mark.parametrize(
    ("rule", "line", "file_lines"),
    [
        ("http-call-no-timeout", "    r = requests.post(", ASYNCIO),  # the call goes on below
        ("http-call-no-timeout", "r = requests.post(URL, **options)", ASYNCIO),  # may pass timeout
        ("http-call-no-timeout", "r = session.post(URL)", ASYNCIO),  # not known to take timeout=30
        ("blocking-sleep-in-async", "time.sleep(1)", ["import time"]),  # asyncio not imported
        ("hardcoded-llm-api-key", 'c = OpenAI(api_key="sk-proj-9fQ20N2X5gU84x2iqjSvZeJzkAOPBDs7")', []),
        (
            "http-call-no-timeout",
            'requests.post(URL, headers={"x-api-key": "sk-ant-api03-' + "x7Y" * 31 + 'AA"})',
            ASYNCIO,
        ),  # the suggestion would post the secret back
        ("hf-unpinned-revision", 'AutoModel.from_pretrained("org/model")', ASYNCIO),  # the SHA is unknown
        ("llm-no-max-tokens", "r = client.chat.completions.create(model=m, messages=ms)", ASYNCIO),
    ],
)
def test_no_suggestion_where_the_fix_is_not_mechanical(rule: str, line: str, file_lines: list[str]) -> None:
    assert suggest.suggestion(rule, line, file_lines) is None


def test_every_fixer_names_a_registered_rule() -> None:
    assert set(suggest.FIXERS) <= set(all_rules())


def test_suggestion_block_is_fenced_longer_than_any_backticks_in_the_line() -> None:
    finding = Finding(
        rule="http-call-no-timeout",
        source="rules",
        persona="senior-ml-systems-architect",
        severity=Severity.HIGH,
        file="a.py",
        line=1,
        title="Plain HTTP call without a timeout",
        rationale="x",
        suggestion="y",
    )

    body = render.inline_body(finding, ['r = requests.get(URL, params={"q": "```"})'])

    assert body.endswith('\n````suggestion\nr = requests.get(URL, params={"q": "```"}, timeout=30)\n````')
    assert re.search(r"\n```suggestion", body) is None
