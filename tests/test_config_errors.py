"""Every config mistake and usage error exits 2 with one line: the file, the key and a suggestion.

The wrong-type, typo and range cases are generated from the Config dataclasses and their type hints,
so a key added to config.py is covered here without touching this file."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from archbot import config
from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

DEFECT = (
    "import requests\nfrom openai import OpenAI\n\nclient = OpenAI(timeout=30)\n\n\n"
    'def ping():\n    return requests.get("http://vllm:8000/health")\n'
)
BUILTIN_PERSONAS = (
    "ai-architect-agent, llm-ml-engineer, ml-architecture-expert, ml-system-architect, "
    "senior-ml-systems-architect"
)


@dataclasses.dataclass(frozen=True)
class Case:
    """A config document and what the error must name: the dotted key, and text it must contain."""

    id: str
    data: object
    key: str
    parts: tuple[str, ...]


def sections() -> Iterator[tuple[str, type[Any]]]:
    hints = typing.get_type_hints(config.Config)
    for field in dataclasses.fields(config.Config):
        hint = hints[field.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            yield field.name, hint


def leaves() -> Iterator[tuple[str, Any]]:
    """Every non-section key, dotted, with its type hint ('origin' is set by the loader, not a key)."""
    hints = typing.get_type_hints(config.Config)
    for field in dataclasses.fields(config.Config):
        if field.name == "origin":
            continue
        hint = hints[field.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            inner = typing.get_type_hints(hint)
            for sub in dataclasses.fields(hint):
                yield f"{field.name}.{sub.name}", inner[sub.name]
        else:
            yield field.name, hint


def nest(dotted: str, value: object) -> object:
    for part in reversed(dotted.split(".")):
        value = {part: value}
    return value


def wrong_values(hint: Any) -> list[tuple[str, object, str]]:
    """(label, value, suffix of the key the message must point at) that do not fit `hint`."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        (scalar,) = [arg for arg in args if arg is not type(None)]
        return [(label, value, where) for label, value, where in wrong_values(scalar) if value is not None]
    if origin is list:
        return [("mapping", {"a": "b"}, ""), ("string", "a", ""), ("number-item", [1], "[0]")]
    if origin is dict:
        item_is_list = typing.get_origin(args[1]) is list
        wrong_item: object = "a" if item_is_list else ["a"]
        return [("list", ["a"], ""), ("string", "a", ""), ("bad-item", {"k": wrong_item}, ".k")]
    if hint is bool:
        return [("string", "yes", ""), ("integer", 1, ""), ("list", [True], "")]
    if hint is int:
        return [("string", "two", ""), ("boolean", True, ""), ("float", 1.5, ""), ("list", [1], "")]
    if hint is float:
        return [("string", "fast", ""), ("boolean", False, ""), ("mapping", {"a": 1}, "")]
    if hint is str:
        return [("list", ["high"], ""), ("mapping", {"a": 1}, ""), ("integer", 3, ""), ("boolean", True, "")]
    raise AssertionError(f"no wrong values for {hint}: add them here")


def typo(key: str) -> str:
    """A near miss: one letter dropped from the middle."""
    middle = len(key) // 2
    return key[:middle] + key[middle + 1 :]


def generated() -> list[Case]:
    cases = []
    for dotted, hint in leaves():
        for label, value, suffix in wrong_values(hint):
            cases.append(Case(f"type-{dotted}-{label}", nest(dotted, value), dotted + suffix, ("must be",)))
        numeric = hint in (int, float)
        for label, value in (("below", -1), ("above", 10**9)) if numeric else ():
            cases.append(Case(f"range-{dotted}-{label}", nest(dotted, value), dotted, ("must be between",)))
        prefix, _, leaf = dotted.rpartition(".")
        near = typo(leaf)
        wrong = f"{prefix}.{near}" if prefix else near
        cases.append(
            Case(
                f"typo-{dotted}",
                nest(wrong, None),
                wrong,
                (f"unknown key '{wrong}'; did you mean '{leaf}'?",),
            )
        )
    for section, cls in sections():
        keys = ", ".join(f.name for f in dataclasses.fields(cls))
        near = typo(section)
        cases.append(
            Case(f"typo-{section}", {near: {}}, near, (f"unknown key '{near}'; did you mean '{section}'?",))
        )
        for label, value in (("list", [1, 2]), ("scalar", "on"), ("number", 3)):
            cases.append(
                Case(f"section-{section}-{label}", {section: value}, section, ("must be a mapping",))
            )
        cases.append(
            Case(
                f"unknown-in-{section}",
                {section: {"telemetry": True}},
                f"{section}.telemetry",
                (f"valid keys: {keys}",),
            )
        )
    return cases


GENERATED = generated()


def toplevel(repo: GitRepo) -> Path:
    return Path(repo.git("rev-parse", "--show-toplevel").strip())


