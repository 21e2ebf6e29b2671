"""GitHub: read a pull request, keep one living comment, post one inline review, and survive
read-only tokens. The only module importing PyGithub; the github commands import it lazily."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import github
from github import Auth, GithubException, GithubRetry
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.PullRequest import ReviewComment

from archbot import config as config_module
from archbot import diff, render, review, sources
from archbot.errors import ArchbotError, usage_error
from archbot.models import ChangedFile, DiffSource, Finding, Report, Severity, SkippedFile
from archbot.personas import Persona
from archbot.render import COMMENT_MARKER, md_code, md_text

HANDLED_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")
STATE_PREFIX = "<!-- archbot:state "
STATE_VERSION = 1
# GitHub asks integrations to space mutating requests by at least a second.
WRITE_SPACING_SECONDS = 1.0
# An Actions token cannot call GET /user; its comments are authored by this account.
ACTIONS_LOGIN = "github-actions[bot]"
_SHA = re.compile(r"[0-9a-f]{40}")
_FINGERPRINT = re.compile(r"[0-9a-f]{20}")
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_PR_SPEC = re.compile(r"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([1-9][0-9]{0,9})")
_WEB_URL = re.compile(r"https?://[A-Za-z0-9.:-]+(?:/[A-Za-z0-9_.-]+)*")
_STATE_LINE = re.compile(r"<!-- archbot:state (\{.*\}) -->")
_MAX_STATE_FINDINGS = 200
_MAX_STATE_TEXT = 600
# The state shares the comment's 65,536 characters with the review itself.
_MAX_STATE_CHARS = 24_000


@dataclasses.dataclass(frozen=True)
class PullInfo:
    repo: str
    number: int
    base_sha: str
    head_sha: str
    draft: bool
    web_url: str

    @property
    def name(self) -> str:
        return f"{self.repo}#{self.number}"

    def link(self, path: str, line: int) -> str:
        return f"{self.web_url}/blob/{self.head_sha}/{quote(path)}#L{line}"


@dataclasses.dataclass(frozen=True)
class Event:
    action: str
    pull: PullInfo


@dataclasses.dataclass(frozen=True)
class State:
    """What the last run left in the comment: the head it reviewed and its findings."""

    head: str
    findings: tuple[Finding, ...]
    inline: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Previous:
    comment_id: int | None
    state: State | None


@dataclasses.dataclass(frozen=True)
class Reviewed:
    report: Report
    previous: Previous
    files: Mapping[str, ChangedFile]
    fixed: tuple[Finding, ...]
    since: str | None
    post: Callable[[str], bytes | None] = lambda path: None

    def file_lines(self, path: str) -> list[str]:
        """The post-change file's lines (for a suggestion block); none when it cannot be read."""
        data = self.post(path)
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n") if data else []


class ReadOnlyToken(ArchbotError):
    """The token may read but not write (fork pull requests, `permissions: read`)."""


# --- event and PR spec ------------------------------------------------------------------------


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


