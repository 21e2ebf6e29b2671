"""action.yml, `archbot init`, and the `--format sarif|github` outputs for CI."""

from __future__ import annotations

import json
import re
import subprocess

import yaml

from archbot import config, render, scaffold, workflow
from archbot.models import DiffSource, Finding, Report, Severity
from conftest import ROOT, GitRepo

LEAKY = 'from openai import OpenAI\n\nclient = OpenAI(api_key="sk-proj-Xk29dLq8vNw3Rt7Yp1Zs6Hc4Bm0Gf5Ja")\n'


def test_action_is_composite_and_inputs_reach_scripts_only_through_env() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert list(action["inputs"]) == [
        "anthropic-api-key",
        "github-token",
        "fail-on",
        "config",
        "model",
        "inline",
    ]
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    assert [s["run"] for s in steps if "run" in s and "${{" in s["run"]] == []
    assert [s["uses"] for s in steps if "uses" in s] == [
        f"actions/setup-python@{workflow.PINNED['actions/setup-python'][0]}",
        f"actions/cache@{workflow.PINNED['actions/cache'][0]}",
    ]
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for action in ("actions/setup-python", "actions/cache"):
        assert f"uses: {workflow.pinned(action)}\n" in text
    review = next(s for s in steps if s.get("id") == "review")
    assert review["env"]["ANTHROPIC_API_KEY"] == "${{ inputs.anthropic-api-key }}"
    assert review["run"].rstrip().endswith('"$VENV/bin/python" -I -m archbot "${args[@]}"')


def test_pinned_actions_are_commits_with_their_release() -> None:
    for action, (commit, tag) in workflow.PINNED.items():
        assert re.fullmatch(r"[a-z-]+/[a-z-]+", action)
        assert re.fullmatch(r"[0-9a-f]{40}", commit) and re.fullmatch(r"v\d+\.\d+\.\d+", tag)


def test_readme_shows_the_workflow_init_writes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- github -->") : readme.index("<!-- pre-commit -->")]
    (shown,) = re.findall(r"```yaml\n(.*?)```", section, re.S)
    uses = yaml.safe_load(shown)["jobs"]["review"]["steps"][1]["uses"]
    rev = uses.removeprefix("archbot/archbot@")
    pyproject = subprocess.run(
        ["git", "show", f"{rev}:pyproject.toml"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (version,) = re.findall(r'^version = "(.+)"$', pyproject, re.M)
    # What `archbot init` writes when run by archbot at that commit (test_install: it exists).
    assert shown == scaffold.templates(None, scaffold.Pin(rev, version))[scaffold.WORKFLOW_PATH]


def test_init_writes_workflow_config_and_precommit_then_keeps_them(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    first = run_archbot("init")
    assert (first.code, first.out) == (
        0,
        "archbot: wrote .github/workflows/archbot.yml\narchbot: wrote .archbot.yml\n"
        "archbot: wrote .pre-commit-config.yaml\n",
    )
    written = yaml.safe_load((repo.path / ".github/workflows/archbot.yml").read_text())
    assert written["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert list(written[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as true
    job = written["jobs"]["review"]
    assert job["steps"][0] == {
        "uses": f"actions/checkout@{workflow.PINNED['actions/checkout'][0]}",
        "with": {"fetch-depth": 0, "persist-credentials": False},
    }
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert job["steps"][1]["uses"] == f"archbot/archbot@{head}"  # the revision the hook pins
    assert job["timeout-minutes"] == 15
    assert written["concurrency"] == {
        "group": "archbot-${{ github.event.pull_request.number }}",
        "cancel-in-progress": True,
    }
    parsed = config.parse((repo.path / ".archbot.yml").read_text(), ".archbot.yml")
    assert parsed == config.Config(origin=".archbot.yml")
    hooks = yaml.safe_load((repo.path / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"] == [{"id": "archbot"}]  # the hook's manifest says how it runs

    (repo.path / ".archbot.yml").write_text("fail_on: high\n")
    second = run_archbot("init")
    assert second.out.splitlines()[1:2] == ["archbot: kept existing .archbot.yml"]
    assert second.out.splitlines()[-1] == "archbot: existing files were kept; --force overwrites them"
    assert (repo.path / ".archbot.yml").read_text() == "fail_on: high\n"

    assert run_archbot("init", "--force").code == 0
    assert (repo.path / ".archbot.yml").read_text().startswith("# archbot configuration.")


def test_init_rejects_a_malformed_action_reference(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    result = run_archbot("init", "--uses", "evil\n  run: x")
    assert (result.code, result.err) == (2, "archbot: --uses 'evil\\n  run: x': expected OWNER/REPO@REF\n")


def test_sarif_has_partial_fingerprints(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    repo.stage("app/llm.py", LEAKY)
    result = run_archbot("review", "--format", "sarif")
    assert result.code == 1
    sarif = json.loads(result.out)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    critical = [r for r in run["results"] if r["ruleId"] == "hardcoded-llm-api-key"]
    assert [(r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in critical] == [
        ("error", 3)
    ]
    assert set(critical[0]["partialFingerprints"]) == {"archbotFingerprint/v1"}
    assert len(critical[0]["partialFingerprints"]["archbotFingerprint/v1"]) == 20


def test_github_annotations_are_escaped() -> None:
    finding = Finding(
        rule="llm-review",
        source="llm",
        persona="p",
        severity=Severity.HIGH,
        file="app/a,b:c.py",
        line=3,
        title="100% broken, really: yes",
        rationale="line one\nline two",
        suggestion="use 50%",
    )
    low = Finding(
        rule="x",
        source="rules",
        persona="p",
        severity=Severity.LOW,
        file="a.py",
        line=1,
        title="t",
        rationale="r",
        suggestion="s",
    )
    report = Report(DiffSource("diff"), (), (), (), (finding, low))
    assert render.github_annotations(report) == (
        "::warning file=app/a%2Cb%3Ac.py,line=3,endLine=3,title=archbot llm-review%3A 100%25 broken%2C "
        "really%3A yes::line one line two Fix: use 50%25\n"
        "archbot: 2 findings: 0 critical, 1 high, 0 medium, 1 low\n"
    )
    assert render.command_data("a%b\r\nc") == "a%25b%0D%0Ac"
