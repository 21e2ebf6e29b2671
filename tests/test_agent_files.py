"""Claude Code agent files as personas, tested with the five seed files archbot's personas come from.

The seeds are read at test time from the project's shared folder when a checkout can reach it
(`../shared/seeds` of the main checkout), else from tests/data/seeds, a copy kept for fresh clones
that have no shared folder; when both exist they must be identical.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anthropic_server import AnthropicServer
from archbot import agentfile, frontmatter, personas, review, sources, terms
from archbot.config import Config
from conftest import GitRepo, Run

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SEEDS = ROOT / "tests" / "data" / "seeds"
SEED_NAMES = (
    "ai-architect-agent",
    "llm-ml-engineer",
    "ml-architecture-expert",
    "ml-system-architect",
    "senior-ml-systems-architect",
)
RunArchbot = Callable[..., Run]
# What an interactive agent is told that a reviewer of a diff must never get.
NOT_FOR_REVIEW = re.compile(
    r"task tool|delegat|subagent|session|\.claude/|/omgml|```bash|<example>|<commentary>|user:|assistant:"
    r"|Read, Edit|PHOW|TaskIQ \+ NATS|[‚Üöú∂ÔÑ]{2}",
    re.I,
)


def shared_seeds() -> Path | None:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "seeds"
        if all((candidate / f"{name}.md").is_file() for name in SEED_NAMES):
            return candidate
    return None


@pytest.fixture(scope="module")
def seeds() -> dict[str, bytes]:
    shared = shared_seeds()
    copies = {name: (FIXTURE_SEEDS / f"{name}.md").read_bytes() for name in SEED_NAMES}
    if shared is None:
        return copies
    real = {name: (shared / f"{name}.md").read_bytes() for name in SEED_NAMES}
    assert real == copies, "tests/data/seeds differs from the shared seed files: copy them again"
    return real


def with_agents(repo: GitRepo, agents: dict[str, bytes]) -> None:
    for name, data in agents.items():
        repo.write(f".claude/agents/{name}.md", data)
    repo.write(".archbot.yml", "personas:\n  claude_agents: true\n")
    repo.commit("agents")


def stage_example(repo: GitRepo, name: str) -> None:
    """The example diff staged on top of its pre-change file (rebuilt from the diff's hunk)."""
    diff_path = ROOT / "examples" / f"{name}.diff"
    text = diff_path.read_text(encoding="utf-8")
    (changed,) = sources.diff_file(str(diff_path)).files
    (hunk,) = changed.hunks
    assert hunk.old_start == 1
    repo.write(changed.path, "".join(f"{line.text}\n" for line in hunk.lines if line.kind != "+"))
    repo.commit("before")
    subprocess.run(["git", "apply", "--index", "-"], cwd=repo.path, input=text.encode(), check=True)


EXAMPLES = {
    "llm-service-client": ("app/llm/client.py", "llm-ml-engineer"),
    "model-serving-k8s": ("deploy/model-server.yaml", "ai-architect-agent"),
    "training-script": ("training/train.py", "ml-architecture-expert"),
}
# Personas brought in beside the file's own: the training script adds trust_remote_code and
# weights_only lines (security-relevant content in ML code brings in the governance persona).
BROUGHT_IN = {"training-script": ["ai-architect-agent"]}


def json_review(run_archbot: RunArchbot, *args: str) -> tuple[int, dict[str, Any], str]:
    result = run_archbot("review", "--format", "json", *args)
    return result.code, json.loads(result.out), result.err


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_seed_agent_files_review_the_examples_like_the_builtins(
    example: str, repo: GitRepo, seeds: dict[str, bytes], run_archbot: RunArchbot
) -> None:
    stage_example(repo, example)
    builtin_code, builtin, _ = json_review(run_archbot, "--no-llm")
    repo.git("stash", "-q")
    with_agents(repo, seeds)
    repo.git("stash", "pop", "-q")
    repo.git("add", "-A")

    code, data, err = json_review(run_archbot, "--no-llm")
    routed = run_archbot("route", "--format", "json")

    path, persona = EXAMPLES[example]
    assert err == ""
    expected = [(persona, [path]), *((name, [path]) for name in BROUGHT_IN.get(example, []))]
    assert [(p["name"], p["files"]) for p in data["personas"]] == expected
    assert [f["file"] for f in data["findings"]] and {f["file"] for f in data["findings"]} == {path}
    assert (code, data["findings"], data["personas"]) == (
        builtin_code,
        builtin["findings"],
        builtin["personas"],
    )
    assert [(f["path"], f["persona"]) for f in json.loads(routed.out)["files"]] == [(path, persona)]


def test_seed_agent_prompts_sent_to_the_model_hold_no_chat_or_tool_instructions(
    repo: GitRepo, seeds: dict[str, bytes], run_archbot: RunArchbot, anthropic_server: AnthropicServer
) -> None:
    with_agents(repo, seeds)
    stage_example(repo, "llm-service-client")

    shown = run_archbot("personas", "show", "llm-ml-engineer", "--sent")
    code, data, err = json_review(run_archbot, "--llm")

    (sent,) = anthropic_server.messages()
    (system,) = sent.body["system"]
    assert shown.code == 0
    assert [line.split(": ", 1)[0] for line in err.splitlines()] == ["archbot"] * 2  # progress only
    assert system["text"] + "\n" == shown.out
    assert system["text"].startswith("# LLM/ML Engineer - Architecture & Production Specialist\n")
    assert "- [ ] Circuit breaker for cascading failures" in system["text"]
    assert "Select minimal capable model (Haiku for simple → Opus for complex)" in system["text"]
    assert NOT_FOR_REVIEW.search(system["text"]) is None
    assert (code, data["llm"]["calls"]) == (1, 1)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_personas_show_sent_keeps_focus_and_drops_agent_machinery(
    name: str, repo: GitRepo, seeds: dict[str, bytes], run_archbot: RunArchbot
) -> None:
    with_agents(repo, seeds)

    result = run_archbot("personas", "show", name, "--sent")

    assert result.code == 0
    assert NOT_FOR_REVIEW.search(result.out) is None
    assert "# Review protocol" in result.out
    persona_part = result.out.split("# Review protocol")[0]
    assert len(persona_part) < len(seeds[name]) * 0.8
    assert not re.search(r"[\U0001F300-\U0001FAFF\u2705\u274C]", persona_part)


def test_shipped_personas_are_sent_whole() -> None:
    for persona in personas.load(personas.builtin_texts()).values():
        assert personas.prompt_body(persona) == persona.body.strip()


def test_review_body_drops_each_kind_of_agent_machinery() -> None:
    body = """# Reviewer

You review retrieval code.

## Focus
- Chunk sizes and overlap
- \u2705 Metadata filters on every vector query
- Prompt optimization \u2192 `llm-prompt-engineer`
- Use the Task tool to hand off to another agent.

```bash
.claude/scripts/update-session.sh reviewer
```

```python
index.query(vector, filter={"tenant": tenant_id})
```

<example>
user: "review my RAG"
assistant: "I'll use the reviewer agent"
</example>

## Collaboration Notes
Work with `rag-architect` on the design.

## Example Interaction
**User**: "help"

## Quality Standards
- Filters are never optional
"""
    assert agentfile.review_body(body) == (
        "# Reviewer\n\nYou review retrieval code.\n\n## Focus\n- Chunk sizes and overlap\n"
        "- Metadata filters on every vector query\n\n"
        '```python\nindex.query(vector, filter={"tenant": tenant_id})\n```\n\n'
        "## Quality Standards\n- Filters are never optional"
    )


def test_mojibake_is_repaired_and_real_accents_stay() -> None:
    assert agentfile.repair_mojibake("Prompt ‚Üí engineer \uf8ffüö® caf\u00e9") == (
        "Prompt \u2192 engineer \U0001f6a8 caf\u00e9"
    )


# --- lenient frontmatter: the shapes Claude Code accepts -------------------------------------


@pytest.mark.parametrize(
    ("frontmatter_text", "description"),
    [
        ("name: a-b\ndescription: Use this: it reviews code\nmodel: sonnet", "Use this: it reviews code"),
        (
            "name: a-b\ndescription: Reviews RAG.\\n\\nExamples:\\n<example>\\nuser: hi\\n</example>\n"
            "model: opus",
            "Reviews RAG.",
        ),
        (
            "name: a-b\ndescription: |\n  Reviews RAG.\n  Context: chunking\nmodel: opus",
            "Reviews RAG. Context: chunking",
        ),
        (
            "name: a-b\ndescription: Reviews RAG,\n  Context: long\n  lines\nmodel: haiku",
            "Reviews RAG, Context: long lines",
        ),
        ('name: a-b\ndescription: "Quoted \\\\n escaped"\nmodel: sonnet', "Quoted escaped"),
    ],
)
def test_frontmatter_shapes_claude_code_accepts(frontmatter_text: str, description: str) -> None:
    persona = personas.parse(f"---\n{frontmatter_text}\n---\nYou review code.\n", "agent.md")

    assert (persona.name, persona.description) == ("a-b", description)


def test_lenient_read_says_what_it_repaired() -> None:
    meta, notes = frontmatter.parse_lenient("name: a\ndescription: one: two\ntools: [Read, Edit]")

    assert meta == {"name": "a", "description": "one: two", "tools": ["Read", "Edit"]}
    assert notes == (
        "'description' is not valid YAML (mapping values are not allowed in this context): "
        "read as plain text; quote the value",
    )


def test_crlf_and_byte_order_mark() -> None:
    text = "\ufeff---\r\nname: a-b\r\ndescription: Reviews: RAG\r\n---\r\nYou review code.\r\n"

    assert personas.parse(text, "agent.md").description == "Reviews: RAG"


BROKEN = {
    "no-frontmatter": (b"You review code.\n", "persona must start with YAML frontmatter between '---' lines"),
    "no-name": (b"---\ndescription: x\n---\nbody\n", "'name' is missing: add `name: no-name`"),
    "bad-name": (
        b"---\nname: RAG Reviewer\ndescription: x\n---\nbody\n",
        "'name' must be lowercase letters, digits and dashes (like rag-reviewer)",
    ),
    "no-description": (b"---\nname: no-description\n---\nbody\n", "'description' must be a non-empty string"),
    "no-body": (b"---\nname: no-body\ndescription: x\n---\n", "the persona has no prompt body"),
    "bad-triggers": (
        b"---\nname: bad-triggers\ndescription: x\narchbot:\n  paths: docs\n---\nbody\n",
        "'archbot'.paths must be a list of non-empty strings",
    ),
    "not-yaml": (b"---\n: : :\n---\nbody\n", "invalid frontmatter YAML"),
}


def test_a_bad_agent_file_is_skipped_with_one_warning_and_the_review_runs(
    repo: GitRepo, seeds: dict[str, bytes], run_archbot: RunArchbot
) -> None:
    with_agents(repo, {**seeds, **{name: data for name, (data, _) in BROKEN.items()}})
    stage_example(repo, "llm-service-client")

    code, data, err = json_review(run_archbot, "--no-llm")

    warnings = err.splitlines()
    assert len(warnings) == len(BROKEN)
    for (name, (_, problem)), line in zip(sorted(BROKEN.items()), warnings, strict=True):
        assert line.startswith(f"archbot: warning: skipped persona file .claude/agents/{name}.md: ")
        assert problem in line
    assert code == 1
    assert [p["name"] for p in data["personas"]] == ["llm-ml-engineer"]


def test_non_utf8_bytes_are_reported_once_and_the_persona_still_loads(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    with_agents(
        repo,
        {
            "rag": "---\nname: rag\ndescription: Reviews RAG code\n---\nNa\u00efve retrieval.\n".encode(
                "cp1252"
            )
        },
    )

    result = run_archbot("personas", "list")

    assert result.code == 0
    assert "rag " in result.out
    assert result.err == (
        "archbot: warning: persona file .claude/agents/rag.md: it has bytes that are not UTF-8 "
        "(read as \ufffd): save it as UTF-8\n"
    )


def test_personas_validate_reports_repairs_as_notes(
    repo: GitRepo, seeds: dict[str, bytes], run_archbot: RunArchbot
) -> None:
    repo.write("agents/expert.md", seeds["ml-architecture-expert"])

    result = run_archbot("personas", "validate", "agents/expert.md")

    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "agents/expert.md: ok (ml-architecture-expert)\n"
        "agents/expert.md: note: 'description' is not valid YAML (mapping values are not allowed in "
        "this context): read as plain text; quote the value\n"
    )


# --- triggers: kept on override, derived for a new agent ------------------------------------


def test_override_without_archbot_key_keeps_the_builtin_triggers(seeds: dict[str, bytes]) -> None:
    builtin = personas.load(personas.builtin_texts())
    texts = [(f".claude/agents/{n}.md", seeds[n].decode()) for n in SEED_NAMES]

    loaded = personas.load(personas.builtin_texts() + texts)

    for name in SEED_NAMES:
        assert loaded[name].origin == f".claude/agents/{name}.md"
        assert loaded[name].triggers_from == "builtin"
        assert (loaded[name].triggers, loaded[name].context) == (
            builtin[name].triggers,
            builtin[name].context,
        )


def renamed(seeds: dict[str, bytes]) -> list[tuple[str, str]]:
    return [
        (f".claude/agents/team-{n}.md", seeds[n].decode().replace(f"name: {n}\n", f"name: team-{n}\n", 1))
        for n in SEED_NAMES
    ]


def test_new_agents_route_the_examples_at_least_as_well_as_the_builtins(seeds: dict[str, bytes]) -> None:
    """Only the seeds' derived triggers, no built-in persona: every example file is still found
    ML-related, and goes to the agent whose text claims its domain (a Kubernetes manifest of a
    model server: ml-architecture-expert names Kubernetes deployment; ai-architect-agent does not)."""
    derived = personas.load(renamed(seeds))
    builtin = personas.load(personas.builtin_texts())
    expected = {
        "llm-service-client": "team-llm-ml-engineer",
        "model-serving-k8s": "team-ml-architecture-expert",
        "training-script": "team-ml-architecture-expert",
    }

    for example, persona in expected.items():
        change = sources.diff_file(str(ROOT / "examples" / f"{example}.diff"))
        with_builtins = review.route(change, Config(), builtin)
        with_derived = review.route(change, Config(), derived)
        assert [r.persona is not None for r in with_derived.routes] == [
            r.persona is not None for r in with_builtins.routes
        ]
        assert [(r.path, r.persona) for r in with_derived.routes] == [(EXAMPLES[example][0], persona)]
    assert {p.triggers_from for p in derived.values()} == {"derived"}


def test_new_agents_derive_triggers_from_focus_not_from_what_they_hand_off(seeds: dict[str, bytes]) -> None:
    derived = personas.load(renamed(seeds))
    llm = derived["team-llm-ml-engineer"]
    senior = derived["team-senior-ml-systems-architect"]

    assert {"openai", "anthropic", "google.genai"} <= set(llm.triggers.imports)
    assert "**/agents/**" in llm.triggers.paths
    # "NOT for: Vector search/RAG implementation -> vector-search-engineer"
    assert not {"similarity_search", "rerank"} & set(llm.triggers.keywords)
    assert not any("rag" in p or "vector" in p for p in llm.triggers.paths)
    # Caches and queues pick this persona for an ML file; they never make a file ML on their own.
    assert {"redis", "celery"} <= set(senior.context.imports)
    assert not {"redis", "celery"} & set(senior.triggers.imports)


def test_added_agents_come_before_the_builtins(seeds: dict[str, bytes]) -> None:
    loaded = personas.load(personas.builtin_texts() + renamed(seeds)[:1])

    assert list(loaded)[:2] == ["team-ai-architect-agent", "llm-ml-engineer"]


@pytest.mark.parametrize("term", terms.TERMS, ids=lambda t: t.names[0])
def test_each_term_is_found_by_each_of_its_names_as_a_whole_word(term: terms.Term) -> None:
    for name in term.names:
        assert term in terms.mentioned(f"We rely on {name.upper()}, among other things.")
        assert term in terms.mentioned(f"We rely on {name.lower()}.")
    first = term.names[0]
    assert term not in terms.mentioned(f"x{first.lower()}y") or first.lower() in "xy"
    assert term.paths or term.imports or term.keywords


def test_terms_agree_with_the_builtin_personas_on_what_is_context() -> None:
    builtin = personas.load(personas.builtin_texts()).values()
    anchors = {i for p in builtin for i in p.triggers.imports}
    context = {i for p in builtin for i in p.context.imports}
    for term in terms.TERMS:
        for module in term.imports:
            if module in anchors | context:
                assert (module in context) == term.context, (term.names[0], module)
