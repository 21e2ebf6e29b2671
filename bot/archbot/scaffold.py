"""`archbot init`: the workflow file, a commented .archbot.yml and a pre-commit snippet."""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
from pathlib import Path

from archbot import about, config, workflow
from archbot.errors import ArchbotError, usage_error

WORKFLOW_PATH = ".github/workflows/archbot.yml"
CONFIG_PATH = ".archbot.yml"
PRECOMMIT_PATH = ".pre-commit-config.yaml"
_ACTION_REF = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+")
_REV = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,99}")

# What each config key does, for the commented .archbot.yml. Every key of the Config dataclasses
# has an entry (a test checks both ways), so the file `init` writes cannot fall behind the config.
DESCRIPTIONS: dict[str, str] = {
    "fail_on": "Exit 1 (fail the commit or the check) on findings at or above this severity.",
    "personas": "Which personas review a change.",
    "personas.max": "At most this many personas review one change, ranked by their files' scores.",
    "personas.assign": 'Pin files to a persona by glob, e.g. "services/agents/**": llm-ml-engineer',
    "personas.claude_agents": "Also use the repository's Claude Code agent files (.claude/agents/*.md).",
    "rules": "The static rules (`archbot rules` lists them).",
    "rules.enable": "Opt-in rules to turn on (`archbot rules` marks them), e.g. [llm-no-max-tokens].",
    "rules.disable": "Rule ids to turn off.",
    "rules.severity": "Change a rule's severity, e.g. http-call-no-timeout: high",
    "rules.ignore": 'Ignore rules under a glob, e.g. "tests/**": [hardcoded-llm-api-key]; "*" is every rule.',
    "paths": "Files archbot never reviews.",
    "paths.exclude": 'Globs, e.g. ["vendor/**", "**/generated/**"]',
    "llm": "The persona review with Claude (ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL in the environment).",
    "llm.enabled": "null: on when ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL is set; true/false forces it.",
    "llm.model": "null: each persona's own model; or opus | sonnet | haiku | a full model id for all.",
    "llm.max_cost_usd": "Stop the persona review before it would cost more than this per review.",
    "llm.min_confidence": "Report persona findings the model is at least this sure of.",
    "llm.possible_confidence": "Show less sure persona findings from here on, collapsed as worth a look.",
    "llm.max_findings": "At most this many findings per persona call.",
    "llm.max_input_tokens": "Token budget of one review; files are kept by risk, then routing score.",
    "llm.max_call_tokens": "Token budget of one call; a larger review is split into several calls.",
    "llm.timeout_seconds": "Timeout of one API call.",
    "llm.max_retries": "Retries of a failed call (rate limits, overload, timeouts).",
    "llm.max_retry_wait_seconds": "Longest wait for a retry-after before giving up on a call.",
    "llm.concurrency": "Calls in flight at once.",
    "llm.context_files": "Repository guidance files sent with the diff, e.g. [ARCHITECTURE.md]",
    "llm.context_tokens": "Tokens of surrounding code (definitions, callers) sent with each persona's files.",
    "roles": "Override the role of files by glob (what kind of code they are, which decides where rules "
    'speak; `archbot route` shows each file\'s role), e.g. "tools/**": script',
    "precommit": "The pre-commit hook.",
    "precommit.llm": "Persona review in the hook too (off: commits stay fast and free; results are cached).",
    "github": "Pull requests (the GitHub Action).",
    "github.inline": "One inline review per run with the critical and high findings.",
    "github.max_inline": "At most this many inline comments per run.",
    "github.review_drafts": "Review draft pull requests as well.",
    "github.comment_when_clean": "Comment on a pull request without ML/LLM changes too (off: no comment).",
    "github.pr_suppressions": "`# archbot: ignore[...]` lines the pull request itself adds: honor them "
    "silently, report them in the comment (and honor them), or ignore them (their findings are reported).",
    "github.allow_pull_request_target": "Run under pull_request_target (secrets and a write token for "
    "code from forks): refused unless true.",
    "github.timeout_seconds": "Timeout of one GitHub API request; slow reads are retried.",
    "github.retries": "Retries of a GitHub read, edit or delete that failed or timed out (a create is "
    "never re-sent: archbot looks for it first).",
    "github.max_wait_seconds": "Longest total wait for rate limits and retries in one run.",
    "github.write_spacing_seconds": "Pause between writes, as GitHub asks of integrations.",
}


