"""`archbot route` shows the persona that will actually review each file, and why when it is not the
one the file's signals chose (`personas.max`, `--persona`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import GitRepo, Run

ROOT = Path(__file__).resolve().parent.parent
RunArchbot = Callable[..., Run]
FOLDED = "llm-ml-engineer's file, folded in: personas.max is 2"


@pytest.fixture
def three_domains(repo: GitRepo, tmp_path: Path) -> Path:
    """One diff touching three personas' domains: an LLM client, a manifest, a training script."""
    combined = tmp_path / "three.diff"
    combined.write_text(
        "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.diff"))),
        encoding="utf-8",
    )
    return combined


def reviewers(report: dict[str, Any]) -> dict[str, str]:
    """The persona reviewing each file: the first one listing it (the governance persona, brought
    in for security-relevant lines, lists such a file too)."""
    return {path: p["name"] for p in reversed(report["personas"]) for path in p["files"]}


def test_route_names_the_reviewing_persona_and_why_it_was_folded(
    three_domains: Path, run_archbot: RunArchbot
) -> None:
    text = run_archbot("route", "--diff", str(three_domains))
    routed = json.loads(run_archbot("route", "--diff", str(three_domains), "--format", "json").out)
    review = json.loads(run_archbot("review", "--diff", str(three_domains), "--format", "json").out)

    assert [line for line in text.out.splitlines() if " -> " in line] == [
        f"app/llm/client.py -> ml-architecture-expert  ({FOLDED})",
        "deploy/model-server.yaml -> ai-architect-agent",
        "training/train.py -> ml-architecture-expert",
    ]
    assert {f["path"]: f["persona"] for f in routed["files"]} == reviewers(review)
    client = next(f for f in routed["files"] if f["path"] == "app/llm/client.py")
    assert (client["routed_to"], client["why"]) == ("llm-ml-engineer", FOLDED)
    expert = next(p for p in review["personas"] if p["name"] == "ml-architecture-expert")
    assert f"app/llm/client.py: {FOLDED}" in expert["reasons"]


def test_route_honours_persona_for_every_file(three_domains: Path, run_archbot: RunArchbot) -> None:
    text = run_archbot("route", "--diff", str(three_domains), "--persona", "llm-ml-engineer")
    review = json.loads(
        run_archbot(
            "review", "--diff", str(three_domains), "--format", "json", "--persona", "llm-ml-engineer"
        ).out
    )

    assert [line for line in text.out.splitlines() if " -> " in line] == [
        "app/llm/client.py -> llm-ml-engineer",
        "deploy/model-server.yaml -> llm-ml-engineer  (--persona)",
        "training/train.py -> llm-ml-engineer  (--persona)",
    ]
    assert set(reviewers(review).values()) == {"llm-ml-engineer"}


def test_the_comment_says_which_file_was_folded_in(three_domains: Path, run_archbot: RunArchbot) -> None:
    result = run_archbot("review", "--diff", str(three_domains), "--format", "markdown", "--fail-on", "never")

    assert (
        "**ml-architecture-expert** reviewed `app/llm/client.py`, `training/train.py` (imports "
        "`transformers`, path `**/training/**`; `app/llm/client.py` is llm-ml-engineer's, folded in by "
        "`personas.max`).  "
    ) in result.out.splitlines()
