"""One frozen Config, loaded from .archbot.yml or [tool.archbot] in pyproject.toml, and validated."""

from __future__ import annotations

import dataclasses
import difflib
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archbot import claude_models
from archbot.errors import usage_error
from archbot.models import ROLE_NAMES, SEVERITY_NAMES

if typing.TYPE_CHECKING:
    import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

CONFIG_FILES = (".archbot.yml", ".archbot.yaml")
FAIL_ON_CHOICES = (*SEVERITY_NAMES, "never")


@dataclasses.dataclass(frozen=True)
class PersonasConfig:
    max: int = 2
    assign: dict[str, str] = dataclasses.field(default_factory=dict)
    claude_agents: bool = False


@dataclasses.dataclass(frozen=True)
class RulesConfig:
    # Opt-in rules to switch on (policy.py: a team's policy, off by default); "*" for all of them.
    enable: list[str] = dataclasses.field(default_factory=list)
    disable: list[str] = dataclasses.field(default_factory=list)
    severity: dict[str, str] = dataclasses.field(default_factory=dict)
    ignore: dict[str, list[str]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class PathsConfig:
    exclude: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class LLMConfig:
    enabled: bool | None = None
    # None: each persona's own `model:`; set, it overrides every persona (alias or model id).
    model: str | None = None
    max_cost_usd: float = 1.0
    # Calibrated on the measured answers of issue 15: true defects came back at 0.4-0.65 when the
    # request lacked context. From min_confidence a finding is reported; from possible_confidence
    # it is shown collapsed as worth a look.
    min_confidence: float = 0.6
    possible_confidence: float = 0.4
    max_findings: int = 10
    max_input_tokens: int = 60000
    max_call_tokens: int = 30000
    timeout_seconds: float = 120.0
    max_retries: int = 2
    max_retry_wait_seconds: float = 60.0
    concurrency: int = 4
    context_files: list[str] = dataclasses.field(default_factory=list)
    # The context pack per call: definitions, client construction, callers (tokens, estimated).
    context_tokens: int = 4000


@dataclasses.dataclass(frozen=True)
class PrecommitConfig:
    llm: bool = False


PR_SUPPRESSIONS = ("honor", "report", "ignore")


@dataclasses.dataclass(frozen=True)
class GitHubConfig:
    inline: bool = True
    max_inline: int = 10
    review_drafts: bool = False
    # A pull request without ML/LLM changes gets no comment unless this is true.
    comment_when_clean: bool = False
    # `# archbot: ignore[...]` lines the pull request itself adds: honor them silently, report
    # them in the comment (and honor them), or ignore them (the findings are reported).
    pr_suppressions: str = "report"
    # pull_request_target runs with secrets and a write token: refused unless this is true.
    allow_pull_request_target: bool = False
    # Per request; slow answers are retried (reads only), then publishing stops with a notice.
    timeout_seconds: int = 30
    retries: int = 3
    # Total time one run may wait for rate limits and retries before it publishes nothing more.
    max_wait_seconds: float = 120.0
    # GitHub asks integrations to space their writes.
    write_spacing_seconds: float = 1.0


@dataclasses.dataclass(frozen=True)
class Config:
    fail_on: str = "critical"
    personas: PersonasConfig = dataclasses.field(default_factory=PersonasConfig)
    rules: RulesConfig = dataclasses.field(default_factory=RulesConfig)
    paths: PathsConfig = dataclasses.field(default_factory=PathsConfig)
    llm: LLMConfig = dataclasses.field(default_factory=LLMConfig)
    precommit: PrecommitConfig = dataclasses.field(default_factory=PrecommitConfig)
    github: GitHubConfig = dataclasses.field(default_factory=GitHubConfig)
    # glob -> role (roles.py): overrides what paths, content and package metadata decide.
    roles: dict[str, str] = dataclasses.field(default_factory=dict)
    origin: str | None = None


# Values constrained beyond their type (for mappings, the constraint applies to each value).
CHOICES: dict[str, tuple[str, ...]] = {
    "fail_on": FAIL_ON_CHOICES,
    "rules.severity": SEVERITY_NAMES,
    "github.pr_suppressions": PR_SUPPRESSIONS,
    "roles": ROLE_NAMES,
}
RANGES: dict[str, tuple[float, float]] = {
    "personas.max": (1, 5),
    "llm.max_cost_usd": (0, 1000),
    "llm.min_confidence": (0, 1),
    "llm.possible_confidence": (0, 1),
    "llm.context_tokens": (0, 100_000),
    "llm.max_findings": (1, 50),
    "llm.max_input_tokens": (1000, 1_000_000),
    "llm.max_call_tokens": (1000, 100_000),
    "llm.timeout_seconds": (1, 3600),
    "llm.max_retries": (0, 10),
    "llm.max_retry_wait_seconds": (0, 3600),
    "llm.concurrency": (1, 32),
    "github.max_inline": (0, 50),
    "github.timeout_seconds": (1, 600),
    "github.retries": (0, 10),
    "github.max_wait_seconds": (0, 3600),
    "github.write_spacing_seconds": (0, 60),
}


def load(path: Path) -> Config:
    """Load an explicit config file (.yml/.yaml or pyproject.toml)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise usage_error(f"cannot read config {path}: {error}") from None
    return parse(text, str(path))


def discover(root: Path | None) -> Config:
    """The repository's config: .archbot.yml, else [tool.archbot] in pyproject.toml, else defaults."""
    if root is None:
        return Config()
    for name in CONFIG_FILES:
        candidate = root / name
        if candidate.is_file():
            return load(candidate)
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return Config()
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise usage_error(f"cannot read config {pyproject}: {error}") from None
    if not holds_archbot_settings(text):
        return Config()
    return parse(text, str(pyproject))


def holds_archbot_settings(pyproject: str) -> bool:
    """Can a pyproject.toml's text hold archbot's settings? Only text naming archbot can: other
    tools' files are not archbot's to judge (a table declared twice, which TOML forbids and some
    of their parsers accept, must not stop a review)."""
    return "archbot" in pyproject


def parse(text: str, name: str) -> Config:
    """Parse config text; `name` says which file it came from (for messages)."""
    if name.endswith(".toml"):
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise usage_error(f"{name}: invalid TOML: {error}") from None
        section = data.get("tool", {}).get("archbot")
        if section is None:
            return Config()
        config: Config = _build(Config, section, name, "tool.archbot", origin=name)
        return config
    import yaml  # imported only for a YAML config: a cost the pre-commit fast path avoids without one

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise usage_error(f"{name}: invalid YAML: {_yaml_problem(error)}") from None
    if data is None:
        return Config(origin=name)
    built: Config = _build(Config, data, name, "", origin=name)
    return built


def _build(cls: type[Any], data: object, name: str, prefix: str, origin: str | None = None) -> Any:
    where = f"'{prefix}'" if prefix else "top level"
    if not isinstance(data, Mapping):
        raise usage_error(f"{name}: {where} must be a mapping, not {_type_name(data)}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "origin"}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            near = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else f"; valid keys: {', '.join(fields)}"
            raise usage_error(f"{name}: unknown key '{dotted}'{hint}")
        values[key] = _value(hints[key], value, name, dotted)
    if origin is not None:
        values["origin"] = origin
    return cls(**values)


def _value(hint: Any, value: object, name: str, dotted: str) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value, name, dotted)
    mismatch = _mismatch(hint, value, dotted)
    if mismatch is not None:
        where, expected, found = mismatch
        raise usage_error(f"{name}: '{where}' must be {expected}, not {_type_name(found)} ({found!r:.60})")
    _check_constraints(dotted, value, name)
    return value


def _mismatch(hint: Any, value: object, dotted: str) -> tuple[str, str, object] | None:
    """The innermost (key, expected, value) that does not match, so a message points at the entry."""
    origin = typing.get_origin(hint)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(hint)
        for index, entry in enumerate(value):
            found = _mismatch(item, entry, f"{dotted}[{index}]")
            if found is not None:
                return found
        return None
    if origin is dict and isinstance(value, dict):
        key_type, item = typing.get_args(hint)
        for key, entry in value.items():
            if not _matches(key_type, key):
                return f"{dotted}.{key}", f"{_describe(key_type)} key", key
            found = _mismatch(item, entry, f"{dotted}.{key}")
            if found is not None:
                return found
        return None
    return None if _matches(hint, value) else (dotted, _describe(hint), value)


def _matches(hint: Any, value: object) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(arg, value) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint in (int, str):
        return isinstance(value, hint) and not isinstance(value, bool)
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_matches(item, v) for v in value)
    if origin is dict:
        key_type, item = typing.get_args(hint)
        return isinstance(value, dict) and all(
            _matches(key_type, k) and _matches(item, v) for k, v in value.items()
        )
    raise TypeError(f"unsupported config type {hint}")


