"""The GitHub Actions workflow `archbot init` writes (and the README shows), and the actions it and
action.yml use, each pinned to a commit: a tag can be moved to other code, a commit cannot."""

from __future__ import annotations

import importlib.metadata

# Where archbot's action lives. Its releases are tagged v<version> (the release workflow).
REPOSITORY = "archbot/archbot"

# action -> (commit, the release tag it is). Update both together; tests check action.yml uses them.
PINNED: dict[str, tuple[str, str]] = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
}


def pinned(action: str) -> str:
    """`owner/name@commit  # tag`, as a workflow step's `uses:` value."""
    commit, tag = PINNED[action]
    return f"{action}@{commit}  # {tag}"


def default_action() -> str:
    """The release of archbot that is running: its tag exists once that version is published."""
    return f"{REPOSITORY}@v{importlib.metadata.version('archbot')}"


TEMPLATE = """\
# archbot reviews the ML/LLM changes of every pull request: one comment kept up to date,
# inline comments for critical/high findings, annotations and a job summary.
name: archbot
on:
  # Not pull_request_target: that event hands a fork's pull request a write token and secrets.
  pull_request:
    types: [opened, synchronize, reopened, ready_for_review]
permissions:
  contents: read
  pull-requests: write
concurrency:
  group: archbot-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true
jobs:
  review:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: {checkout}
        with:
          fetch-depth: 0               # the whole history: archbot diffs base...head locally
          persist-credentials: false   # leave no token in .git/config
      - uses: {action}
        with:
          # Without a key archbot runs its static rules only. Secrets are not given to
          # workflows of pull requests from forks: those get the rules review.
          anthropic-api-key: ${{{{ secrets.ANTHROPIC_API_KEY }}}}
          fail-on: critical
"""


def text(action: str) -> str:
    return TEMPLATE.format(checkout=pinned("actions/checkout"), action=action)
