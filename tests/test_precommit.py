"""The pre-commit hook for real: `pre-commit try-repo`, installed hooks on `git commit` and
`git push`, the wheel's persona files, and the imports of the fast path.

pre-commit clones the hook repository at a commit, so the hooks are taken from a snapshot of this
checkout (tracked and new files, as they are on disk) committed in a scratch repository: the same
on a developer's machine with uncommitted work and on a fresh clone in CI. The hook environment is
a real, non-editable `pip install` of that snapshot from the configured package index.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archbot import about, frontmatter, personas, routing
from conftest import GitRepo, run_console

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
HOOK_LINE = "archbot (ML/LLM review)"

# Model output reaches eval(): llm-output-exec, critical. Everything else about the call is sound,
# so this file has exactly one finding.
LLM_EVAL = '''"""Answers analytics questions: the model writes a pandas expression over the orders frame."""

import anthropic
import pandas as pd

client = anthropic.Anthropic(timeout=30.0, max_retries=2)
MODEL = "claude-sonnet-4-5-20250929"


def answer(question: str, orders: pd.DataFrame) -> object:
    message = client.messages.create(
        model=MODEL,
        max_tokens=300,
        system="Reply with one pandas expression over `orders`, nothing else.",
        messages=[{"role": "user", "content": question}],
    )
    expression = message.content[0].text
    return eval(expression, {"orders": orders, "pd": pd})
'''
LLM_EVAL_FINDING = (
    "analytics/llm_query.py:18: critical [llm-output-exec] "
    "Model output reaches code execution or another dangerous sink"
)
ONE_CRITICAL = "archbot: 1 finding: 1 critical, 0 high, 0 medium, 0 low"
PLAIN_MODULE = '''"""Shopping cart totals."""

from decimal import Decimal


def total(prices: list[Decimal], discount: Decimal = Decimal("0")) -> Decimal:
    return max(sum(prices, Decimal("0")) - discount, Decimal("0"))
'''


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as pre-commit sees a hook repository: one commit; returns (path, sha)."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source, target = ROOT / relative, snapshot / relative
        if not os.path.lexists(source):
            continue  # deleted in the working tree, not yet in the index
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=Hook", "-c", "user.email=hook@example.test", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", *args], cwd=snapshot, env=env, capture_output=True, check=True)
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=snapshot, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    return snapshot, sha


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the session: the hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def hooked(repo: GitRepo, hook_repo: tuple[Path, str], precommit_home: Path) -> Iterator[GitRepo]:
    """A scratch repository whose .pre-commit-config.yaml uses the archbot hook of the snapshot."""
    path, sha = hook_repo
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {path}\n    rev: {sha}\n    hooks:\n      - id: archbot\n",
    )
    repo.commit("add pre-commit config")
    yield repo


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [str(PRE_COMMIT), *args, "--color", "never"], cwd=cwd, env=env, capture_output=True, text=True
    )


def git_run(repo: GitRepo, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """git with the installed hooks firing (they find pre-commit's environments in `home`).
    git sends a pre-commit hook's output to its stderr: both streams are returned as stdout."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        ["git", *args], cwd=repo.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def hook_output(output: str) -> list[str]:
    """The hook's own lines: after pre-commit's `- exit code: N` and a blank line, up to a blank line."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("- exit code:")) + 2
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_try_repo_fails_a_staged_llm_change_with_a_critical_defect(
    repo: GitRepo, hook_repo: tuple[Path, str], precommit_home: Path
) -> None:
    """try-repo installs the hook into a store of its own (it ignores PRE_COMMIT_HOME)."""
    path, sha = hook_repo
    repo.commit("initial")
    repo.stage("analytics/llm_query.py", LLM_EVAL)

    result = pre_commit("try-repo", str(path), "archbot", "--ref", sha, cwd=repo.path, home=precommit_home)

    assert result.returncode == 1, result.stdout + result.stderr
    assert any(line.startswith(HOOK_LINE) and line.endswith("Failed") for line in result.stdout.splitlines())
    assert hook_output(result.stdout) == [LLM_EVAL_FINDING, ONE_CRITICAL]


def test_commit_with_a_critical_defect_is_blocked(hooked: GitRepo, precommit_home: Path) -> None:
    assert pre_commit("install", cwd=hooked.path, home=precommit_home).returncode == 0
    before = hooked.git("rev-parse", "HEAD")
    hooked.stage("analytics/llm_query.py", LLM_EVAL)

    result = git_run(hooked, "commit", "-m", "add the analytics assistant", home=precommit_home)

    assert result.returncode == 1
    assert hook_output(result.stdout) == [LLM_EVAL_FINDING, ONE_CRITICAL]
    assert hooked.git("rev-parse", "HEAD") == before


def test_the_snippet_init_writes_installs_the_hook_for_a_teammate_without_archbot(
    repo: GitRepo, tmp_path: Path
) -> None:
    """`archbot init` pins the commit of this archbot; pre-commit installs archbot itself from a
    clone of the repository at that commit, and a real `git commit` runs it with no archbot on
    PATH. The snippet is used as written, except for the repository URL (the clone, not GitHub).
    Its own PRE_COMMIT_HOME: the session's holds the environment of the snapshot hook only."""
    precommit_home = tmp_path / "pre-commit-home"
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    clone = tmp_path / "archbot-clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, capture_output=True)
    assert run_console("init", cwd=repo.path).returncode == 0
    snippet = (repo.path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"  - repo: {about.REPOSITORY}\n    rev: {head}  # archbot " in snippet
    assert "language: system" not in snippet and "repo: local" not in snippet
    repo.write(".pre-commit-config.yaml", snippet.replace(about.REPOSITORY, str(clone)))
    repo.commit("archbot init")
    path = os.pathsep.join(
        d for d in os.environ["PATH"].split(os.pathsep) if d and not (Path(d) / "archbot").exists()
    )
    assert shutil.which("archbot", path=path) is None
    assert pre_commit("install", cwd=repo.path, home=precommit_home).returncode == 0
    before = repo.git("rev-parse", "HEAD")
    repo.stage("analytics/llm_query.py", LLM_EVAL)

    env = {**os.environ, "PATH": path, "PRE_COMMIT_HOME": str(precommit_home), "NO_COLOR": "1"}
    blocked = subprocess.run(
        ["git", "commit", "-m", "add the analytics assistant"],
        cwd=repo.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    repo.stage("analytics/llm_query.py", LLM_EVAL.replace("return eval(expression", "return str(expression"))
    passed = subprocess.run(
        ["git", "commit", "-q", "-m", "answer as text"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
    )

    assert blocked.returncode == 1, blocked.stdout
    assert hook_output(blocked.stdout) == [LLM_EVAL_FINDING, ONE_CRITICAL]
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert repo.git("rev-parse", "HEAD^") == before


def test_a_release_build_passes_twine_check_and_carries_its_commit(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    source = tmp_path / "source"
    shutil.copytree(hook_repo[0], source, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    (source / "bot" / "archbot" / "COMMIT").write_text(hook_repo[1] + "\n", encoding="utf-8")
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr[-2000:]
    artifacts = sorted(p.name for p in dist.iterdir())
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *(str(dist / a) for a in artifacts)],
        capture_output=True,
        text=True,
    )

    assert artifacts == [f"archbot-{about.version()}-py3-none-any.whl", f"archbot-{about.version()}.tar.gz"]
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("archbot/COMMIT").decode().strip() == hook_repo[1]


def test_commit_without_ml_changes_passes(hooked: GitRepo, precommit_home: Path) -> None:
    assert pre_commit("install", cwd=hooked.path, home=precommit_home).returncode == 0
    before = hooked.git("rev-parse", "HEAD")
    hooked.stage("shop/cart.py", PLAIN_MODULE)
    hooked.stage("docs/cart.md", "# Cart\n\nTotals never go below zero.\n")

    result = git_run(hooked, "commit", "-m", "cart totals", home=precommit_home)

    assert result.returncode == 0, result.stdout + result.stderr
    hook_lines = [line for line in result.stdout.splitlines() if line.startswith(HOOK_LINE)]
    assert len(hook_lines) == 1 and hook_lines[0].endswith("Passed")
    assert hooked.git("rev-parse", "HEAD") != before


def test_pre_push_over_a_range_with_a_defect_fails(
    hooked: GitRepo, precommit_home: Path, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    hooked.git("remote", "add", "origin", str(remote))
    hooked.stage("shop/cart.py", PLAIN_MODULE)
    base = hooked.commit("cart totals")
    hooked.git("push", "-q", "origin", "main")
    hooked.stage("analytics/llm_query.py", LLM_EVAL)
    head = hooked.commit("add the analytics assistant")
    hooked.stage("docs/cart.md", "# Cart\n")
    tip = hooked.commit("docs")
    assert pre_commit("install", "-t", "pre-push", cwd=hooked.path, home=precommit_home).returncode == 0

    pushed = git_run(hooked, "push", "origin", "main", home=precommit_home)

    assert pushed.returncode != 0
    assert hook_output(pushed.stdout) == [LLM_EVAL_FINDING, ONE_CRITICAL]
    assert hooked.git("--git-dir", str(remote), "rev-parse", "main").strip() == base

    in_range = pre_commit(
        "run", "--hook-stage", "pre-push", "--from-ref", base, "--to-ref", tip,
        cwd=hooked.path, home=precommit_home,
    )  # fmt: skip
    assert in_range.returncode == 1
    assert hook_output(in_range.stdout) == [LLM_EVAL_FINDING, ONE_CRITICAL]

    after_defect = pre_commit(
        "run", "--hook-stage", "pre-push", "--from-ref", head, "--to-ref", tip,
        cwd=hooked.path, home=precommit_home,
    )  # fmt: skip
    assert after_defect.returncode == 0, after_defect.stdout


def test_installed_hook_finds_its_personas(hooked: GitRepo, precommit_home: Path) -> None:
    config = (hooked.path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    hooked.stage(".pre-commit-config.yaml", config + "        args: [--format, json]\n")
    hooked.stage("analytics/llm_query.py", LLM_EVAL)

    result = pre_commit("run", "archbot", cwd=hooked.path, home=precommit_home)

    assert result.returncode == 1, result.stdout
    report = json.loads("\n".join(hook_output(result.stdout)))
    # eval() of the model's answer: security-relevant ML code brings in the governance persona.
    assert [p["name"] for p in report["personas"]] == ["llm-ml-engineer", "ai-architect-agent"]
    assert report["personas"][0]["files"] == ["analytics/llm_query.py"]
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("llm-output-exec", 18)]
    installed = list(
        precommit_home.glob("repo*/py_env-*/lib/python*/site-packages/archbot/persona_files/*.md")
    )
    assert sorted(p.stem for p in installed) == sorted(personas.BUILTIN_ORDER)
    assert not any(p.is_symlink() for p in installed)
    assert not list(precommit_home.glob("repo*/py_env-*/lib/python*/site-packages/__editable__*archbot*"))


def test_wheel_ships_the_persona_files(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(hook_repo[0], source, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("archbot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name.rsplit("/", 1)[-1]: archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("archbot/persona_files/")
        }
    assert shipped == {
        f"{name}.md": (ROOT / "personas" / f"{name}.md").read_text() for name in personas.BUILTIN_ORDER
    }


def test_editable_install_loads_the_five_builtin_personas() -> None:
    texts = personas.builtin_texts()
    assert [origin for origin, _ in texts] == [f"builtin:{name}" for name in personas.BUILTIN_ORDER]
    assert list(personas.load(texts)) == list(personas.BUILTIN_ORDER)


def imported_modules(stderr: str) -> set[str]:
    """Module names from `python -X importtime` output (`import time: self | cumulative | name`)."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }


def import_trace(repo: GitRepo) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"PRE_COMMIT": "1"}
    command = [sys.executable, "-X", "importtime", "-m", "archbot", "review"]
    subprocess.run(command, cwd=repo.path, env=env, capture_output=True, check=False)  # warm the cache
    result = subprocess.run(command, cwd=repo.path, env=env, capture_output=True, text=True, check=False)
    return result, imported_modules(result.stderr)


def test_non_ml_commit_imports_nothing_heavy(repo: GitRepo) -> None:
    repo.stage("shop/cart.py", PLAIN_MODULE)
    repo.stage("web/checkout.js", "export const currency = 'EUR';\n")

    result, modules = import_trace(repo)

    assert result.returncode == 0
    assert result.stdout == "archbot: no ML/LLM-related changes\n"
    assert {"archbot.entry", "archbot.screen"} <= modules
    # The screen decides before the pipeline is imported: not even click, unidiff or dataclasses.
    heavy_packages = {"anthropic", "github", "httpx", "yaml", "click", "unidiff", "dataclasses", "tomllib"}
    pipeline = {"archbot.cli", "archbot.review", "archbot.personas", "archbot.config", "archbot.models"}
    rules_or_llm = ("archbot.rules", "archbot.llm")
    assert {
        m for m in modules if m.split(".")[0] in heavy_packages or m in pipeline or m.startswith(rules_or_llm)
    } == set()


def test_ml_commit_loads_the_rules(repo: GitRepo) -> None:
    """The counterpart of the fast path: the same trace shows the rules once a file is ML-related."""
    repo.stage("analytics/llm_query.py", LLM_EVAL)

    result, modules = import_trace(repo)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [LLM_EVAL_FINDING, ONE_CRITICAL]
    assert {"archbot.rules.registry", "archbot.rules.engine"} <= modules
    assert not {m for m in modules if m.split(".")[0] in ("anthropic", "github")}


def test_frontmatter_cache_returns_what_yaml_parsed(tmp_path: Path) -> None:
    text = "name: x\ndescription: d\narchbot:\n  imports: [openai]\n"
    cache = frontmatter.Cache(tmp_path / "cache.json")
    parsed = frontmatter.parse(text, cache)
    cache.save()

    assert frontmatter.parse(text, frontmatter.Cache(tmp_path / "cache.json")) == parsed
    assert parsed == {"name": "x", "description": "d", "archbot": {"imports": ["openai"]}}
    dated = frontmatter.Cache(tmp_path / "dated.json")
    frontmatter.parse("name: x\nreleased: 2024-05-01\n", dated)
    dated.save()
    assert not (tmp_path / "dated.json").exists()


def test_frontmatter_cache_survives_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    path.write_bytes(b"\xff{not json")
    assert frontmatter.parse("name: y\n", frontmatter.Cache(path)) == {"name": "y"}
    with pytest.raises(frontmatter.FrontmatterError, match=r"^while parsing a flow sequence$"):
        frontmatter.parse("name: [unclosed\n  - x: 'y", frontmatter.Cache(path))


@given(path=st.text(alphabet="ab/.*", max_size=10), pattern=st.text(alphabet="ab/.*?[]", max_size=8))
def test_persona_globs_match_exactly_as_fnmatch(path: str, pattern: str) -> None:
    """Routing's regex-free glob matching (the hook's hot loop) agrees with fnmatch everywhere."""
    assert routing._fnmatch(path, pattern) == fnmatch.fnmatchcase(path, pattern)
