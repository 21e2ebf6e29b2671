"""Configuration: .archbot.yml and [tool.archbot] load; every mistake is one line naming file and key."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from archbot import config
from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

DEFECT = (
    "import requests\nfrom openai import OpenAI\n\nclient = OpenAI(timeout=30)\n\n\n"
    'def ping():\n    return requests.get("http://vllm:8000/v1/chat/completions")\n'
)


def toplevel(repo: GitRepo) -> Path:
    return Path(repo.git("rev-parse", "--show-toplevel").strip())


def test_defaults_without_a_config_file(repo: GitRepo) -> None:
    loaded = config.discover(toplevel(repo))
    assert loaded == config.Config()
    assert (loaded.fail_on, loaded.personas.max, loaded.origin) == ("critical", 2, None)


def test_archbot_yml_loads_and_applies(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", "fail_on: high\npersonas:\n  max: 1\nrules:\n  disable: [llm-no-max-tokens]\n")
    repo.stage("llm/health.py", DEFECT)

    loaded = config.discover(toplevel(repo))
    result = run_archbot("review", "--format", "json")

    assert (loaded.fail_on, loaded.personas.max, loaded.rules.disable) == ("high", 1, ["llm-no-max-tokens"])
    assert loaded.origin == str(toplevel(repo) / ".archbot.yml")
    assert result.code == 1  # the high finding fails under fail_on: high
    assert [f["rule"] for f in json.loads(result.out)["findings"]] == ["http-call-no-timeout"]


def test_pyproject_tool_archbot_loads(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(
        "pyproject.toml",
        '[project]\nname = "gateway"\n\n[tool.archbot]\nfail_on = "high"\n\n'
        '[tool.archbot.rules.severity]\n"http-call-no-timeout" = "low"\n',
    )
    repo.stage("llm/health.py", DEFECT)

    loaded = config.discover(toplevel(repo))
    result = run_archbot("review", "--format", "json")

    assert (loaded.fail_on, loaded.rules.severity) == ("high", {"http-call-no-timeout": "low"})
    assert result.code == 0  # the finding was lowered below fail_on
    assert [(f["rule"], f["severity"]) for f in json.loads(result.out)["findings"]] == [
        ("http-call-no-timeout", "low")
    ]


def test_pyproject_without_tool_archbot_is_defaults(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[project]\nname = "gateway"\n')
    assert config.discover(toplevel(repo)) == config.Config()


def test_archbot_yml_wins_over_pyproject(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.archbot]\nfail_on = "low"\n')
    repo.write(".archbot.yml", "fail_on: medium\n")
    assert config.discover(toplevel(repo)).fail_on == "medium"


def review_error(repo: GitRepo, run_archbot: RunArchbot, *args: str) -> tuple[int, str]:
    repo.stage("llm/health.py", DEFECT)
    result = run_archbot("review", *args)
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    return result.code, result.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fial_on: high\n", "unknown key 'fial_on'; did you mean 'fail_on'?"),
        ("rules:\n  disabel: [llm-no-max-tokens]\n", "unknown key 'rules.disabel'; did you mean 'disable'?"),
        (
            "telemetry: true\n",
            "unknown key 'telemetry'; valid keys: "
            "fail_on, personas, rules, paths, llm, precommit, github, roles",
        ),
        ("personas:\n  max: two\n", "'personas.max' must be an integer, not a string ('two')"),
        ("llm:\n  enabled: 'yes'\n", "'llm.enabled' must be true/false or null, not a string ('yes')"),
        (
            "rules:\n  disable: http-call-no-timeout\n",
            ("'rules.disable' must be a list of strings, not a string ('http-call-no-timeout')"),
        ),
        ("rules: [a, b]\n", "'rules' must be a mapping, not a list"),
        (
            "fail_on: hihg\n",
            "'fail_on' has invalid value 'hihg': choose one of critical, high, medium, low, never; "
            "did you mean 'high'?",
        ),
        (
            "rules:\n  severity:\n    http-call-no-timeout: hgh\n",
            "'rules.severity' has invalid value 'hgh': choose one of critical, high, medium, low; "
            "did you mean 'high'?",
        ),
        ("llm:\n  min_confidence: 3\n", "'llm.min_confidence' must be between 0 and 1, not 3"),
        (
            "rules:\n  enable: [llm-no-max-token]\n",
            "'rules.enable' names unknown rule 'llm-no-max-token'; did you mean 'llm-no-max-tokens'?",
        ),
        (
            "rules:\n  disable: [http-call-no-timout]\n",
            "'rules.disable' names unknown rule 'http-call-no-timout'; did you mean 'http-call-no-timeout'?",
        ),
        (
            "personas:\n  assign:\n    'serving/**': ml-architecture-expret\n",
            "'personas.assign.serving/**' names unknown persona 'ml-architecture-expret'; "
            "did you mean 'ml-architecture-expert'?",
        ),
        ("rules: [a\n", "invalid YAML: expected ',' or ']', but got '<stream end>' at line 2"),
    ],
)
def test_archbot_yml_mistakes(repo: GitRepo, run_archbot: RunArchbot, text: str, message: str) -> None:
    repo.write(".archbot.yml", text)
    code, err = review_error(repo, run_archbot)
    assert (code, err) == (2, f"archbot: {toplevel(repo) / '.archbot.yml'}: {message}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.archbot]\nfail_ob = "high"\n', "unknown key 'tool.archbot.fail_ob'; did you mean 'fail_on'?"),
        (
            '[tool.archbot]\nfail_on = "hihg"\n',
            "'tool.archbot.fail_on' has invalid value 'hihg': choose one of critical, high, medium, low, "
            "never; did you mean 'high'?",
        ),
        ("[tool.archbot.personas]\nmax = 9\n", "'tool.archbot.personas.max' must be between 1 and 5, not 9"),
        (
            "[tool.archbot.github]\ninline = 1\n",
            "'tool.archbot.github.inline' must be true/false, not an integer (1)",
        ),
    ],
)
def test_pyproject_mistakes(repo: GitRepo, run_archbot: RunArchbot, text: str, message: str) -> None:
    repo.write("pyproject.toml", text)
    code, err = review_error(repo, run_archbot)
    assert (code, err) == (2, f"archbot: {toplevel(repo) / 'pyproject.toml'}: {message}\n")


def test_invalid_toml(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write("pyproject.toml", "[tool.archbot\n")
    code, err = review_error(repo, run_archbot)
    assert code == 2
    assert err.startswith(f"archbot: {toplevel(repo) / 'pyproject.toml'}: invalid TOML: ")


def test_another_tools_invalid_pyproject_is_not_read_as_config(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A table declared twice, which TOML forbids and some packaging tools accept, in a
    pyproject.toml that never names archbot: the defaults apply and the review runs."""
    repo.write(
        "pyproject.toml",
        '[tool.poetry.extras]\nfast = ["uvloop"]\n\n[tool.poetry.extras]\nio = ["aiofiles"]\n',
    )
    repo.stage("llm/health.py", DEFECT)

    result = run_archbot("review", "--format", "json", "--fail-on", "high")

    assert (result.code, result.err) == (1, "")
    assert [(f["rule"], f["file"], f["line"]) for f in json.loads(result.out)["findings"]] == [
        ("http-call-no-timeout", "llm/health.py", 8)
    ]


def test_config_option_reads_that_file(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", "fail_on: never\n")
    repo.write("ci/strict.yml", "fail_on: medium\n")
    repo.stage("llm/health.py", DEFECT)

    default = run_archbot("review", "--quiet")
    strict = run_archbot("review", "--quiet", "--config", "ci/strict.yml")

    assert (default.code, strict.code) == (0, 1)
    assert strict.out == default.out


def test_config_option_mistakes_name_the_given_path(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write("ci/strict.yml", "fail_on: hihg\n")
    code, err = review_error(repo, run_archbot, "--config", "ci/strict.yml")
    assert (code, err) == (
        2,
        "archbot: ci/strict.yml: 'fail_on' has invalid value 'hihg': choose one of critical, high, "
        "medium, low, never; did you mean 'high'?\n",
    )


def test_config_option_missing_file(repo: GitRepo, run_archbot: RunArchbot) -> None:
    code, err = review_error(repo, run_archbot, "--config", "ci/missing.yml")
    assert code == 2
    assert err.startswith("archbot: cannot read config ci/missing.yml: ")