def _checked(value: object, pattern: re.Pattern[str], where: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise usage_error(f"the GitHub event has an invalid {where}")
    return value


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise usage_error("the GitHub event has an invalid pull_request.number")
    return value


# --- the API client -------------------------------------------------------------------------


class Client:
    """PyGithub with GitHub's etiquette: spaced writes, secondary rate limits retried."""

    def __init__(self, token: str, api_url: str) -> None:
        retry = GithubRetry(
            total=5,
            status_forcelist=[429],
            allowed_methods=frozenset({"GET", "POST", "PATCH", "DELETE"}),
        )
        self._github = github.Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            retry=retry,
            seconds_between_requests=None,
            seconds_between_writes=WRITE_SPACING_SECONDS,
            lazy=True,
        )
        self._login: str | None = None

    def pull(self, repo: str, number: int) -> PullInfo:
        with _api(f"reading {repo}#{number}"):
            repository = self._github.get_repo(repo)
            pull = repository.get_pull(number)
            return PullInfo(
                repo=repository.full_name,
                number=pull.number,
                base_sha=pull.base.sha,
                head_sha=pull.head.sha,
                draft=bool(pull.draft),
                web_url=repository.html_url,
            )

    def login(self) -> str:
        if self._login is None:
            try:
                self._login = self._github.get_user().login
            except GithubException as error:
                if error.status != 403:
                    raise _failure("reading the token's user", error) from None
                self._login = ACTIONS_LOGIN
        return self._login

    def own_comments(self, info: PullInfo) -> list[IssueComment]:
        """Our sticky comments, oldest first: the first line is the marker and we wrote it."""
        login = self.login()
        with _api(f"listing the comments of {info.name}"):
            comments = self._issue(info).get_comments()
            return sorted(
                (
                    c
                    for c in comments
                    if c.user is not None
                    and c.user.login == login
                    and (c.body or "").split("\n", 1)[0].strip() == COMMENT_MARKER
                ),
                key=lambda c: c.id,
            )

    def create_comment(self, info: PullInfo, body: str) -> IssueComment:
        with _api(f"commenting on {info.name}", write=True):
            return self._issue(info).create_comment(body)

    def edit_comment(self, comment: IssueComment, body: str) -> None:
        with _api("editing the archbot comment", write=True):
            comment.edit(body)

    def delete_comment(self, comment: IssueComment) -> None:
        with _api("deleting a duplicate archbot comment", write=True):
            comment.delete()

    def create_review(self, info: PullInfo, body: str, comments: Sequence[ReviewComment]) -> None:
        with _api(f"posting the inline review on {info.name}", write=True):
            repository = self._github.get_repo(info.repo)
            commit = repository.get_commit(info.head_sha)
            repository.get_pull(info.number).create_review(
                commit=commit, body=body, event="COMMENT", comments=list(comments)
            )

    def diff_text(self, info: PullInfo) -> str | None:
        """The PR diff in the diff media type; None when GitHub says it is too large (406)."""
        status, _, body = self._github.requester.requestJson(
            "GET",
            f"/repos/{info.repo}/pulls/{info.number}",
            headers={"Accept": "application/vnd.github.diff"},
        )
        if status == 406:
            return None
        if status != 200:
            raise ArchbotError(f"GitHub answered {status} for the diff of {info.name}")
        return body

    def files_diff(self, info: PullInfo) -> tuple[str, tuple[SkippedFile, ...]]:
        """The diff rebuilt from the paginated files list; files without a patch are skipped."""
        parts: list[str] = []
        skipped: list[SkippedFile] = []
        with _api(f"listing the files of {info.name}"):
            repository = self._github.get_repo(info.repo)
            for item in repository.get_pull(info.number).get_files():
                if item.patch is None:
                    if item.status != "removed":
                        skipped.append(
                            SkippedFile(item.filename, "GitHub sent no patch (too large or binary)")
                        )
                    continue
                parts.append(_file_patch(item.filename, item.previous_filename, item.status, item.patch))
        return "".join(parts), tuple(skipped)

    def file(self, repo: str, path: str, ref: str) -> bytes | None:
        try:
            content = self._github.get_repo(repo).get_contents(path, ref=ref)
        except GithubException as error:
            if error.status == 404:
                return None
            raise _failure(f"reading {path} at {ref[:12]}", error) from None
        if isinstance(content, list) or content.type != "file":
            return None
        return content.decoded_content

    def folder(self, repo: str, path: str, ref: str) -> list[str]:
        try:
            content = self._github.get_repo(repo).get_contents(path, ref=ref)
        except GithubException as error:
            if error.status == 404:
                return []
            raise _failure(f"listing {path} at {ref[:12]}", error) from None
        return [c.path for c in content if c.type == "file"] if isinstance(content, list) else []

    def _issue(self, info: PullInfo) -> Issue:
        return self._github.get_repo(info.repo).get_issue(info.number)


@contextmanager
def _api(what: str, write: bool = False) -> Iterator[None]:
    try:
        yield
    except GithubException as error:
        if write and error.status == 403:
            raise ReadOnlyToken(f"{what}: the token cannot write here ({_message(error)})") from None
        raise _failure(what, error) from None


