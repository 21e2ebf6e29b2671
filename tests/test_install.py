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

from archbot import about, config, scaffold
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

    assert set(scaffold.DESCRIPTIONS) == config_keys()
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


def test_init_pins_this_archbots_commit(repo: GitRepo, run_archbot: RunArchbot) -> None:
    result = run_archbot("init")

    assert result.code == 0
    snippet = (repo.path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    hooks = yaml.safe_load(snippet)["repos"]
    assert hooks == [{"repo": about.REPOSITORY, "rev": head_commit(), "hooks": [{"id": "archbot"}]}]


def test_init_rev_pins_a_release_tag_or_commit_and_rejects_junk(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    tagged = run_archbot("init", "--rev", "v0.1.0")
    junk = run_archbot("init", "--force", "--rev", "-x; rm -rf /")

    assert tagged.code == 0
    assert "    rev: v0.1.0  # archbot " in (repo.path / ".pre-commit-config.yaml").read_text()
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


def test_readme_pins_a_commit_that_exists_and_has_the_hook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(
        r"```yaml\n(repos:\n  - repo: https://github\.com/archbot/archbot\n.*?)```", readme, re.S
    )
    (entry,) = yaml.safe_load(block)["repos"]
    rev = entry["rev"]

    assert entry["repo"] == about.REPOSITORY and entry["hooks"] == [{"id": "archbot"}]
    assert re.fullmatch(r"[0-9a-f]{40}", rev)
    manifest = subprocess.run(
        ["git", "show", f"{rev}:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert manifest.returncode == 0, f"README pins {rev}, which this repository does not have"
    assert yaml.safe_load(manifest.stdout)[0]["id"] == "archbot"
    assert "v0.1.0" not in block


def test_release_workflow_builds_checks_and_publishes_on_a_tag() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    build_steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in build_steps)

    assert triggers == {"push": {"tags": ["v*"]}}
    assert "git rev-parse HEAD > bot/archbot/COMMIT" in runs
    assert "python -m build" in runs and "twine check --strict dist/*" in runs and "make test" in runs
    assert 'test "$TAG" = "v$version"' in runs
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"


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
