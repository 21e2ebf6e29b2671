"""archbot on pull requests: `archbot github` (the Action) and `archbot review --pr`.

- event.py    which pull request, and which events are accepted
- api.py      the GitHub REST API (the only PyGithub import): retries, rate-limit budget, identity
- pull.py     reading a pull request: commits, base config and personas, the diff
- state.py    the hidden state our comment carries from one run to the next
- publish.py  the comment and the inline review, each exactly once
- actions.py  progress, annotations, job summary and outputs in GitHub Actions
- run.py      one run, step by step
"""

from archbot.github.actions import Progress, append_to, notice, notices_section, outputs, summary, warning
from archbot.github.api import Client, Tuning, quiet_library_logs
from archbot.github.event import HANDLED_ACTIONS, PullInfo, check_event_name, parse_pr_spec, read_event
from archbot.github.run import (
    Overrides,
    Reviewed,
    Skipped,
    comment_body,
    publish_review,
    review_pull,
    summary_body,
)

__all__ = [
    "HANDLED_ACTIONS",
    "Client",
    "Overrides",
    "Progress",
    "PullInfo",
    "Reviewed",
    "Skipped",
    "Tuning",
    "append_to",
    "check_event_name",
    "comment_body",
    "notice",
    "notices_section",
    "outputs",
    "parse_pr_spec",
    "publish_review",
    "quiet_library_logs",
    "read_event",
    "review_pull",
    "summary",
    "summary_body",
    "warning",
]
