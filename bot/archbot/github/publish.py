"""Publishing a review on the pull request: one comment (found by its marker and by who wrote it),
one inline comment per finding however many runs race, and nothing from a run whose head is no
longer the pull request's. Anything GitHub refuses becomes a notice: the review itself is already
in the annotations and the job summary."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence

from archbot import render
from archbot.errors import ArchbotError
from archbot.github import state as state_module
from archbot.github.api import (
    Client,
    Comment,
    NotFound,
    OutcomeUnknown,
    ReadOnlyToken,
    ReviewComment,
)
from archbot.github.event import PullInfo
from archbot.models import ChangedFile, Finding, Severity
from archbot.render import COMMENT_MARKER

_FINGERPRINT_MARK = "<!-- archbot:fp {} -->"
_FINGERPRINT_AT_END = re.compile(r"<!-- archbot:fp ([0-9a-f]{20}) -->\s*\Z")


class Stale(ArchbotError):
    """The pull request has a newer head than the one this run reviewed."""


@dataclasses.dataclass(frozen=True)
class Previous:
    """Our comment on the pull request, who wrote it, and the state it carries."""

    comment: Comment | None
    identity: str | None
    state: state_module.State | None


@dataclasses.dataclass(frozen=True)
class Published:
    comment: bool
    inline: int
    notices: tuple[str, ...]


# --- finding our comment -----------------------------------------------------------------------


def ours(comments: Sequence[Comment], identity: str | None) -> list[Comment]:
    """Our comments, oldest first: the marker on the first line, written by our identity. Before
    the identity is known (an installation token that has not commented yet), only a bot account
    can have written ours: a person's comment that copies the marker is never taken for it."""
    found = [
        c
        for c in comments
        if c.author is not None
        and (c.author.login == identity if identity is not None else c.author.bot)
        and c.body.split("\n", 1)[0].strip() == COMMENT_MARKER
    ]
    return sorted(found, key=lambda c: c.id)


def previous(client: Client, info: PullInfo) -> Previous:
    identity = client.identity()
    found = ours(client.comments(info), identity)
    if not found:
        return Previous(None, identity, None)
    first = found[0]
    author = first.author.login if first.author is not None else identity
    return Previous(first, author, state_module.parse(first.body))


# --- the comment -------------------------------------------------------------------------------


def ensure_current(client: Client, info: PullInfo) -> None:
    head = client.head(info)
    if head != info.head_sha:
        raise Stale(
            f"not published: {info.name} has moved on to {head[:12]} since this run's "
            f"{info.head_sha[:12]}; the run for the newer commit publishes its review"
        )


def upsert_comment(client: Client, info: PullInfo, body: str, run: str, identity: str | None) -> Comment:
    """Edit our comment, or create it exactly once: after a create whose answer was lost, look for
    this run's comment before creating again; after a race, keep the oldest and delete ours."""
    existing = ours(client.comments(info), identity)
    if existing:
        try:
            client.edit_comment(info, existing[0].id, body)
            return existing[0]
        except NotFound:
            pass  # deleted since we listed it: create a new one
    try:
        created = client.create_comment(info, body)
    except OutcomeUnknown:
        found = _written_by_run(client.comments(info), run, identity)
        created = found if found is not None else client.create_comment(info, body)
    learned = created.author.login if created.author is not None else identity
    after = ours(client.comments(info), learned)
    keeper = after[0] if after else created
    if keeper.id != created.id:
        client.delete_comment(info, created.id)
        client.edit_comment(info, keeper.id, body)
    return keeper


def _written_by_run(comments: Sequence[Comment], run: str, identity: str | None) -> Comment | None:
    for comment in ours(comments, identity):
        found = state_module.parse(comment.body)
        if found is not None and found.run == run:
            return comment
    return None


# --- the inline review -------------------------------------------------------------------------


def inline_worthy(finding: Finding) -> bool:
    """Critical and high findings go inline; everything else stays in the comment."""
    return finding.severity >= Severity.HIGH


def anchor(finding: Finding, files: Mapping[str, ChangedFile]) -> dict[str, object] | None:
    """Where on the diff a finding's inline comment goes, or None: a line the diff shows, on the
    right side, or on the left for a removed line (GitHub answers 422 anywhere else)."""
    changed = files.get(finding.file)
    if changed is None:
        return None
    if finding.old_line is not None:
        if finding.old_line not in changed.removed_lines:
            return None
        return {"path": finding.file, "line": finding.old_line, "side": "LEFT"}
    if finding.line not in changed.visible_lines:
        return None
    return {"path": finding.file, "line": finding.line, "side": "RIGHT"}