def _failure(what: str, error: GithubException) -> ArchbotError:
    if error.status == 404:
        return ArchbotError(f"{what}: not found, or the token cannot see it")
    if error.status == 401:
        return ArchbotError(f"{what}: the GitHub token was rejected (401)")
    return ArchbotError(f"{what}: GitHub answered {error.status}: {_message(error)}")


def _message(error: GithubException) -> str:
    data = error.data
    message = data.get("message") if isinstance(data, dict) else None
    return " ".join(str(message).split())[:200] if message else "no message"


def _file_patch(path: str, previous: str | None, status: str, patch: str) -> str:
    old = previous or path
    header = [f"diff --git a/{old} b/{path}"]
    if status == "renamed" and previous:
        header += [f"rename from {previous}", f"rename to {path}"]
    header.append("--- /dev/null" if status == "added" else f"--- a/{old}")
    header.append("+++ /dev/null" if status == "removed" else f"+++ b/{path}")
    return "\n".join([*header, patch.rstrip("\n"), ""])


# --- where the diff, the config and the personas come from -------------------------------------


class BaseFiles(Protocol):
    """Files at the PR's base revision: config and personas never come from the PR's head."""

    def read(self, path: str) -> str | None: ...

    def listdir(self, folder: str) -> list[str]: ...


class _GitBase:
    def __init__(self, root: Path, sha: str) -> None:
        self._root = root
        self._sha = sha

    def read(self, path: str) -> str | None:
        try:
            return diff.decode(sources.git(["show", f"{self._sha}:{path}"], self._root))
        except ArchbotError:
            return None

    def listdir(self, folder: str) -> list[str]:
        out = sources.git(["ls-tree", "-z", "--name-only", self._sha, f"{folder}/"], self._root)
        return [p for p in diff.decode(out).split("\0") if p]


class _ApiBase:
    def __init__(self, client: Client, info: PullInfo) -> None:
        self._client = client
        self._info = info

    def read(self, path: str) -> str | None:
        data = self._client.file(self._info.repo, path, self._info.base_sha)
        return diff.decode(data) if data is not None else None

    def listdir(self, folder: str) -> list[str]:
        return self._client.folder(self._info.repo, folder, self._info.base_sha)


class _ApiHeadFiles:
    """Post-change files read from the API at the PR's head."""

    def __init__(self, client: Client, info: PullInfo) -> None:
        self._client = client
        self._info = info
        self._cache: dict[str, bytes | None] = {}

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read on demand: one request per file the review actually needs."""

    def read(self, path: str) -> bytes | None:
        if path not in self._cache:
            self._cache[path] = self._client.file(self._info.repo, path, self._info.head_sha)
        return self._cache[path]


def checkout(workspace: Path, info: PullInfo) -> Path | None:
    """The local clone when it holds the PR's head (fetching the base if missing), else None."""
    try:
        root = sources.repo_root(workspace)
        sources.git(["cat-file", "-e", f"{info.head_sha}^{{commit}}"], root)
    except ArchbotError:
        return None
    try:
        if not _has_commit(root, info.base_sha):
            sources.git(["fetch", "--quiet", "--no-tags", "origin", info.base_sha], root)
        # A shallow clone may lack the merge base that `git diff base...head` needs.
        sources.git(["merge-base", info.base_sha, info.head_sha], root)
    except ArchbotError:
        return None
    return root


def _has_commit(root: Path, sha: str) -> bool:
    try:
        sources.git(["cat-file", "-e", f"{sha}^{{commit}}"], root)
    except ArchbotError:
        return False
    return True


def base_files(client: Client, info: PullInfo, root: Path | None) -> BaseFiles:
    return _GitBase(root, info.base_sha) if root is not None else _ApiBase(client, info)


def base_config(base: BaseFiles, explicit: str | None) -> config_module.Config:
    names = (explicit,) if explicit else (*config_module.CONFIG_FILES, "pyproject.toml")
    for name in names:
        text = base.read(name)
        if text is None:
            continue
        parsed = config_module.parse(text, f"base:{name}")
        if not name.endswith(".toml") or parsed.origin is not None:
            return parsed
    if explicit:
        raise usage_error(f"config {explicit} does not exist at the base revision")
    return config_module.Config()


