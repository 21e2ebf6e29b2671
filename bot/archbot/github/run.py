"""One pull request, step by step: open it, read its config and personas at the base, find our
earlier review, review (again only what changed, plus what the persona review still owes), and —
once the caller has written the annotations and the job summary — publish."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from archbot import config as config_module
from archbot import render, review
from archbot.errors import ArchbotError
from archbot.github import event, publish, pull
from archbot.github import state as state_module
from archbot.github.actions import Progress
from archbot.github.api import Client, Tuning
from archbot.github.event import PullInfo
from archbot.masking import Masker
from archbot.models import ChangedFile, Finding, Report, Suppression
from archbot.personas import Persona

# GITHUB_STEP_SUMMARY holds up to 1 MiB per step.
SUMMARY_MAX_CHARS = 400_000
_PERSONA_SKIP = "persona review"

PersonasFor = Callable[[list[tuple[str, str]], config_module.Config], Mapping[str, Persona]]
ReviewerFor = Callable[[config_module.Config], review.PersonaReviewer | None]


@dataclasses.dataclass(frozen=True)
class Overrides:
    """Action inputs that win over the base revision's config."""

    model: str | None = None
    inline: bool | None = None

    def apply(self, config: config_module.Config) -> config_module.Config:
        if self.model is not None:
            config = dataclasses.replace(config, llm=dataclasses.replace(config.llm, model=self.model))
        if self.inline is not None:
            config = dataclasses.replace(
                config, github=dataclasses.replace(config.github, inline=self.inline)
            )
        return config


@dataclasses.dataclass(frozen=True)
class Skipped:
    reason: str


@dataclasses.dataclass(frozen=True)
class Reviewed:
    info: PullInfo
    config: config_module.Config
    report: Report
    found: publish.Previous
    files: Mapping[str, ChangedFile]
    fixed: tuple[Finding, ...] = ()
    since: str | None = None
    # Files the persona review still owes (failed, skipped or off); None: every file.
    owed: frozenset[str] | None = frozenset()
    run: str = ""
    # The post-change files (while the repository they come from exists).
    post: Callable[[str], bytes | None] = lambda path: None

    @property
    def fail_on(self) -> str:
        return self.config.fail_on

    def file_lines(self, path: str) -> list[str]:
        """The post-change file's lines (for a suggestion block); none when it cannot be read."""
        data = self.post(path)
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n") if data else []


# --- review ------------------------------------------------------------------------------------


def review_pull(
    client: Client,
    info: PullInfo,
    workspace: Path,
    scratch: Path,
    explicit_config: str | None,
    personas_for: PersonasFor,
    reviewer_for: ReviewerFor,
    *,
    masker: Masker,
    progress: Progress,
    event_name: str | None = None,
    forced: str | None = None,
    skip_drafts: bool = True,
    overrides: Overrides = Overrides(),
    given_config: config_module.Config | None = None,
) -> Reviewed | Skipped:
    """Review one pull request with the base revision's config and personas. `given_config`: a
    config the person running archbot chose (`review --pr --config`), in place of the base's."""
    with progress.step(f"reading {info.name}"):
        opened = pull.open_pull(client, info, workspace, scratch)
        chosen = given_config if given_config is not None else pull.base_config(opened.base, explicit_config)
        config = overrides.apply(chosen)
        client.tune(Tuning.of(config.github))
        event.check_target_allowed(event_name, config)
        if skip_drafts and info.draft and not config.github.review_drafts:
            return Skipped(f"{info.name} is a draft (set github.review_drafts: true to review drafts)")
        known = personas_for(pull.base_persona_texts(opened.base, config.personas.claude_agents), config)
        found, notices = _earlier_review(client, info)
        progress.line(f"{len(opened.change.files)} changed file(s); earlier review: {_describe(found)}")
    with progress.step("reviewing"):
        reviewed = _review(opened, info, config, known, reviewer_for(config), forced, found)
    unread = opened.unread()
    if unread:
        notices.append(
            f"{len(unread)} file(s) were reviewed from their diff alone (without a checkout, archbot "
            f"reads at most {pull.MAX_API_FILE_READS} whole files through the API): {', '.join(unread[:20])}"
        )
    report = reviewed.report
    report = dataclasses.replace(report, notices=(*opened.notices, *notices, *report.notices))
    report = dataclasses.replace(report, skipped=(*report.skipped, *opened.skipped))
    return dataclasses.replace(reviewed, report=masker.report(report))


def _earlier_review(client: Client, info: PullInfo) -> tuple[publish.Previous, list[str]]:
    try:
        return publish.previous(client, info), []
    except ArchbotError as error:
        return publish.Previous(None, None, None), [
            f"could not read the earlier review ({error.message}): everything was reviewed again"
        ]


def _describe(found: publish.Previous) -> str:
    if found.comment is None:
        return "none"
    if found.state is None:
        return "a comment without a readable state"
    return f"of {found.state.head[:12]}"