def review_with(repo: GitRepo, run_archbot: RunArchbot, text: str) -> Run:
    repo.write(".archbot.yml", text)
    repo.stage("llm/health.py", DEFECT)
    return run_archbot("review")


def assert_one_line_usage_error(result: Run) -> str:
    assert result.code == 2
    assert result.out == ""
    assert "Traceback" not in result.err
    assert len(result.err.splitlines()) == 1 and result.err.endswith("\n")
    assert result.err.startswith("archbot: ")
    return result.err.rstrip("\n")


def test_the_matrix_covers_every_key_and_section() -> None:
    keyed = {case.id.split("-")[1] for case in GENERATED if case.id.startswith("type-")}
    assert keyed == {dotted for dotted, _ in leaves()}
    assert {dotted for dotted, _ in leaves()} >= {"fail_on", "rules.severity", "llm.model", "github.inline"}
    assert len(GENERATED) >= 150


@pytest.mark.parametrize("case", GENERATED, ids=[case.id for case in GENERATED])
def test_generated_config_mistake(repo: GitRepo, run_archbot: RunArchbot, case: Case) -> None:
    result = review_with(repo, run_archbot, yaml.safe_dump(case.data))
    line = assert_one_line_usage_error(result)
    assert line.startswith(f"archbot: {toplevel(repo) / '.archbot.yml'}: ")
    assert f"'{case.key}'" in line
    for part in case.parts:
        assert part in line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fail_on: [high]\n", "'fail_on' must be a string, not a list (['high'])"),
        ("github:\n  inline: 'yes'\n", "'github.inline' must be true/false, not a string ('yes')"),
        ("personas:\n  max: true\n", "'personas.max' must be an integer, not a boolean (True)"),
        ("llm:\n  max_cost_usd: cheap\n", "'llm.max_cost_usd' must be a number, not a string ('cheap')"),
        (
            "paths:\n  exclude: {docs: true}\n",
            "'paths.exclude' must be a list of strings, not a mapping ({'docs': True})",
        ),
        ("paths:\n  exclude: ['docs/**', 7]\n", "'paths.exclude[1]' must be a string, not an integer (7)"),
        (
            "rules:\n  ignore:\n    'tests/**': http-call-no-timeout\n",
            "'rules.ignore.tests/**' must be a list of strings, not a string ('http-call-no-timeout')",
        ),
        ("rules:\n  severity:\n    1: high\n", "'rules.severity.1' must be a string key, not an integer (1)"),
        ("llm: on\n", "'llm' must be a mapping, not a boolean"),
        ("llm:\n  max_cost_usd: -5\n", "'llm.max_cost_usd' must be between 0 and 1000, not -5"),
        ("llm:\n  max_cost_usd: .nan\n", "'llm.max_cost_usd' must be between 0 and 1000, not nan"),
        ("llm:\n  max_findings: 0\n", "'llm.max_findings' must be between 1 and 50, not 0"),
        ("llm:\n  concurrency: 100\n", "'llm.concurrency' must be between 1 and 32, not 100"),
        ("llm:\n  mdoel: opus\n", "unknown key 'llm.mdoel'; did you mean 'model'?"),
        ("prcommit:\n  llm: true\n", "unknown key 'prcommit'; did you mean 'precommit'?"),
        ("github:\n  max_inlin: 3\n", "unknown key 'github.max_inlin'; did you mean 'max_inline'?"),
        (
            "llm:\n  model: sonet\n",
            "'llm.model' has invalid value 'sonet': use a model alias (haiku, inherit, opus, sonnet) "
            "or a full model id; did you mean 'sonnet'?",
        ),
        (
            "llm:\n  model: Opus\n",
            "'llm.model' has invalid value 'Opus': use a model alias (haiku, inherit, opus, sonnet) "
            "or a full model id; did you mean 'opus'?",
        ),
        ("llm:\n  model: ' '\n", "'llm.model' is empty: name a model alias or id, or remove the key"),
        (
            "fail_on: Critical\n",
            "'fail_on' has invalid value 'Critical': choose one of critical, high, medium, low, never; "
            "did you mean 'critical'?",
        ),
        (
            "fail_on: warn\n",
            "'fail_on' has invalid value 'warn': choose one of critical, high, medium, low, never",
        ),
        (
            "rules:\n  severity:\n    http-call-no-timeout: severe\n",
            "'rules.severity' has invalid value 'severe': choose one of critical, high, medium, low",
        ),
        (
            "rules:\n  severity:\n    http-call-no-timeuot: low\n",
            "'rules.severity' names unknown rule 'http-call-no-timeuot'; "
            "did you mean 'http-call-no-timeout'?",
        ),
        (
            "rules:\n  disable: [gpu-memory-leak]\n",
            "'rules.disable' names unknown rule 'gpu-memory-leak'; run `archbot rules` for the list",
        ),
        (
            "rules:\n  ignore:\n    'tests/**': [trust-remote-cod]\n",
            "'rules.ignore.tests/**' names unknown rule 'trust-remote-cod'; "
            "did you mean 'trust-remote-code'?",
        ),
        (
            "personas:\n  assign:\n    'etl/**': data-scientist\n",
            f"'personas.assign.etl/**' names unknown persona 'data-scientist'; known: {BUILTIN_PERSONAS}",
        ),
        (
            "personas:\n  assign:\n    'serving/**': llm-ml-enginer\n",
            "'personas.assign.serving/**' names unknown persona 'llm-ml-enginer'; "
            "did you mean 'llm-ml-engineer'?",
        ),
        ("- fail_on: high\n", "top level must be a mapping, not a list"),
        ("critical\n", "top level must be a mapping, not a string"),
        ("42\n", "top level must be a mapping, not an integer"),
        ("fail_on: high\n  personas: 2\n", "invalid YAML: mapping values are not allowed here at line 2"),
        ("fail_on: 'high\n", "invalid YAML: found unexpected end of stream at line 2"),
        ("\tfail_on: high\n", "invalid YAML: found character '\\t' that cannot start any token at line 1"),
        (
            "fail_on: !!python/name:os.system high\n",
            "invalid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system' at line 1",
        ),
    ],
)
def test_exact_config_messages(repo: GitRepo, run_archbot: RunArchbot, text: str, message: str) -> None:
    line = assert_one_line_usage_error(review_with(repo, run_archbot, text))
    assert line == f"archbot: {toplevel(repo) / '.archbot.yml'}: {message}"