def base_persona_texts(base: BaseFiles, claude_agents: bool) -> list[tuple[str, str]]:
    folders = [".archbot/personas"] + ([".claude/agents"] if claude_agents else [])
    texts = []
    for folder in folders:
        for path in sorted(base.listdir(folder)):
            text = base.read(path) if path.endswith(".md") else None
            if text is not None:
                texts.append((f"base:{path}", text))
    return texts


def load_change(
    client: Client, info: PullInfo, root: Path | None
) -> tuple[sources.Change, tuple[SkippedFile, ...]]:
    source = DiffSource("github", base=info.base_sha, head=info.head_sha)
    if root is not None:
        change = sources.ref_range(info.base_sha, info.head_sha, cwd=root)
        return dataclasses.replace(change, source=source), ()
    text = client.diff_text(info)
    skipped: tuple[SkippedFile, ...] = ()
    if text is None:
        text, skipped = client.files_diff(info)
    return sources.from_text(text, source, _ApiHeadFiles(client, info), None), skipped


# --- hidden state ---------------------------------------------------------------------------


def state_line(head: str, findings: Sequence[Finding], inline: frozenset[str]) -> str:
    entries: list[dict[str, object]] = []
    size = 0
    for finding in findings[:_MAX_STATE_FINDINGS]:
        entry = _finding_state(finding)
        size += len(json.dumps(entry))
        if size > _MAX_STATE_CHARS:
            break
        entries.append(entry)
    payload = {"v": STATE_VERSION, "head": head, "inline": sorted(inline), "findings": entries}
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    # Escaped so that nothing inside can close the HTML comment.
    return STATE_PREFIX + text.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"


def _finding_state(finding: Finding) -> dict[str, object]:
    return {
        "fp": finding.fingerprint,
        "rule": finding.rule,
        "source": finding.source,
        "persona": finding.persona,
        "severity": finding.severity.label,
        "file": finding.file,
        "line": finding.line,
        "title": finding.title[:_MAX_STATE_TEXT],
        # Only persona findings are carried to the next run; rule findings are found again.
        "why": finding.rationale[:_MAX_STATE_TEXT] if finding.source == "llm" else "",
        "fix": finding.suggestion[:_MAX_STATE_TEXT] if finding.source == "llm" else "",
    }


def parse_state(body: str) -> State | None:
    """The state block of a comment, validated strictly; anything unexpected means no state."""
    lines = body.split("\n", 2)
    if len(lines) < 2 or lines[0].strip() != COMMENT_MARKER:
        return None
    match = _STATE_LINE.fullmatch(lines[1].strip())
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or set(data) != {"v", "head", "inline", "findings"}:
        return None
    head, inline, findings = data["head"], data["inline"], data["findings"]
    if data["v"] != STATE_VERSION or not isinstance(head, str) or _SHA.fullmatch(head) is None:
        return None
    if not isinstance(inline, list) or not all(_is_fingerprint(f) for f in inline):
        return None
    if not isinstance(findings, list) or len(findings) > _MAX_STATE_FINDINGS:
        return None
    parsed = [_state_finding(item) for item in findings]
    valid = [f for f in parsed if f is not None]
    if len(valid) != len(parsed):
        return None
    return State(head, tuple(valid), frozenset(inline))


def _is_fingerprint(value: object) -> bool:
    return isinstance(value, str) and _FINGERPRINT.fullmatch(value) is not None


def _state_finding(item: object) -> Finding | None:
    keys = {"fp", "rule", "source", "persona", "severity", "file", "line", "title", "why", "fix"}
    if not isinstance(item, dict) or set(item) != keys:
        return None
    texts = [item[k] for k in ("persona", "file", "title", "why", "fix")]
    if not all(isinstance(t, str) and len(t) <= _MAX_STATE_TEXT for t in texts):
        return None
    line = item["line"]
    if (
        not _is_fingerprint(item["fp"])
        or not isinstance(item["rule"], str)
        or _RULE_ID.fullmatch(item["rule"]) is None
        or item["source"] not in ("rules", "llm")
        or item["severity"] not in [s.label for s in Severity]
        or not isinstance(line, int)
        or isinstance(line, bool)
        or line < 1
        or not item["file"]
    ):
        return None
    return Finding(
        rule=item["rule"],
        source=item["source"],
        persona=item["persona"],
        severity=Severity.parse(item["severity"]),
        file=item["file"],
        line=line,
        title=item["title"],
        rationale=item["why"],
        suggestion=item["fix"],
        fingerprint=item["fp"],
    )


