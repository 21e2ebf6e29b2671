"""The hidden state line of our comment: what the last run reviewed, so the next one can review only
what changed, list what was fixed, and retry what it could not review. Bounded after escaping, and
read back strictly: anything unexpected means no state (a full review), never a hidden finding."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence

from archbot.models import Finding, Severity
from archbot.render import COMMENT_MARKER

STATE_PREFIX = "<!-- archbot:state "
STATE_SUFFIX = " -->"
VERSION = 3
# The state shares the comment's 65,536 characters with the review: it never takes more than this.
MAX_CHARS = 20_000
MAX_TEXT = 600
MAX_PATH = 400
# `pending` cannot be listed in full: every file is reviewed again.
ALL_FILES = "*"
_SHA = re.compile(r"[0-9a-f]{40}")
_FINGERPRINT = re.compile(r"[0-9a-f]{20}")
_RUN = re.compile(r"[0-9a-f]{16}")
_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_LINE = re.compile(r"<!-- archbot:state (\{.*\}) -->")
_FINDING_KEYS = frozenset(
    {"fp", "rule", "source", "persona", "severity", "file", "line", "old", "title", "why", "fix"}
)


@dataclasses.dataclass(frozen=True)
class State:
    """What a run left behind: the head it reviewed, which run wrote it, the files whose persona
    review is still owed (failed, skipped or off), and its findings."""

    head: str
    run: str
    pending: frozenset[str] | None  # None: every file is owed a persona review
    findings: tuple[Finding, ...]

    def owes(self, path: str) -> bool:
        return self.pending is None or path in self.pending


def line(head: str, run: str, pending: Iterable[str] | None, findings: Sequence[Finding]) -> str:
    """The state as one HTML comment line of at most MAX_CHARS characters, measured after
    escaping. `pending` None: every file is owed a persona review. What does not fit is left out
    on the safe side: owed files become "every file", findings past the budget are not carried."""
    empty = {"v": VERSION, "head": head, "run": run, "pending": [], "findings": []}
    budget = MAX_CHARS - len(STATE_PREFIX) - len(_escaped(empty)) - len(STATE_SUFFIX)
    owed = _owed(pending, budget // 2)
    budget -= len(_escaped(owed))
    entries: list[dict[str, object]] = []
    for finding in findings:
        if len(finding.file) > MAX_PATH:
            continue  # a cut path would name another file
        entry = _entry(finding)
        cost = len(_escaped(entry)) + 1
        if cost > budget:
            break
        budget -= cost
        entries.append(entry)
    payload = {"v": VERSION, "head": head, "run": run, "pending": owed, "findings": entries}
    return STATE_PREFIX + _escaped(payload) + STATE_SUFFIX


def _owed(pending: Iterable[str] | None, budget: int) -> list[str] | str:
    if pending is None:
        return ALL_FILES
    paths = sorted(set(pending))
    if any(len(p) > MAX_PATH for p in paths) or len(_escaped(paths)) > budget:
        return ALL_FILES
    return paths


def _escaped(value: object) -> str:
    """JSON that cannot close the HTML comment it sits in, nor carry invisible characters."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _entry(finding: Finding) -> dict[str, object]:
    persona_finding = finding.source == "llm"
    return {
        "fp": finding.fingerprint,
        "rule": finding.rule,
        "source": finding.source,
        "persona": finding.persona[:MAX_TEXT],
        "severity": finding.severity.label,
        "file": finding.file,
        "line": finding.line,
        "old": finding.old_line,
        "title": finding.title[:MAX_TEXT],
        # Only persona findings are carried to the next run; rule findings are found again.
        "why": finding.rationale[:MAX_TEXT] if persona_finding else "",
        "fix": finding.suggestion[:MAX_TEXT] if persona_finding else "",
    }


def parse(body: str) -> State | None:
    """The state of a comment body (its second line), validated strictly."""
    lines = body.split("\n", 2)
    if len(lines) < 2 or lines[0].strip() != COMMENT_MARKER:
        return None
    match = _LINE.fullmatch(lines[1].strip())
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or set(data) != {"v", "head", "run", "pending", "findings"}:
        return None
    head, run, pending, findings = data["head"], data["run"], data["pending"], data["findings"]
    if data["v"] != VERSION or not _matches(head, _SHA) or not _matches(run, _RUN):
        return None
    owed: frozenset[str] | None
    if pending == ALL_FILES:
        owed = None
    elif isinstance(pending, list) and all(isinstance(p, str) and 0 < len(p) <= MAX_PATH for p in pending):
        owed = frozenset(pending)
    else:
        return None
    if not isinstance(findings, list):
        return None
    parsed = [_finding(item) for item in findings]
    valid = [f for f in parsed if f is not None]
    if len(valid) != len(parsed):
        return None
    return State(head, run, owed, tuple(valid))


def _matches(value: object, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _finding(item: object) -> Finding | None:
    if not isinstance(item, dict) or set(item) != _FINDING_KEYS:
        return None
    texts = [item[k] for k in ("persona", "file", "title", "why", "fix")]
    if not all(isinstance(t, str) for t in texts) or len(item["file"]) > MAX_PATH:
        return None
    if not all(len(t) <= MAX_TEXT for t in texts[:1] + texts[2:]):
        return None
    line_number, old = item["line"], item["old"]
    if old is not None and not _positive(old):
        return None
    if (
        not _matches(item["fp"], _FINGERPRINT)
        or not _matches(item["rule"], _RULE_ID)
        or item["source"] not in ("rules", "llm")
        or item["severity"] not in [s.label for s in Severity]
        or not _positive(line_number)
        or not item["file"]
    ):
        return None
    return Finding(
        rule=item["rule"],
        source=item["source"],
        persona=item["persona"],
        severity=Severity.parse(item["severity"]),
        file=item["file"],
        line=line_number,
        title=item["title"],
        rationale=item["why"],
        suggestion=item["fix"],
        fingerprint=item["fp"],
        old_line=old,
    )


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
