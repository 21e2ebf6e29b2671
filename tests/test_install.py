"""Installing archbot as a user meets it: `--version`, what `archbot init` writes (the pinned
pre-commit snippet, a complete commented .archbot.yml), the README snippet, the release workflow.
The hook installed from the snippet `init` writes is tested with a real commit in test_precommit."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from archbot import about, config, scaffold, workflow
from conftest import GitRepo, Run, run_console

ROOT = Path(__file__).resolve().parent.parent
RunArchbot = Callable[..., Run]


def head_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def config_keys() -> set[str]:
    keys = set()
    for field in dataclasses.fields(config.Config):
        default = getattr(config.Config(), field.name)
        if field.name == "origin":
            continue
        keys.add(field.name)
        if dataclasses.is_dataclass(default):
            keys |= {f"{field.name}.{inner.name}" for inner in dataclasses.fields(default)}
    return keys


def test_every_config_key_is_described_and_written_at_its_default() -> None:
    template = scaffold.config_template()
    written = yaml.safe_load(template)

    undescribed = sorted(config_keys() - set(scaffold.DESCRIPTIONS))
    assert undescribed == [], f"add a description to scaffold.DESCRIPTIONS for {undescribed}"
    assert sorted(set(scaffold.DESCRIPTIONS) - config_keys()) == []
    assert all(scaffold.DESCRIPTIONS.values())
    for key in config_keys():
        section, _, name = key.partition(".")
        default = getattr(config.Config(), section)
        value = written[section]
        if name:
            assert name in value, key
            assert value[name] == getattr(default, name), key
        elif not dataclasses.is_dataclass(default):
            assert value == default, key
    assert config.parse(template, ".archbot.yml") == config.Config(origin=".archbot.yml")
    assert all(len(line) <= 100 for line in template.splitlines())


def test_version_names_the_version_and_the_commit(repo: GitRepo) -> None:
    result = run_console("--version", cwd=repo.path)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"archbot {about.version()} (commit {head_commit()})\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", about.version())


def test_init_pins_this_archbots_commit_in_the_hook_and_the_workflow(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    result = run_archbot("init")

    assert result.code == 0
    snippet = (repo.path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    hooks = yaml.safe_load(snippet)["repos"]
    assert hooks == [{"repo": about.REPOSITORY, "rev": head_commit(), "hooks": [{"id": "archbot"}]}]
    assert f"    rev: {head_commit()}  # archbot {about.version()}\n" in snippet
    workflow = (repo.path / ".github/workflows/archbot.yml").read_text(encoding="utf-8")
    assert f"      - uses: archbot/archbot@{head_commit()}  # archbot {about.version()}\n" in workflow


def test_init_rev_pins_a_release_tag_or_commit_and_rejects_junk(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    tagged = run_archbot("init", "--rev", "v0.1.0")
    tagged_files = [(repo.path / p).read_text() for p in (scaffold.PRECOMMIT_PATH, scaffold.WORKFLOW_PATH)]
    forked = run_archbot("init", "--force", "--rev", "v0.1.0", "--uses", "our-org/archbot@v0.1.0-ours")
    forked_workflow = (repo.path / scaffold.WORKFLOW_PATH).read_text()
    junk = run_archbot("init", "--force", "--rev", "-x; rm -rf /")

    assert (tagged.code, forked.code) == (0, 0)
    # A revision named by --rev is written as given: what version it is, this archbot cannot say.
    assert "    rev: v0.1.0\n" in tagged_files[0]
    assert "      - uses: archbot/archbot@v0.1.0\n" in tagged_files[1]
    assert "      - uses: our-org/archbot@v0.1.0-ours\n" in forked_workflow
    assert (junk.code, junk.err) == (
        2,
        f"archbot: --rev '-x; rm -rf /': expected a commit id or a tag of {about.REPOSITORY}\n",
    )


def test_init_prints_the_pinned_snippet_when_a_pre_commit_config_exists(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.write(".pre-commit-config.yaml", "repos: []\n")

    result = run_archbot("init")

    assert "archbot: kept existing .pre-commit-config.yaml\narchbot: add this hook to it:\n" in result.out
    assert f"  - repo: {about.REPOSITORY}\n    rev: {head_commit()}  # archbot" in result.out


def test_init_without_a_known_commit_asks_for_rev_and_writes_nothing(
    repo: GitRepo, run_archbot: RunArchbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when archbot was installed from an index without the release's COMMIT file.
    monkeypatch.setattr(about, "commit", lambda: None)

    result = run_archbot("init")

    assert (result.code, result.out, result.err) == (
        2,
        "",
        "archbot: cannot tell which commit of archbot this is (installed without git metadata): "
        f"pass --rev with a commit or release tag of {about.REPOSITORY}\n",
    )
    assert not (repo.path / scaffold.CONFIG_PATH).exists()


def at_commit(rev: str, path: str) -> str:
    shown = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True)
    assert shown.returncode == 0, f"README pins {rev}, which has no {path} in this repository"
    return shown.stdout


def test_readme_pins_the_hook_and_the_action_to_one_commit_of_main_that_has_both() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (hook_block,) = re.findall(
        r"```yaml\n(repos:\n  - repo: https://github\.com/archbot/archbot\n.*?)```", readme, re.S
    )
    (entry,) = yaml.safe_load(hook_block)["repos"]
    rev = entry["rev"]
    action_lines = re.findall(r"^ *- uses: archbot/archbot@(\S+)(.*)$", readme, re.M)
    ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", rev, "HEAD"], cwd=ROOT)

    assert entry["repo"] == about.REPOSITORY and entry["hooks"] == [{"id": "archbot"}]
    assert re.fullmatch(r"[0-9a-f]{40}", rev)
    assert ancestor.returncode == 0, f"README pins {rev}, which is not in this branch's history"
    (version,) = re.findall(r'^version = "(.+)"$', at_commit(rev, "pyproject.toml"), re.M)
    assert f"    rev: {rev}  # archbot {version}\n" in hook_block
    assert action_lines == [(rev, f"  # archbot {version}")]
    hook = yaml.safe_load(at_commit(rev, ".pre-commit-hooks.yaml"))[0]
    assert (hook["id"], hook["language"]) == ("archbot", "python")
    assert yaml.safe_load(at_commit(rev, "action.yml"))["runs"]["using"] == "composite"


def test_release_workflow_builds_checks_and_publishes_on_a_tag() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    release = yaml.safe_load(text)
    triggers = release[True]  # YAML 1.1 reads the key `on` as true
    build_steps = release["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in build_steps)
    actions = re.findall(r"^ *- uses: ([^@\s]+)@", text, re.M)

    assert triggers == {"push": {"tags": ["v*"]}}
    assert "git rev-parse HEAD > bot/archbot/COMMIT" in runs
    assert "python -m build" in runs and "twine check --strict dist/*" in runs and "make test" in runs
    assert 'test "$TAG" = "v$version"' in runs
    publish = release["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert actions == [
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "actions/download-artifact",
        "pypa/gh-action-pypi-publish",
    ]
    for action in actions:  # each pinned to its commit in the one table
        assert f"- uses: {workflow.pinned(action)}\n" in text
    assert build_steps[0]["with"]["persist-credentials"] is False


def test_a_release_build_reports_its_baked_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    (tmp_path / "COMMIT").write_text(commit + "\n", encoding="utf-8")
    monkeypatch.setattr(about, "_PACKAGE", tmp_path)
    about.commit.cache_clear()
    try:
        assert about.commit() == commit
        assert about.describe() == f"archbot {about.version()} (commit {commit})"
    finally:
        about.commit.cache_clear()