def previous_review(client: Client, info: PullInfo) -> Previous:
    """Our comment and its state. Only comments written by the token's own user count, so a state
    block forged in someone else's comment cannot hide findings."""
    comments = client.own_comments(info)
    if not comments:
        return Previous(None, None)
    return Previous(comments[0].id, parse_state(comments[0].body or ""))


# --- review ---------------------------------------------------------------------------------


def changed_since(root: Path | None, old_head: str, new_head: str) -> dict[str, frozenset[int]] | None:
    """New-file lines changed between the last reviewed head and this one; None when unknown
    (no checkout, or history rewritten by a force-push)."""
    if root is None:
        return None
    try:
        sources.git(["merge-base", "--is-ancestor", old_head, new_head], root)
        change = sources.ref_range(old_head, new_head, cwd=root)
    except ArchbotError:
        return None
    return {f.path: frozenset(f.added_lines) for f in change.files if not f.is_deleted}


def review_pull(
    client: Client,
    info: PullInfo,
    root: Path | None,
    config: config_module.Config,
    known: Mapping[str, Persona],
    reviewer: review.PersonaReviewer | None,
    forced: str | None = None,
) -> Reviewed:
    change, api_skipped = load_change(client, info, root)
    previous = previous_review(client, info)
    state = previous.state
    focus = changed_since(root, state.head, info.head_sha) if state is not None else None
    report = review.review(change, config, known, None, forced, reviewer, focus=focus)
    files = {f.path: f for f in change.files}
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
            and f.line in files[f.file].visible_lines
        )
    findings = tuple(
        sorted((*report.findings, *carried), key=lambda f: (-f.severity, f.file, f.line, f.rule))
    )
    report = dataclasses.replace(report, findings=findings, skipped=(*report.skipped, *api_skipped))
    current = {f.fingerprint for f in findings}
    fixed = tuple(f for f in state.findings if f.fingerprint not in current) if state is not None else ()
    since = state.head if focus is not None and state else None
    return Reviewed(report, previous, files, fixed, since, change.post.read)


# --- the comment ----------------------------------------------------------------------------


def comment_body(reviewed: Reviewed, info: PullInfo, inline: frozenset[str]) -> str:
    report = reviewed.report
    sections: list[str] = []
    if reviewed.fixed:
        sections += [f"### ✅ Fixed since the last review ({len(reviewed.fixed)})", ""]
        sections += [
            f"- {md_code(f'{f.file}:{f.line}')} **{md_text(f.title)}** {md_code(f.rule)}"
            for f in reviewed.fixed
        ]
        sections.append("")
    if reviewed.since is not None:
        sections += [
            f"_Persona review covered the changes since {md_code(reviewed.since[:12])}; "
            "rules re-checked the whole pull request._",
            "",
        ]
    hidden = state_line(info.head_sha, report.findings, inline)
    return render.markdown(report, info.link, tuple(sections), hidden=hidden)


def inline_candidates(reviewed: Reviewed, limit: int) -> list[Finding]:
    """Critical and high findings anchored on a right-side line of the diff, not posted before."""
    posted = reviewed.previous.state.inline if reviewed.previous.state is not None else frozenset()
    chosen = [
        f
        for f in reviewed.report.findings
        if f.severity >= Severity.HIGH
        and f.fingerprint not in posted
        and f.file in reviewed.files
        and f.line in reviewed.files[f.file].visible_lines
    ]
    return chosen[:limit]


@dataclasses.dataclass(frozen=True)
class Published:
    wrote: bool
    notices: tuple[str, ...]
    inline: frozenset[str]