def _review(
    opened: pull.Opened,
    info: PullInfo,
    config: config_module.Config,
    known: Mapping[str, Persona],
    reviewer: review.PersonaReviewer | None,
    forced: str | None,
    found: publish.Previous,
) -> Reviewed:
    files = {f.path: f for f in opened.change.files}
    state = found.state
    focus = _focus(opened.root, state, info, files)
    report = review.review(
        opened.change, config, known, None, forced, reviewer, focus=focus, description=(info.title, info.body)
    )
    carried: tuple[Finding, ...] = ()
    if state is not None and focus is not None:
        current = {f.fingerprint for f in report.findings}
        carried = tuple(
            f
            for f in state.findings
            if f.source == "llm"
            and f.file not in focus
            and f.fingerprint not in current
            and f.file in files
            and _still_shown(f, files[f.file])
        )
    restored = _restored(report.suppressed, config)
    findings = tuple(
        sorted((*report.findings, *carried, *restored), key=lambda f: (-f.severity, f.file, f.line, f.rule))
    )
    notices = list(report.notices)
    if restored:
        notices.append(
            f"not honoured (github.pr_suppressions: ignore): {render.plural(len(restored), 'suppression')} "
            "this pull request adds"
        )
    report = dataclasses.replace(report, findings=findings, notices=tuple(notices))
    current = {f.fingerprint for f in findings}
    fixed = tuple(f for f in state.findings if f.fingerprint not in current) if state is not None else ()
    return Reviewed(
        info=info,
        config=config,
        report=report,
        found=found,
        files=files,
        fixed=fixed,
        since=state.head if state is not None and focus is not None else None,
        owed=_owed(report, focus, reviewer is not None),
        run=secrets.token_hex(8),
        post=opened.change.post.read,
    )


def _still_shown(finding: Finding, changed: ChangedFile) -> bool:
    """The line a carried finding sits on is still in the diff (on its side)."""
    if finding.old_line is not None:
        return finding.old_line in changed.removed_lines
    return finding.line in changed.visible_lines


def _focus(
    root: Path | None, state: state_module.State | None, info: PullInfo, files: Mapping[str, ChangedFile]
) -> dict[str, frozenset[int]] | None:
    """What the persona review reads this time: the lines changed since the reviewed head, and all
    of every file it still owes. None: everything (no usable earlier review)."""
    if state is None:
        return None
    focus = pull.changed_since(root, state.head, info.head_sha)
    if focus is None:
        return None
    for path, changed in files.items():
        if state.owes(path) and not changed.is_deleted:
            focus[path] = frozenset(changed.added_lines)
    return focus


def _owed(report: Report, focus: Mapping[str, frozenset[int]] | None, reviewer_ran: bool) -> frozenset[str]:
    """The files routed to the persona review that it did not cover this time: all of them when it
    was off or failed, else those it skipped."""
    sent = {p for p in report.reviewed if focus is None or p in focus}
    if not reviewer_ran or report.llm.error is not None:
        return frozenset(sent)
    return frozenset(s.path for s in report.skipped if s.reason.startswith(_PERSONA_SKIP) and s.path in sent)


def _restored(suppressed: tuple[Suppression, ...], config: config_module.Config) -> tuple[Finding, ...]:
    if config.github.pr_suppressions != "ignore":
        return ()
    return tuple(s.finding for s in suppressed if s.added)


# --- what the comment and the summary say --------------------------------------------------------


def sections(reviewed: Reviewed) -> tuple[str, ...]:
    """What a pull request review adds to the report: what was fixed, how far the persona review
    read, and the suppressions the pull request itself adds."""
    lines: list[str] = []
    if reviewed.fixed:
        lines += [f"### ✅ Fixed since the last review ({len(reviewed.fixed)})", ""]
        lines += [
            f"- {render.md_code(f'{f.file}:{f.line}')} **{render.md_text(f.title)}** {render.md_code(f.rule)}"
            for f in reviewed.fixed
        ]
        lines.append("")
    added = [s for s in reviewed.report.suppressed if s.added]
    if added and reviewed.config.github.pr_suppressions == "report":
        lines += [f"### 🔕 Suppressions this pull request adds ({len(added)})", ""]
        lines += [
            f"- {render.md_code(f'{s.finding.file}:{s.line}')} {render.md_code(s.marker)} silences "
            f"{render.md_code(s.finding.rule)} ({s.finding.severity.label}): "
            f"**{render.md_text(s.finding.title)}**"
            + (f" — reason: {render.md_text(s.reason)}" if s.reason else " — no reason given")
            for s in added
        ]
        lines.append("")
    if reviewed.since is not None:
        lines += [
            f"_Persona review covered the changes since {render.md_code(reviewed.since[:12])}; "
            "rules re-checked the whole pull request._",
            "",
        ]
    return tuple(lines)


def comment_body(reviewed: Reviewed) -> str:
    info = reviewed.info
    hidden = state_module.line(info.head_sha, reviewed.run, reviewed.owed, reviewed.report.findings)
    return render.markdown(reviewed.report, info.link, sections(reviewed), hidden=hidden)


def summary_body(reviewed: Reviewed) -> str:
    """The job summary: the whole report (the comment may be cut to fit GitHub's limit)."""
    info = reviewed.info
    return render.markdown(reviewed.report, info.link, sections(reviewed), max_chars=SUMMARY_MAX_CHARS)


# --- publish -------------------------------------------------------------------------------------


def publish_review(
    client: Client, reviewed: Reviewed, masker: Masker, progress: Progress
) -> publish.Published:
    """The comment and the inline review; a pull request without ML/LLM changes gets no comment
    (unless github.comment_when_clean), though an earlier one is brought up to date."""
    config = reviewed.config.github
    quiet = not reviewed.report.has_ml_changes and not config.comment_when_clean
    if quiet and reviewed.found.comment is None:
        progress.line("no ML/LLM-related changes: no comment (github.comment_when_clean: false)")
        return publish.Published(False, 0, ())
    with progress.step(f"publishing to {reviewed.info.name}"):
        result = publish.publish(
            client,
            reviewed.info,
            masker.values(comment_body(reviewed)),
            reviewed.run,
            reviewed.found,
            reviewed.report.findings,
            reviewed.files,
            reviewed.file_lines,
            config.max_inline if config.inline else None,
        )
        progress.line(
            f"comment {'written' if result.comment else 'not written'}; "
            f"{render.plural(result.inline, 'inline comment')} posted"
        )
    return dataclasses.replace(result, notices=tuple(masker.text(n) for n in result.notices))
