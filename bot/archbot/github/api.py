"""The GitHub REST API through PyGithub's requester: the only module that imports PyGithub.

Every call says whether repeating it is harmless. Reads, edits and deletes are retried after a 5xx,
a timeout or a dropped connection; a create (POST) is not: when its answer is lost the caller looks
before creating again. Rate limits (403/429) are waited out for any call, since GitHub did not act on
the request, but all waiting in one run draws on one budget (github.max_wait_seconds): past it the
call fails at once, and the run publishes nothing more."""

from __future__ import annotations

import base64
import dataclasses
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import github
import requests
from github import Auth, GithubException

from archbot.config import GitHubConfig
from archbot.errors import ArchbotError
from archbot.github.event import PullInfo

T = TypeVar("T")
# GitHub: without retry-after, wait at least a minute after a secondary rate limit, then longer.
SECONDARY_LIMIT_WAIT = 60.0
# The files endpoint lists at most this many files of a pull request.
MAX_LISTED_FILES = 3000
_MAX_PAGES = 100
_SHA = re.compile(r"[0-9a-f]{40}")
_NEXT = re.compile(r'<([^<>]+)>\s*;\s*rel="next"')
# Installation tokens (GitHub Actions, GitHub Apps) cannot call GET /user.
_INSTALLATION_TOKEN = "ghs_"


@dataclasses.dataclass(frozen=True)
class Tuning:
    timeout_seconds: int = 30
    retries: int = 3
    max_wait_seconds: float = 120.0
    write_spacing_seconds: float = 1.0

    @classmethod
    def of(cls, config: GitHubConfig) -> Tuning:
        return cls(
            config.timeout_seconds, config.retries, config.max_wait_seconds, config.write_spacing_seconds
        )


@dataclasses.dataclass(frozen=True)
class Author:
    login: str
    bot: bool


@dataclasses.dataclass(frozen=True)
class Comment:
    id: int
    author: Author | None
    body: str


@dataclasses.dataclass(frozen=True)
class ReviewComment:
    id: int
    author: Author | None
    body: str
    review_id: int | None


@dataclasses.dataclass(frozen=True)
class PullFile:
    path: str
    previous: str | None
    status: str
    patch: str | None


@dataclasses.dataclass(frozen=True)
class Pull:
    info: PullInfo
    changed_files: int


# --- what can go wrong ---------------------------------------------------------------------------


class Unpublishable(ArchbotError):
    """GitHub takes nothing more from this run: what is written stays, the rest becomes notices."""


class Forbidden(ArchbotError):
    """403 on a read: not allowed to this token, or (contents API) a file over 1 MB."""


class ReadOnlyToken(Unpublishable):
    """The token may read but not write (pull requests from forks, `permissions: read`)."""


class _Stopped(Unpublishable):
    """A failure that stops every later call of the run too (see Client._call)."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason


class RateLimited(_Stopped):
    """A rate limit asks for a longer wait than the run's budget has left."""


class Unavailable(_Stopped):
    """5xx, timeouts or no connection after the retries a call allows, or an answer that is not
    what GitHub sends."""


class NotFound(ArchbotError):
    """404: gone (a deleted comment), or not visible to the token."""


class OutcomeUnknown(ArchbotError):
    """A create whose answer never came: GitHub may or may not have made it."""