def test_config_that_is_not_utf8(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", b"fail_on: \xff\xfehigh\n")
    repo.stage("llm/health.py", DEFECT)
    line = assert_one_line_usage_error(run_archbot("review"))
    assert line == (
        f"archbot: cannot read config {toplevel(repo) / '.archbot.yml'}: 'utf-8' codec can't decode "
        "byte 0xff in position 9: invalid start byte"
    )


@pytest.mark.parametrize("text", ["", "\n", "# fail_on: high\n# personas:\n#   max: 1\n"])
def test_empty_or_comment_only_config_means_defaults(
    repo: GitRepo, run_archbot: RunArchbot, text: str
) -> None:
    # `archbot init` writes a commented file; an empty config is a config with every default.
    repo.write(".archbot.yml", text)
    repo.stage("llm/health.py", DEFECT)
    result = run_archbot("review", "--format", "json")
    assert (result.code, result.err) == (0, "")
    findings = json.loads(result.out)["findings"]
    assert [(f["file"], f["line"], f["rule"], f["severity"]) for f in findings] == [
        ("llm/health.py", 8, "http-call-no-timeout", "medium")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("review", "--bsae", "main"),
            "No such option '--bsae'. (Did you mean one of: '--base', '--staged'?) "
            "See 'archbot review --help'.",
        ),
        (("review", "--diff", "change.diff", "--base", "main"), "choose one source: --base or --diff"),
        (("review", "--staged", "--base", "main"), "choose one source: --staged or --base"),
        (("review", "--head", "main"), "--head needs --base"),
        (
            ("review", "--format", "yaml"),
            "Invalid value for '--format': 'yaml' is not one of 'text', 'markdown', 'json', 'sarif', "
            "'github'. See 'archbot review --help'.",
        ),
        (
            ("review", "--fail-on", "hihg"),
            "Invalid value for '--fail-on': 'hihg' is not one of 'critical', 'high', 'medium', 'low', "
            "'never'. See 'archbot review --help'.",
        ),
        (("review", "--base"), "Option '--base' requires an argument."),
        (("rveiew",), "No such command 'rveiew'. Did you mean 'review'? See 'archbot --help'."),
        (("rules", "NO-SUCH-ID"), "no rule 'NO-SUCH-ID'; run `archbot rules` for the list"),
        (("rules", "trust-remote-cod"), "no rule 'trust-remote-cod'; did you mean trust-remote-code?"),
        (("review", "--post"), "--post needs --pr"),
        (
            ("review", "--persona", "data-scientist"),
            "--persona 'data-scientist' is not a persona; known: llm-ml-engineer, "
            "senior-ml-systems-architect, ml-system-architect, ml-architecture-expert, ai-architect-agent",
        ),
        (
            ("review", "--config", "ci/strict.yml"),
            "cannot read config ci/strict.yml: [Errno 2] No such file or directory: 'ci/strict.yml'",
        ),
    ],
)
def test_usage_errors(repo: GitRepo, run_archbot: RunArchbot, args: tuple[str, ...], message: str) -> None:
    repo.stage("llm/health.py", DEFECT)
    line = assert_one_line_usage_error(run_archbot(*args))
    assert line == f"archbot: {message}"
