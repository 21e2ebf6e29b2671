"""Diff parsing on diffs that real git produces, and clear errors on input that is not a diff."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from archbot import diff, sources
from archbot.errors import ArchbotError
from archbot.models import ChangedFile
from conftest import GitRepo, Run, run_console

RunArchbot = Callable[..., Run]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def move(repo: GitRepo, old: str, new: str) -> None:
    target = repo.path / new
    target.parent.mkdir(parents=True, exist_ok=True)
    (repo.path / old).rename(target)
    repo.git("add", "-A")


def staged_files(repo: GitRepo) -> dict[str, ChangedFile]:
    return {f.path: f for f in sources.staged(cwd=repo.path).files}


def git_diff(repo: GitRepo, *args: str) -> str:
    """A diff as raw bytes from git, decoded the way archbot decodes any diff."""
    raw = sources.git(["diff", "--cached", "--no-color", *args], repo.path)
    return diff.decode(raw)


def test_added_file_every_line_numbered(repo: GitRepo) -> None:
    repo.stage("llm/client.py", "import openai\n\nclient = openai.OpenAI()\n")
    (changed,) = staged_files(repo).values()
    assert (changed.path, changed.old_path, changed.status, changed.is_binary) == (
        "llm/client.py",
        None,
        "added",
        False,
    )
    assert changed.added_lines == {1: "import openai", 2: "", 3: "client = openai.OpenAI()"}


def test_modified_file_new_line_numbers_across_hunks(repo: GitRepo) -> None:
    old = [f"line {n}" for n in range(1, 21)]
    repo.stage("train.py", "\n".join(old) + "\n")
    repo.commit("base")
    new = old.copy()
    new[2] = "line 3 changed"
    new.insert(4, "inserted after line 4")
    del new[10]
    new.append("appended")
    repo.stage("train.py", "\n".join(new) + "\n")

    changed = staged_files(repo)["train.py"]

    assert changed.status == "modified"
    assert len(changed.hunks) == 2
    assert changed.added_lines == {3: "line 3 changed", 5: "inserted after line 4", 21: "appended"}
    for number, text in changed.added_lines.items():
        assert new[number - 1] == text


def test_deleted_file(repo: GitRepo) -> None:
    repo.stage("old_model.py", "import torch\n")
    repo.commit("base")
    repo.git("rm", "-q", "old_model.py")

    changed = staged_files(repo)["old_model.py"]

    assert (changed.status, changed.is_deleted, changed.old_path) == ("deleted", True, None)
    assert changed.added_lines == {}


def test_pure_rename(repo: GitRepo) -> None:
    repo.stage("serve.py", "import fastapi\n" * 10)
    repo.commit("base")
    move(repo, "serve.py", "api/serve.py")

    changed = staged_files(repo)["api/serve.py"]

    assert (changed.status, changed.old_path, changed.hunks) == ("renamed", "serve.py", ())


def test_rename_with_edits(repo: GitRepo) -> None:
    body = [f"value_{n} = {n}" for n in range(1, 11)]
    repo.stage("config.py", "\n".join(body) + "\n")
    repo.commit("base")
    move(repo, "config.py", "settings/model_config.py")
    body[4] = 'MODEL = "acme/encoder-base"'
    repo.stage("settings/model_config.py", "\n".join(body) + "\n")

    changed = staged_files(repo)["settings/model_config.py"]

    assert (changed.status, changed.old_path) == ("renamed", "config.py")
    assert changed.added_lines == {5: 'MODEL = "acme/encoder-base"'}


def test_copied_file(repo: GitRepo) -> None:
    body = "".join(f"def step_{n}():\n    return {n}\n" for n in range(10))
    repo.stage("pipelines/train.py", body)
    repo.commit("base")
    repo.stage("pipelines/finetune.py", body + "def extra():\n    return 0\n")

    files = {f.path: f for f in diff.parse(git_diff(repo, "-C", "--find-copies-harder"))}

    copied = files["pipelines/finetune.py"]
    assert (copied.status, copied.old_path) == ("copied", "pipelines/train.py")
    assert copied.added_lines == {21: "def extra():", 22: "    return 0"}


def test_binary_file(repo: GitRepo) -> None:
    repo.stage("docs/diagram.png", PNG)
    changed = staged_files(repo)["docs/diagram.png"]
    assert (changed.status, changed.is_binary, changed.added_lines) == ("added", True, {})


def test_mode_only_change(repo: GitRepo) -> None:
    script = repo.write("scripts/train.sh", "#!/bin/sh\npython train.py\n")
    repo.commit("base")
    script.chmod(0o755)
    repo.git("add", "scripts/train.sh")

    changed = staged_files(repo)["scripts/train.sh"]

    assert (changed.status, changed.mode_change, changed.hunks) == (
        "modified",
        ("100644", "100755"),
        (),
    )


def test_crlf_lines(repo: GitRepo) -> None:
    repo.stage("win/client.py", b"import openai\r\nclient = openai.OpenAI()\r\n")
    changed = staged_files(repo)["win/client.py"]
    assert changed.added_lines == {1: "import openai", 2: "client = openai.OpenAI()"}


def test_non_utf8_bytes_become_replacement_characters(repo: GitRepo) -> None:
    repo.stage("legacy/prompts.py", b'GREETING = "caf\xe9"\nFAREWELL = "bye"\n')
    changed = staged_files(repo)["legacy/prompts.py"]
    assert changed.added_lines == {1: 'GREETING = "caf\ufffd"', 2: 'FAREWELL = "bye"'}


def test_no_newline_at_end_of_file(repo: GitRepo) -> None:
    repo.stage("eval.py", "a = 1\nb = 2")
    repo.commit("base")
    repo.stage("eval.py", "a = 1\nb = 2\nc = 3")
    text = git_diff(repo)
    assert text.count("\\ No newline at end of file") == 2

    (changed,) = diff.parse(text)

    assert changed.added_lines == {2: "b = 2", 3: "c = 3"}
    assert [line.text for line in changed.hunks[0].lines if line.kind == "-"] == ["b = 2"]


def test_empty_diff(repo: GitRepo) -> None:
    repo.stage("README.md", "# x\n")
    repo.commit("base")
    assert staged_files(repo) == {}
    assert diff.parse("") == []
    assert diff.parse("\n\n") == []


@pytest.mark.parametrize("quotepath", ["on", "off"])
def test_path_with_spaces_and_non_ascii(repo: GitRepo, quotepath: str) -> None:
    path = "models/my model/café_ranker.py"
    repo.stage(path, "import torch\nmodel = torch.nn.Linear(4, 2)\n")
    text = diff.decode(
        sources.git(["-c", f"core.quotepath={quotepath}", "diff", "--cached", "--no-color"], repo.path)
    )
    if quotepath == "on":
        assert '"b/models/my model/caf\\303\\251_ranker.py"' in text

    (changed,) = diff.parse(text)

    assert (changed.path, changed.status) == (path, "added")
    assert changed.added_lines == {1: "import torch", 2: "model = torch.nn.Linear(4, 2)"}


def test_rename_of_a_quoted_path(repo: GitRepo) -> None:
    repo.stage("naïve model.py", "import torch\n" * 5)
    repo.commit("base")
    move(repo, "naïve model.py", "models/naïve model.py")
    text = diff.decode(
        sources.git(["-c", "core.quotepath=on", "diff", "--cached", "-M", "--no-color"], repo.path)
    )
    (changed,) = diff.parse(text)
    assert (changed.path, changed.old_path, changed.status) == (
        "models/naïve model.py",
        "naïve model.py",
        "renamed",
    )


def test_a_file_git_shows_as_text_with_nul_bytes_further_on_is_binary(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """Git shows a file as text when its first 8,000 bytes hold no NUL (a PDF, a data dump): the
    change is reviewed, that file skipped as binary."""
    repo.commit("start")
    repo.stage("docs/paper.pdf", b"%PDF-1.4\n" + b"stream of text\n" * 1000 + b"\x00\x01obj\n" * 10)
    repo.stage("llm/client.py", "import openai\n\nclient = openai.OpenAI(timeout=None)\n")
    repo.commit("paper and client")

    result = run_archbot(
        "review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--fail-on", "never"
    )

    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    assert [(f["file"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("llm/client.py", 3, "llm-timeout-disabled")
    ]
    assert report["files"]["skipped"] == [{"path": "docs/paper.pdf", "reason": "binary file"}]


def full_diff(repo: GitRepo) -> str:
    repo.stage("llm/client.py", "import openai\n\nclient = openai.OpenAI()\n\n\ndef ask():\n    pass\n")
    return git_diff(repo)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("binary", "archbot: the diff contains NUL bytes: this looks like a binary file, not a diff"),
        ("truncated", "archbot: malformed diff: Hunk is shorter than expected (the diff looks cut off)"),
        (
            "prose",
            "archbot: this is not a unified diff (no 'diff --git', '---/+++' or '@@' lines)",
        ),
    ],
)
def test_garbage_diff_is_one_line_and_exit_2(
    repo: GitRepo, run_archbot: RunArchbot, kind: str, message: str
) -> None:
    if kind == "binary":
        path = repo.write("input.png", PNG)
    elif kind == "truncated":
        path = repo.write("input.diff", full_diff(repo)[:-40])
    else:
        path = repo.write("input.diff", "Release notes\n\n- faster routing\n- new personas\n")

    result = run_archbot("review", "--diff", str(path))

    assert (result.code, result.out, result.err) == (2, "", message + "\n")


def test_garbage_diff_through_the_console_script(repo: GitRepo, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.diff"
    truncated.write_text(full_diff(repo)[:-40], encoding="utf-8")

    result = run_console("review", "--diff", str(truncated), cwd=repo.path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr == "archbot: malformed diff: Hunk is shorter than expected (the diff looks cut off)\n"
    )
    assert "Traceback" not in result.stderr


def test_binary_diff_on_stdin_through_the_console_script(repo: GitRepo) -> None:
    result = run_console("review", "--diff", "-", cwd=repo.path, stdin=b"GIF89a\x00\x01\x02garbage\n")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "archbot: the diff contains NUL bytes: this looks like a binary file, not a diff"
    ]


def test_parse_error_is_a_usage_error() -> None:
    with pytest.raises(ArchbotError) as raised:
        diff.parse("--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,4 @@\n a\n+b\n")
    assert (raised.value.exit_code, raised.value.message) == (
        2,
        "malformed diff: Hunk is shorter than expected (the diff looks cut off)",
    )