def config_template() -> str:
    """A commented .archbot.yml with every key of the Config dataclasses at its default."""
    lines = [
        "# archbot configuration. Every key is optional; the values below are the defaults.",
        "# In pull requests this file is read from the base branch, never from the pull request itself.",
    ]
    for field in dataclasses.fields(config.Config):
        if field.name == "origin":
            continue
        default = getattr(config.Config(), field.name)
        lines.append("")
        lines += _comment(field.name, "")
        if dataclasses.is_dataclass(default):
            lines.append(f"{field.name}:")
            for inner in dataclasses.fields(default):
                lines += _comment(f"{field.name}.{inner.name}", "  ")
                lines.append(f"  {inner.name}: {_yaml_value(getattr(default, inner.name))}")
        else:
            lines.append(f"{field.name}: {_yaml_value(default)}")
    return "\n".join(lines) + "\n"


def _comment(key: str, indent: str) -> list[str]:
    text = DESCRIPTIONS.get(key, "")
    choices = config.CHOICES.get(key)
    bounds = config.RANGES.get(key)
    if text and (choices is not None or bounds is not None) and not text.endswith("."):
        text += "."
    if choices is not None:
        text += f" One of: {' | '.join(choices)}."
    if bounds is not None:
        low, high = (int(b) if float(b).is_integer() else b for b in bounds)
        text += f" From {low} to {high}."
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 96 - len(indent))]


def _yaml_value(value: object) -> str:
    return json.dumps(value)


@dataclasses.dataclass(frozen=True)
class Pin:
    """The revision of archbot that the pre-commit hook and the workflow install: this archbot's
    commit (with its version, written beside it), or the commit or release tag `--rev` names."""

    rev: str
    version: str | None = None

    def comment(self) -> str:
        return f"  # archbot {self.version}" if self.version else ""


def precommit_snippet(pin: Pin) -> str:
    return f"""\
# archbot reviews the staged ML/LLM changes on every commit. pre-commit installs archbot itself
# from the repository at `rev` into its own environment: nobody needs archbot on PATH.
# `pre-commit install` once per clone; `pre-commit autoupdate` moves `rev` to the latest release.
repos:
  - repo: {about.REPOSITORY}
    rev: {pin.rev}{pin.comment()}
    hooks:
      - id: archbot
"""


@dataclasses.dataclass(frozen=True)
class Written:
    path: Path
    created: bool


def templates(action: str | None, pin: Pin) -> dict[str, str]:
    """`action`: what the workflow uses instead of archbot's own action at the pinned revision."""
    if action is not None and _ACTION_REF.fullmatch(action) is None:
        raise usage_error(f"--uses {action!r}: expected OWNER/REPO@REF")
    if not _REV.fullmatch(pin.rev):
        raise usage_error(f"--rev {pin.rev!r}: expected a commit id or a tag of {about.REPOSITORY}")
    return {
        WORKFLOW_PATH: workflow.text(action or workflow.archbot_action(pin.rev) + pin.comment()),
        CONFIG_PATH: config_template(),
        PRECOMMIT_PATH: precommit_snippet(pin),
    }


def write(root: Path, action: str | None, pin: Pin, force: bool) -> list[Written]:
    """Write each file; an existing one is kept unless `force`."""
    results = []
    for relative, text in templates(action, pin).items():
        target = root / relative
        if target.exists() and not force:
            results.append(Written(target, False))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ArchbotError(f"cannot write {target}: {error.strerror}") from None
        results.append(Written(target, True))
    return results
