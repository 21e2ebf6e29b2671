"""The informational commands: rules, personas list|validate, route."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from conftest import ROOT, GitRepo, Run

RunArchbot = Callable[..., Run]

SPINE_RULES = {
    "hardcoded-llm-api-key": "critical",
    "unsafe-model-deserialization": "high",
    "trust-remote-code": "high",
    "hf-unpinned-revision": "medium",
    "http-call-no-timeout": "medium",
    "llm-timeout-disabled": "high",
    "sync-llm-client-in-async": "high",
    "blocking-sleep-in-async": "high",
    "llm-no-max-tokens": "medium",
}
BUILTIN_PERSONAS = [
    "llm-ml-engineer",
    "senior-ml-systems-architect",
    "ml-system-architect",
    "ml-architecture-expert",
    "ai-architect-agent",
]

HTTP_CALL_NO_TIMEOUT = """\
http-call-no-timeout: Plain HTTP call without a timeout
severity: medium (the default: context can change it, see `archbot rules`)
persona:  senior-ml-systems-architect
peers:    B113, S113

A `requests` or `urllib` call with no timeout, which can wait forever, or an `aiohttp`
request with none on the call or its session, which waits up to 5 minutes. A `data:` or
`file:` URL (its text, or a `startswith` guard around the call) reaches no network. A request
to this machine and to no model path (`f"http://localhost:{port}/terminate"`, or a host the
code shows as one constant: a server the code started or proxies to) is one process of the
deployment calling another beside it: not reported.