def _check_constraints(dotted: str, value: object, name: str) -> None:
    # In pyproject.toml keys are named "tool.archbot.<key>"; the constraints are the same.
    key = dotted.removeprefix("tool.archbot.")
    choices = CHOICES.get(key)
    if choices is not None:
        for item in value.values() if isinstance(value, dict) else [value]:
            if item not in choices:
                near = difflib.get_close_matches(str(item), choices, n=1, cutoff=0.4)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise usage_error(
                    f"{name}: '{dotted}' has invalid value {item!r}: choose one of {', '.join(choices)}{hint}"
                )
    if key == "llm.model" and isinstance(value, str):
        _check_model(value, name, dotted)
    bounds = RANGES.get(key)
    if bounds is not None and isinstance(value, (int, float)):
        low, high = bounds
        if not low <= value <= high:
            raise usage_error(f"{name}: '{dotted}' must be between {low:g} and {high:g}, not {value}")


def _check_model(model: str, name: str, dotted: str) -> None:
    # Any model id passes (a gateway may serve its own names); a bare word close to an alias is a typo.
    if not model.strip():
        raise usage_error(f"{name}: '{dotted}' is empty: name a model alias or id, or remove the key")
    if not model.isalpha():
        return
    near = difflib.get_close_matches(model, claude_models.NAMES, n=1, cutoff=0.6)
    if model not in claude_models.NAMES and near:
        raise usage_error(
            f"{name}: '{dotted}' has invalid value {model!r}: use a model alias "
            f"({', '.join(claude_models.NAMES)}) or a full model id; did you mean '{near[0]}'?"
        )


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in typing.get_args(hint))
    if origin is list:
        return f"a list of {_plural(typing.get_args(hint)[0])}"
    if origin is dict:
        return f"a mapping of strings to {_plural(typing.get_args(hint)[1])}"
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}
    return names.get(hint, "null")


