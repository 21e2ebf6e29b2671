"""The GitHub Actions workflow `archbot init` writes (and the README shows), and the actions it and
action.yml use, each pinned to a commit: a tag can be moved to other code, a commit cannot."""

from __future__ import annotations

from archbot import about

# action -> (commit, the release tag it is). Update both together; tests check action.yml uses them.
PINNED: dict[str, tuple[str, str]] = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    # The release workflow (.github/workflows/release.yml): its publish job holds id-token: write.
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
    "pypa/gh-action-pypi-publish": ("76f52bc884231f62b9a034ebfe128415bbaabdfc", "v1.12.4"),
}


def pinned(action: str) -> str:
    """`owner/name@commit  # tag`, as a workflow step's `uses:` value."""
    commit, tag = PINNED[action]
    return f"{action}@{commit}  # {tag}"


def archbot_action(rev: str) -> str:
    """archbot's own action at `rev`, the revision `archbot init` pins the pre-commit hook to as
    well: this archbot's commit, or a release tag v<version> (the release workflow makes them)."""
    return f"{about.GITHUB_REPOSITORY}@{rev}"


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