Why it matters:
    `requests` and `urllib` never time out unless told to ("your code may hang for minutes
    or more"). A model server or LLM endpoint that stops answering then holds the worker, its
    connection and the user's request until something else kills them.

Fix:
    Pass `timeout=(connect, read)` sized to the endpoint, e.g. `timeout=(3.05, 60)`, and handle
    `requests.Timeout`.

Bad:
    resp = requests.post("http://vllm:8000/v1/chat/completions", json=payload)

Good:
    resp = requests.post("http://vllm:8000/v1/chat/completions", json=payload, timeout=(3, 60))

Where it speaks (role policy, row 'reliability'):
    service, infra: reported
    library: one severity lower
    test, example, script, docs, generated, vendored: not reported
    only in files whose own code is ML/LLM-related

Silence one occurrence: # archbot: ignore[http-call-no-timeout] <reason>

"""


def test_rules_lists_every_rule_with_its_severity(repo: GitRepo, run_archbot: RunArchbot) -> None:
    result = run_archbot("rules")

    assert (result.code, result.err) == (0, "")
    table = result.out.split("\n\n")[0].splitlines()
    listed = {line.split()[0]: line.split()[1] for line in table}
    assert {rule: listed.get(rule) for rule in SPINE_RULES} == SPINE_RULES
    starts = {line.index(line.split()[1]) for line in table}
    assert len(starts) == 1  # one column for severities, however long a rule id is
    severities = [line.split()[1] for line in table]
    order = ["critical", "high", "medium", "low"]
    assert severities == sorted(severities, key=order.index)


def test_rules_marks_the_opt_in_rules_and_says_how_to_enable_one(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    listed = run_archbot("rules").out.split("\n\n")[0].splitlines()
    explained = run_archbot("rules", "llm-no-max-tokens").out

    assert sorted(line.split()[0] for line in listed if line.endswith("  (opt-in)")) == [
        "llm-call-in-loop",
        "llm-model-alias-unpinned",
        "llm-model-hardcoded",
        "llm-no-max-tokens",
        "unpinned-ml-dependency",
    ]
    assert (
        "Off by default (a team's policy, not a defect): rules: {enable: [llm-no-max-tokens]} turns it on.\n"
        "Where it speaks (role policy, row 'application'):\n"
        "    service, infra: reported\n"
    ) in explained


def test_rules_explains_one_rule(repo: GitRepo, run_archbot: RunArchbot) -> None:
    result = run_archbot("rules", "http-call-no-timeout")
    assert (result.code, result.out, result.err) == (0, HTTP_CALL_NO_TIMEOUT, "")


def test_every_spine_rule_explains_itself(repo: GitRepo, run_archbot: RunArchbot) -> None:
    for rule in SPINE_RULES:
        out = run_archbot("rules", rule).out
        headings = [line for line in out.splitlines() if re.match(r"^[A-Z][\w ]*:$", line)]
        assert headings == ["Why it matters:", "Fix:", "Bad:", "Good:"], rule
        assert out.startswith(f"{rule}: ")
        assert f"severity: {SPINE_RULES[rule]} (the default: context can change it" in out


def test_rules_unknown_id_suggests(repo: GitRepo, run_archbot: RunArchbot) -> None:
    typo = run_archbot("rules", "http-call-no-timout")
    unknown = run_archbot("rules", "gpu-memory-leak")
    assert (typo.code, typo.out, typo.err) == (
        2,
        "",
        "archbot: no rule 'http-call-no-timout'; did you mean http-call-no-timeout?\n",
    )
    assert (unknown.code, unknown.err) == (
        2,
        "archbot: no rule 'gpu-memory-leak'; run `archbot rules` for the list\n",
    )


def test_personas_list_shows_the_five_builtins(repo: GitRepo, run_archbot: RunArchbot) -> None:
    result = run_archbot("personas", "list")

    assert (result.code, result.err) == (0, "")
    rows = [line.split() for line in result.out.splitlines() if not line.startswith(" ")]
    assert [row[0] for row in rows] == BUILTIN_PERSONAS
    assert [row[2] for row in rows] == [f"builtin:{name}" for name in BUILTIN_PERSONAS]
    descriptions = [line for line in result.out.splitlines() if line.startswith("    Reviews ")]
    assert len(descriptions) == 5


GOOD_PERSONA = """\
---
name: rag-reviewer
description: Reviews retrieval code for chunking and embedding defects in RAG pipelines.
archbot:
  imports: ["chromadb"]
  keywords: ["similarity_search"]
---
You review retrieval code. Report chunks that split sentences and embeddings built one item at a time.
"""


def test_personas_validate_good_file(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write("personas/rag-reviewer.md", GOOD_PERSONA)
    result = run_archbot("personas", "validate", "personas/rag-reviewer.md")
    assert (result.code, result.out, result.err) == (0, "personas/rag-reviewer.md: ok (rag-reviewer)\n", "")


def test_personas_validate_bad_files(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write("personas/good.md", GOOD_PERSONA)
    repo.write("personas/bad-name.md", "---\nname: RAG Reviewer\ndescription: x\n---\nbody\n")
    repo.write("personas/no-frontmatter.md", "You review retrieval code.\n")

    result = run_archbot(
        "personas", "validate", "personas/bad-name.md", "personas/good.md", "personas/no-frontmatter.md"
    )

    assert result.code == 2
    assert result.out == "personas/good.md: ok (rag-reviewer)\n"
    assert result.err == (
        "personas/bad-name.md: 'name' must be lowercase letters, digits and dashes (like rag-reviewer)\n"
        "personas/no-frontmatter.md: persona must start with YAML frontmatter between '---' lines "
        "(name, description, then the prompt below)\n"
    )


def test_personas_validate_the_shipped_personas(repo: GitRepo, run_archbot: RunArchbot) -> None:
    files = [str(ROOT / "personas" / f"{name}.md") for name in BUILTIN_PERSONAS]
    result = run_archbot("personas", "validate", *files)
    assert (result.code, result.err) == (0, "")
    assert result.out == "".join(
        f"{file}: ok ({name})\n" for file, name in zip(files, BUILTIN_PERSONAS, strict=True)
    )


LLM_FILE = '''"""Answer questions with the chat model."""
from openai import OpenAI

client = OpenAI(timeout=30)


def answer(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=300
    )
    return response.choices[0].message.content or ""
'''


def test_route_shows_persona_and_signals(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("app/answer.py", LLM_FILE)
    repo.stage("README.md", "# answers\n")

    result = run_archbot("route")

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == "app/answer.py -> llm-ml-engineer"
    assert lines.pop(1) == "  role: service (application code: no distributable package declares it)"
    top = lines[1].split(None, 2)
    assert top[1] == "llm-ml-engineer"
    assert float(top[0]) >= 2.5
    assert "imports openai" in top[2] and "keyword chat.completions" in top[2]
    assert sorted(line.split()[1] for line in lines[1:6]) == sorted(BUILTIN_PERSONAS)
    assert re.fullmatch(r"persona llm-ml-engineer: \d+\.\d over 1 file", lines[6])
    assert "README.md" not in result.out


def test_route_json(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("app/answer.py", LLM_FILE)

    result = run_archbot("route", "--format", "json")

    routed = json.loads(result.out)
    (file_route,) = routed["files"]
    assert (file_route["path"], file_route["persona"]) == ("app/answer.py", "llm-ml-engineer")
    assert file_route["role"] == {
        "role": "service",
        "signals": ["application code: no distributable package declares it"],
    }
    assert file_route["ml_related"] is True
    assert {"imports openai", "keyword chat.completions"} <= set(file_route["signals"]["llm-ml-engineer"])
    assert [p["name"] for p in routed["personas"]] == ["llm-ml-engineer"]


def test_route_without_ml_changes(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("docs/index.md", "# Answers service\n")
    result = run_archbot("route")
    assert (result.code, result.out) == (0, "no ML/LLM-related changes\n")


def test_route_below_threshold(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("app/cleanup.py", "import shutil\n\n\ndef clean(path):\n    shutil.rmtree(path)\n")
    result = run_archbot("route")
    assert (result.code, result.out) == (
        0,
        "app/cleanup.py -> (none)\n"
        + "  role: service (application code: no distributable package declares it)\n"
        + "".join(f"    0.0  {name}\n" for name in BUILTIN_PERSONAS)
        + "no file reached the routing threshold (2.5)\n",
    )