def publish(client: Client, info: PullInfo, reviewed: Reviewed, config: config_module.Config) -> Published:
    """One inline review, then the sticky comment. A read-only token is a notice, not a failure."""
    notices: list[str] = []
    posted = reviewed.previous.state.inline if reviewed.previous.state is not None else frozenset()
    current = {f.fingerprint for f in reviewed.report.findings}
    inline = frozenset(posted & current)
    try:
        if config.github.inline:
            chosen = inline_candidates(reviewed, config.github.max_inline)
            if chosen:
                try:
                    client.create_review(
                        info,
                        f"archbot: {render.plural(len(chosen), 'critical/high finding')} on this diff; "
                        "the summary comment has the full review.",
                        [
                            {
                                "path": f.file,
                                "line": f.line,
                                "side": "RIGHT",
                                "body": render.inline_body(f, reviewed.file_lines(f.file)),
                            }
                            for f in chosen
                        ],
                    )
                    inline |= {f.fingerprint for f in chosen}
                except ReadOnlyToken:
                    raise
                except ArchbotError as error:
                    notices.append(f"inline review not posted: {error.message}")
        upsert_comment(client, info, comment_body(reviewed, info, inline))
    except ReadOnlyToken as error:
        notices.append(
            f"could not write to {info.name} ({error.message}); this is expected for pull requests "
            "from forks: the findings are in the annotations and the job summary"
        )
        return Published(False, tuple(notices), inline)
    return Published(True, tuple(notices), inline)


def upsert_comment(client: Client, info: PullInfo, body: str) -> None:
    """Exactly one sticky comment, even when two runs race: look before creating, look again
    after, and remove our own comment if an older one exists."""
    existing = client.own_comments(info)
    if existing:
        client.edit_comment(existing[0], body)
        return
    created = client.create_comment(info, body)
    after = client.own_comments(info)
    keeper = after[0] if after else created
    if keeper.id != created.id:
        client.delete_comment(created)
        client.edit_comment(keeper, body)


# --- one run ------------------------------------------------------------------------------


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
class Outcome:
    report: Report | None
    body: str
    skipped: str | None = None
    published: bool = False
    fail_on: str = "critical"


def run(
    client: Client,
    info: PullInfo,
    workspace: Path,
    explicit_config: str | None,
    personas_for: Callable[[list[tuple[str, str]], config_module.Config], Mapping[str, Persona]],
    reviewer_for: Callable[[config_module.Config], review.PersonaReviewer | None],
    post: bool,
    forced: str | None = None,
    skip_drafts: bool = True,
    overrides: Overrides = Overrides(),
) -> Outcome:
    """Review one pull request with the base revision's config and personas; publish if asked."""
    root = checkout(workspace, info)
    base = base_files(client, info, root)
    config = overrides.apply(base_config(base, explicit_config))
    if skip_drafts and info.draft and not config.github.review_drafts:
        reason = f"{info.name} is a draft (set github.review_drafts: true to review drafts)"
        return Outcome(None, "", skipped=reason)
    known = personas_for(base_persona_texts(base, config.personas.claude_agents), config)
    reviewed = review_pull(client, info, root, config, known, reviewer_for(config), forced)
    if not post:
        return Outcome(reviewed.report, comment_body(reviewed, info, frozenset()), fail_on=config.fail_on)
    published = publish(client, info, reviewed, config)
    report = dataclasses.replace(reviewed.report, notices=(*reviewed.report.notices, *published.notices))
    final = dataclasses.replace(reviewed, report=report)
    body = comment_body(final, info, published.inline)
    return Outcome(report, body, published=published.wrote, fail_on=config.fail_on)


# --- Actions files --------------------------------------------------------------------------


def job_summary(body: str) -> str:
    """The comment body without our hidden lines, for GITHUB_STEP_SUMMARY."""
    return "\n".join(
        line for line in body.split("\n") if line != COMMENT_MARKER and not line.startswith(STATE_PREFIX)
    )


def outputs(report: Report) -> str:
    counts = report.summary
    lines = [f"{name}={counts[name]}" for name in counts]
    lines += [f"findings={len(report.findings)}", f"cost-usd={report.llm.cost_usd:.4f}"]
    return "\n".join(lines) + "\n"


def append_to(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as error:
        raise ArchbotError(f"cannot write {path}: {error.strerror}") from None