def quiet_library_logs() -> None:
    """PyGithub and urllib3 log every refused or retried request (`GET /user failed with 403` on
    every Actions run); archbot says what matters itself, once, as a notice."""
    for name in ("github", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


# --- the client ------------------------------------------------------------------------------


class Client:
    def __init__(
        self,
        token: str,
        api_url: str,
        server_url: str | None = None,
        tuning: Tuning = Tuning(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.server_url = (server_url or _server_url(self.api_url)).rstrip("/")
        self._sleep = sleep
        self._waited = 0.0
        # Once GitHub is unreachable or rate-limited past the budget, later calls fail at once:
        # one outage costs its retries once per run, and a rate limit is not hammered.
        self._stopped: _Stopped | None = None
        self._identity: tuple[str | None] | None = None
        self.tune(tuning)

    def tune(self, tuning: Tuning) -> None:
        """Timeouts, retries, the wait budget and write spacing (from the base branch's config)."""
        self._tuning = tuning
        self._github = github.Github(
            auth=Auth.Token(self._token),
            base_url=self.api_url,
            timeout=tuning.timeout_seconds,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=tuning.write_spacing_seconds or None,
            lazy=True,
        )

    # --- identity ------------------------------------------------------------------------------

    def identity(self) -> str | None:
        """The login our comments carry, when the token can tell (personal and OAuth tokens).
        None for installation tokens (Actions, Apps): GET /user is refused to them, so their login
        is learned from the first comment they create."""
        if self._identity is None:
            if self._token.startswith(_INSTALLATION_TOKEN):
                self._identity = (None,)
            else:
                try:
                    data = self._json("reading the token's user", "GET", "/user")
                except Forbidden:
                    self._identity = (None,)
                else:
                    login = data.get("login") if isinstance(data, dict) else None
                    self._identity = (login if isinstance(login, str) and login else None,)
        return self._identity[0]

    # --- the pull request ----------------------------------------------------------------------

    def pull(self, repo: str, number: int) -> Pull:
        data = self._json(f"reading {repo}#{number}", "GET", f"/repos/{repo}/pulls/{number}")
        try:
            info = PullInfo(
                repo=repo,
                number=int(data["number"]),
                base_sha=_sha(data["base"]["sha"]),
                head_sha=_sha(data["head"]["sha"]),
                draft=data.get("draft") is True,
                web_url=f"{self.server_url}/{repo}",
                title=data.get("title") if isinstance(data.get("title"), str) else "",
                body=data.get("body") if isinstance(data.get("body"), str) else "",
            )
            changed = int(data.get("changed_files") or 0)
        except (KeyError, TypeError, ValueError):
            raise Unavailable(f"reading {repo}#{number}", "GitHub's answer is not a pull request") from None
        return Pull(info, changed)

    def merge_base(self, info: PullInfo) -> str:
        data = self._json(
            f"comparing the commits of {info.name}",
            "GET",
            f"/repos/{info.repo}/compare/{info.base_sha}...{info.head_sha}",
            parameters={"per_page": 1},
        )
        try:
            return _sha(data["merge_base_commit"]["sha"])
        except (KeyError, TypeError, ValueError):
            raise Unavailable(
                f"comparing the commits of {info.name}", "no merge base in the answer"
            ) from None

    def diff_text(self, info: PullInfo) -> str | None:
        """The pull request's diff; None when GitHub says it is too large (406)."""
        what = f"reading the diff of {info.name}"

        def call() -> str | None:
            status, headers, body = self._github.requester.requestJson(
                "GET",
                f"/repos/{info.repo}/pulls/{info.number}",
                headers={"Accept": "application/vnd.github.diff"},
            )
            if status == 406:
                return None
            if status >= 400:
                raise GithubException(status, {"message": body[:200]}, headers)
            return body

        return self._call(what, call, idempotent=True)

    def files(self, info: PullInfo) -> list[PullFile]:
        """The changed files with their patches (GitHub lists at most MAX_LISTED_FILES)."""
        items = self._pages(
            f"listing the files of {info.name}", f"/repos/{info.repo}/pulls/{info.number}/files"
        )
        files = []
        for item in items:
            path, status, patch = item.get("filename"), item.get("status"), item.get("patch")
            previous = item.get("previous_filename")
            if isinstance(path, str) and isinstance(status, str):
                files.append(
                    PullFile(
                        path,
                        previous if isinstance(previous, str) else None,
                        status,
                        patch if isinstance(patch, str) else None,
                    )
                )
        return files

    def file(self, repo: str, path: str, ref: str) -> bytes | None:
        """A file at `ref` through the contents API; None when absent, a folder, or over 1 MB."""
        try:
            data = self._json(
                f"reading {path} at {ref[:12]}", "GET", f"/repos/{repo}/contents/{_path(path)}", {"ref": ref}
            )
        except (NotFound, Forbidden):  # 403 is how GitHub refuses files over 1 MB here
            return None
        if not isinstance(data, dict) or data.get("type") != "file" or data.get("encoding") != "base64":
            return None
        try:
            return base64.b64decode(str(data.get("content") or ""))
        except ValueError:
            return None

    def folder(self, repo: str, path: str, ref: str) -> list[str]:
        try:
            data = self._json(
                f"listing {path} at {ref[:12]}", "GET", f"/repos/{repo}/contents/{_path(path)}", {"ref": ref}
            )
        except NotFound:
            return []
        if not isinstance(data, list):
            return []
        return [str(e["path"]) for e in data if isinstance(e, dict) and e.get("type") == "file"]

    def head(self, info: PullInfo) -> str:
        """The pull request's head right now (a newer push makes this run's review stale)."""
        return self.pull(info.repo, info.number).info.head_sha

    # --- comments and reviews ------------------------------------------------------------------

    def comments(self, info: PullInfo) -> list[Comment]:
        items = self._pages(
            f"listing the comments of {info.name}", f"/repos/{info.repo}/issues/{info.number}/comments"
        )
        return [c for c in (_comment(item) for item in items) if c is not None]

    def create_comment(self, info: PullInfo, body: str) -> Comment:
        data = self._json(
            f"commenting on {info.name}",
            "POST",
            f"/repos/{info.repo}/issues/{info.number}/comments",
            input={"body": body},
        )
        comment = _comment(data)
        if comment is None:
            raise Unavailable(f"commenting on {info.name}", "GitHub's answer is not a comment")
        return comment

    def edit_comment(self, info: PullInfo, comment_id: int, body: str) -> None:
        self._json(
            "editing the archbot comment",
            "PATCH",
            f"/repos/{info.repo}/issues/comments/{comment_id}",
            input={"body": body},
        )

    def delete_comment(self, info: PullInfo, comment_id: int) -> None:
        try:
            self._json(
                "deleting a duplicate archbot comment",
                "DELETE",
                f"/repos/{info.repo}/issues/comments/{comment_id}",
            )
        except NotFound:
            return

    def review_comments(self, info: PullInfo) -> list[ReviewComment]:
        items = self._pages(
            f"listing the review comments of {info.name}", f"/repos/{info.repo}/pulls/{info.number}/comments"
        )
        found = []
        for item in items:
            comment = _comment(item)
            if comment is not None:
                review = item.get("pull_request_review_id")
                review_id = review if isinstance(review, int) and not isinstance(review, bool) else None
                found.append(ReviewComment(comment.id, comment.author, comment.body, review_id))
        return found

    def create_review(self, info: PullInfo, body: str, comments: list[dict[str, object]]) -> int | None:
        data = self._json(
            f"posting the inline review on {info.name}",
            "POST",
            f"/repos/{info.repo}/pulls/{info.number}/reviews",
            input={"commit_id": info.head_sha, "body": body, "event": "COMMENT", "comments": comments},
        )
        review_id = data.get("id") if isinstance(data, dict) else None
        return review_id if isinstance(review_id, int) and not isinstance(review_id, bool) else None

    def delete_review_comment(self, info: PullInfo, comment_id: int) -> None:
        try:
            self._json(
                "deleting a duplicate inline comment",
                "DELETE",
                f"/repos/{info.repo}/pulls/comments/{comment_id}",
            )
        except NotFound:
            return

    # --- git over HTTPS ------------------------------------------------------------------------

    def git_remote(self, repo: str) -> tuple[str, dict[str, str]]:
        """The repository's git URL and the environment that authenticates git with our token
        (never on a command line, never in a config file)."""
        credentials = base64.b64encode(f"x-access-token:{self._token}".encode()).decode()
        return f"{self.server_url}/{repo}.git", {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {credentials}",
            "GIT_TERMINAL_PROMPT": "0",
        }

    # --- plumbing ------------------------------------------------------------------------------

    def _json(
        self,
        what: str,
        verb: str,
        path: str,
        parameters: dict[str, Any] | None = None,
        input: dict[str, Any] | None = None,
    ) -> Any:
        def call() -> Any:
            _, data = self._github.requester.requestJsonAndCheck(
                verb, path, parameters=parameters, input=input
            )
            return data

        return self._call(what, call, idempotent=verb != "POST", write=verb != "GET")

    def _pages(self, what: str, path: str) -> list[dict[str, Any]]:
        """Every page of a list, as one repeatable read."""

        def call() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            url: str | None = path
            parameters: dict[str, Any] | None = {"per_page": 100}
            for _ in range(_MAX_PAGES):
                if url is None:
                    break
                headers, data = self._github.requester.requestJsonAndCheck("GET", url, parameters=parameters)
                if not isinstance(data, list):
                    raise Unavailable(what, "GitHub's answer is not a list")
                items += [item for item in data if isinstance(item, dict)]
                match = _NEXT.search(str(headers.get("link") or ""))
                url, parameters = (match.group(1), None) if match else (None, None)
            return items

        return self._call(what, call, idempotent=True)

    def _call(self, what: str, action: Callable[[], T], *, idempotent: bool, write: bool = False) -> T:
        if self._stopped is not None:  # said as it happened: the call that met it, and why
            raise type(self._stopped)(self._stopped.what, self._stopped.reason)
        try:
            return self._attempts(what, action, idempotent, write)
        except _Stopped as error:
            self._stopped = error
            raise

    def _attempts(self, what: str, action: Callable[[], T], idempotent: bool, write: bool) -> T:
        attempt = 0
        while True:
            try:
                return action()
            except GithubException as error:
                wait = rate_limit_wait(
                    error.status, error.headers or {}, _message(error), attempt, time.time()
                )
                if wait is not None:
                    self._wait(what, wait, limit=True)
                elif error.status >= 500 and not idempotent:
                    # GitHub may have made it before failing: the caller looks before creating again.
                    answer = f"GitHub answered {error.status}: {_message(error)}"
                    raise OutcomeUnknown(f"{what}: {answer}") from None
                elif error.status >= 500 and attempt < self._tuning.retries:
                    self._wait(what, _backoff(attempt), limit=False)
                else:
                    raise _failure(what, error, write) from None
            except requests.RequestException as error:
                sent = not isinstance(error, requests.ConnectTimeout)
                if not idempotent and sent:
                    raise OutcomeUnknown(f"{what}: {self._describe(error)}") from None
                if attempt >= self._tuning.retries:
                    raise Unavailable(what, self._describe(error)) from None
                self._wait(what, _backoff(attempt), limit=False)
            attempt += 1

    def _wait(self, what: str, seconds: float, *, limit: bool) -> None:
        left = self._tuning.max_wait_seconds - self._waited
        if limit and seconds > left:
            raise RateLimited(
                what,
                f"GitHub's rate limit asks to wait {seconds:.0f} s and this run may wait "
                f"{max(left, 0.0):.0f} s more (github.max_wait_seconds: {self._tuning.max_wait_seconds:g})",
            )
        seconds = max(0.0, min(seconds, left))
        if seconds:
            self._sleep(seconds)
            self._waited += seconds

    def _describe(self, error: requests.RequestException) -> str:
        host = urlsplit(self.api_url).netloc
        if isinstance(error, requests.Timeout):
            return f"GitHub did not answer within {self._tuning.timeout_seconds:g} s (github.timeout_seconds)"
        if isinstance(error, requests.ConnectionError):
            return f"cannot reach the GitHub API at {host} (connection failed)"
        return f"the connection to {host} failed ({type(error).__name__})"


def rate_limit_wait(
    status: int, headers: dict[str, str], message: str, attempt: int, now: float
) -> float | None:
    """Seconds to wait before repeating a rate-limited request, or None when it was not one."""
    if status not in (403, 429):
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = lowered.get("retry-after", "").strip()
    if retry_after.isdigit():
        return float(retry_after)
    if lowered.get("x-ratelimit-remaining", "").strip() == "0":
        reset = lowered.get("x-ratelimit-reset", "").strip()
        return max(0.0, float(reset) - now) + 1.0 if reset.isdigit() else SECONDARY_LIMIT_WAIT
    if status == 429 or "rate limit" in message.lower() or "abuse" in message.lower():
        return SECONDARY_LIMIT_WAIT * float(2 ** min(attempt, 4))
    return None


def _backoff(attempt: int) -> float:
    return float(2**attempt)


def _failure(what: str, error: GithubException, write: bool) -> ArchbotError:
    message = _message(error)
    if error.status == 401:
        return ArchbotError(f"{what}: the GitHub token was rejected (401)")
    if error.status == 403:
        if write:
            return ReadOnlyToken(f"{what}: the token may not write here ({message})")
        return Forbidden(f"{what}: GitHub refused (403): {message}")
    if error.status == 404:
        return NotFound(f"{what}: not found, or the token cannot see it")
    if error.status >= 500:
        return Unavailable(what, f"GitHub answered {error.status}: {message}")
    return ArchbotError(f"{what}: GitHub answered {error.status}: {message}")


def _message(error: GithubException) -> str:
    data = error.data
    message = data.get("message") if isinstance(data, dict) else None
    return " ".join(str(message).split())[:200] if message else "no message"


def _comment(item: object) -> Comment | None:
    if not isinstance(item, dict):
        return None
    comment_id, body, user = item.get("id"), item.get("body"), item.get("user")
    if not isinstance(comment_id, int) or isinstance(comment_id, bool):
        return None
    author = None
    if isinstance(user, dict) and isinstance(user.get("login"), str):
        author = Author(user["login"], user.get("type") == "Bot")
    return Comment(comment_id, author, body if isinstance(body, str) else "")


def _sha(value: object) -> str:
    if not isinstance(value, str) or _SHA.fullmatch(value) is None:
        raise ValueError("not a commit id")
    return value


def _path(path: str) -> str:
    return quote(path)


def _server_url(api_url: str) -> str:
    """github.com's API lives on its own host; GitHub Enterprise Server's under /api/v3."""
    parts = urlsplit(api_url)
    if parts.netloc == "api.github.com":
        return "https://github.com"
    return f"{parts.scheme}://{parts.netloc}{parts.path.removesuffix('/api/v3')}"