def _plural(hint: Any) -> str:
    if typing.get_origin(hint) is list:
        return "lists of strings"
    return {bool: "booleans", int: "integers", float: "numbers", str: "strings"}.get(hint, "values")


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(type(value), type(value).__name__)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"{problem} at line {mark.line + 1}" if mark is not None else str(problem)


def check_names(config: Config, rule_ids: set[str], persona_names: set[str]) -> None:
    """Rule ids and persona names in the config must exist; a typo would silently do nothing."""
    where = config.origin or "config"
    named_rules = [
        ("rules.enable", config.rules.enable),
        ("rules.disable", config.rules.disable),
        ("rules.severity", list(config.rules.severity)),
        *((f"rules.ignore.{glob}", ids) for glob, ids in config.rules.ignore.items()),
    ]
    for key, ids in named_rules:
        for rule_id in ids:
            if rule_id != "*" and rule_id not in rule_ids:
                hint = _near(rule_id, rule_ids) or "; run `archbot rules` for the list"
                raise usage_error(f"{where}: '{key}' names unknown rule '{rule_id}'{hint}")
    for glob, persona in config.personas.assign.items():
        if persona not in persona_names:
            hint = _near(persona, persona_names) or f"; known: {', '.join(sorted(persona_names))}"
            raise usage_error(f"{where}: 'personas.assign.{glob}' names unknown persona '{persona}'{hint}")


def _near(word: str, choices: set[str]) -> str:
    near = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return f"; did you mean '{near[0]}'?" if near else ""