def fingerprint_of(comment: ReviewComment) -> str | None:
    match = _FINGERPRINT_AT_END.search(comment.body)
    return match.group(1) if match else None


def posted_inline(comments: Sequence[ReviewComment], identity: str) -> dict[str, list[ReviewComment]]:
    """Our inline comments already on the pull request, by fingerprint."""
    found: dict[str, list[ReviewComment]] = {}
    for comment in comments:
        fingerprint = fingerprint_of(comment)
        if fingerprint is not None and comment.author is not None and comment.author.login == identity:
            found.setdefault(fingerprint, []).append(comment)
    return found


def inline_text(finding: Finding, file_lines: Sequence[str]) -> str:
    """The inline comment: its content (render.py), then the fingerprint that keeps it single."""
    return f"{render.inline_body(finding, file_lines)}\n\n{_FINGERPRINT_MARK.format(finding.fingerprint)}"


def post_inline(
    client: Client,
    info: PullInfo,
    findings: Sequence[Finding],
    files: Mapping[str, ChangedFile],
    file_lines: Callable[[str], Sequence[str]],
    identity: str,
    limit: int,
) -> int:
    """One review with the findings not yet on the pull request; returns how many were posted."""
    posted = posted_inline(client.review_comments(info), identity)
    chosen = [
        (f, place)
        for f in findings
        if inline_worthy(f) and f.fingerprint not in posted and (place := anchor(f, files)) is not None
    ][:limit]
    if not chosen:
        return 0
    ensure_current(client, info)
    body = (
        f"archbot: {render.plural(len(chosen), 'critical/high finding')} on this diff; "
        "the summary comment has the full review."
    )
    comments = [{**place, "body": inline_text(f, file_lines(f.file))} for f, place in chosen]
    try:
        client.create_review(info, body, comments)
    except OutcomeUnknown:
        # The review may exist: post only what is not there (never the same comments blindly).
        present = posted_inline(client.review_comments(info), identity)
        missing = [c for (f, _), c in zip(chosen, comments, strict=True) if f.fingerprint not in present]
        if missing:
            client.create_review(info, body, missing)
    remove_duplicates(client, info, identity)
    return len(chosen)


def remove_duplicates(client: Client, info: PullInfo, identity: str) -> None:
    """Runs that raced may each have posted a finding: the oldest comment stays, the others go.
    Every run applies the same rule, so two runs never delete each other's keeper."""
    for copies in posted_inline(client.review_comments(info), identity).values():
        for extra in sorted(copies, key=lambda c: c.id)[1:]:
            client.delete_review_comment(info, extra.id)


# --- both, as one step that never raises -------------------------------------------------------


def publish(
    client: Client,
    info: PullInfo,
    body: str,
    run: str,
    found: Previous,
    findings: Sequence[Finding],
    files: Mapping[str, ChangedFile],
    file_lines: Callable[[str], Sequence[str]],
    inline_limit: int | None,
) -> Published:
    """The comment, then (when `inline_limit` is set) the inline review. Whatever GitHub refuses
    becomes a notice; a comment that could not be written means no inline review either."""
    try:
        ensure_current(client, info)
        comment = upsert_comment(client, info, body, run, found.identity)
    except Stale as error:
        return Published(False, 0, (error.message,))
    except ReadOnlyToken as error:
        return Published(False, 0, (_read_only(info, error),))
    except ArchbotError as error:
        return Published(False, 0, (_stopped(info, error),))
    identity = comment.author.login if comment.author is not None else found.identity
    if inline_limit is None or identity is None:
        return Published(True, 0, ())
    try:
        posted = post_inline(client, info, findings, files, file_lines, identity, inline_limit)
    except Stale as error:
        return Published(True, 0, (error.message,))
    except ReadOnlyToken as error:
        return Published(True, 0, (_read_only(info, error),))
    except ArchbotError as error:
        return Published(True, 0, (f"inline review not posted: {error.message}",))
    return Published(True, posted, ())


def _read_only(info: PullInfo, error: ArchbotError) -> str:
    return (
        f"could not write to {info.name} ({error.message}); this is expected for pull requests "
        "from forks: the findings are in the annotations and the job summary"
    )


def _stopped(info: PullInfo, error: ArchbotError) -> str:
    return (
        f"stopped publishing to {info.name}: {error.message}; the findings are in the annotations "
        "and the job summary, and the next run publishes them"
    )
