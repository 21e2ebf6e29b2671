"""`archbot init`: the workflow file, a commented .archbot.yml and a pre-commit snippet."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from archbot import workflow
from archbot.errors import ArchbotError, usage_error

WORKFLOW_PATH = ".github/workflows/archbot.yml"
CONFIG_PATH = ".archbot.yml"
PRECOMMIT_PATH = ".pre-commit-config.yaml"
_ACTION_REF = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+")

_CONFIG = """\
# archbot configuration. Every key is optional; the values below are the defaults.
# In pull requests this file is read from the base branch, never from the pull request itself.

# Exit 1 (fail the check) on findings at or above: critical | high | medium | low | never
fail_on: critical

personas:
  # At most this many personas review one change.
  max: 2
  # Pin files to a persona by glob, e.g. "services/agents/**": llm-ml-engineer
  assign: {}
  # Also use the repository's .claude/agents/*.md as personas.
  claude_agents: false

rules:
  # Rule ids to turn off (see `archbot rules`).
  disable: []
  # Change a rule's severity, e.g. http-call-no-timeout: medium
  severity: {}
  # Ignore rules under a glob, e.g. "tests/**": ["hardcoded-llm-api-key"]
  ignore: {}

paths:
  # Never review these globs.
  exclude: []

llm:
  # Persona review with Claude: null = on when ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL is set.
  enabled: null
  # Stop the persona review when it would cost more than this (USD) per review.
  max_cost_usd: 1.0
  # Report persona findings the model is at least this sure of; from possible_confidence up to
  # it they are shown collapsed as "worth a look" (never inline, never failing a build).
  min_confidence: 0.6
  possible_confidence: 0.4

precommit:
  # Persona review in the pre-commit hook too (off: commits stay fast and free).
  llm: false

github:
  # One inline review per run with the critical/high findings.
  inline: true
  max_inline: 10
  # Review draft pull requests as well.
  review_drafts: false
"""

PRECOMMIT_SNIPPET = """\
# archbot as a pre-commit hook (needs archbot installed: pip install archbot)
repos:
  - repo: local
    hooks:
      - id: archbot
        name: archbot (ML/LLM review)
        entry: archbot review
        language: system
        pass_filenames: false
        require_serial: true
        stages: [pre-commit, pre-push]
"""


@dataclasses.dataclass(frozen=True)
class Written:
    path: Path
    created: bool


def templates(action: str) -> dict[str, str]:
    if _ACTION_REF.fullmatch(action) is None:
        raise usage_error(f"--uses {action!r}: expected OWNER/REPO@REF")
    return {
        WORKFLOW_PATH: workflow.text(action),
        CONFIG_PATH: _CONFIG,
        PRECOMMIT_PATH: PRECOMMIT_SNIPPET,
    }


def write(root: Path, action: str, force: bool) -> list[Written]:
    """Write each file; an existing one is kept unless `force`."""
    results = []
    for relative, text in templates(action).items():
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
