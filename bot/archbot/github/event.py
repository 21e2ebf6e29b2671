"""Which pull request a run is about: the Actions event payload or an OWNER/REPO#N spec, checked
strictly (every value later lands in URLs and git commands), and which events archbot accepts."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from urllib.parse import quote

from archbot.config import Config
from archbot.errors import usage_error

HANDLED_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")
HANDLED_EVENTS = ("pull_request", "pull_request_target")
_SHA = re.compile(r"[0-9a-f]{40}")
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_PR_SPEC = re.compile(r"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([1-9][0-9]{0,9})")
_WEB_URL = re.compile(r"https?://[A-Za-z0-9.:-]+(?:/[A-Za-z0-9_.-]+)*")


@dataclasses.dataclass(frozen=True)
class PullInfo:
    repo: str
    number: int
    base_sha: str
    head_sha: str
    draft: bool
    web_url: str
    # What the author wrote: untrusted, sent to the persona review as data.
    title: str = ""
    body: str = ""

    @property
    def name(self) -> str:
        return f"{self.repo}#{self.number}"

    def link(self, path: str, line: int) -> str:
        return f"{self.web_url}/blob/{self.head_sha}/{quote(path)}#L{line}"


@dataclasses.dataclass(frozen=True)
class Event:
    action: str
    pull: PullInfo


def read_event(path: Path) -> Event:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise usage_error(f"cannot read the GitHub event {path}: {error}") from None
    try:
        pull = payload["pull_request"]
        repository = payload["repository"]
        info = PullInfo(
            repo=_checked(repository["full_name"], _REPO, "repository.full_name"),
            number=_positive(pull["number"]),
            base_sha=_checked(pull["base"]["sha"], _SHA, "pull_request.base.sha"),
            head_sha=_checked(pull["head"]["sha"], _SHA, "pull_request.head.sha"),
            draft=pull.get("draft") is True,
            web_url=_checked(repository["html_url"], _WEB_URL, "repository.html_url"),
            title=_text(pull.get("title")),
            body=_text(pull.get("body")),
        )
        action = str(payload["action"])
    except (KeyError, TypeError):
        raise usage_error(f"{path} is not a pull_request event payload") from None
    return Event(action, info)


def parse_pr_spec(spec: str) -> tuple[str, int]:
    match = _PR_SPEC.fullmatch(spec)
    if match is None:
        raise usage_error(f"--pr {spec!r}: expected OWNER/REPO#NUMBER")
    return match.group(1), int(match.group(2))


def check_event_name(name: str | None) -> None:
    """`archbot github` runs on pull request events only; anything else is a workflow mistake."""
    if name and name not in HANDLED_EVENTS:
        raise usage_error(
            f"archbot github runs on pull_request events, not {name!r}: "
            "use `on: pull_request` in the workflow (see `archbot init`)"
        )


def check_target_allowed(name: str | None, config: Config) -> None:
    """Refuse `pull_request_target` unless the base branch's config opts in, and say why."""
    if name != "pull_request_target" or config.github.allow_pull_request_target:
        return
    raise usage_error(
        "refusing to run on pull_request_target: that event gives the workflow a write token and the "
        "repository's secrets while the pull request may come from a fork, so a workflow that checks "
        "out or runs the pull request's code hands both to its author. Run archbot on `pull_request` "
        "(pull requests from forks then get annotations and a job summary), or, if this workflow "
        "never checks out or runs the pull request's code, set github.allow_pull_request_target: "
        "true in the config on the base branch"
    )


def _checked(value: object, pattern: re.Pattern[str], where: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise usage_error(f"the GitHub event has an invalid {where}")
    return value


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise usage_error("the GitHub event has an invalid pull_request.number")
    return value


def _text(value: object) -> str:
    """A title or body as the author wrote it, or empty (the API sends null for no body)."""
    return value if isinstance(value, str) else ""
