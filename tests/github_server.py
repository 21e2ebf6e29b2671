"""A small GitHub on 127.0.0.1 for the real PyGithub (via GITHUB_API_URL) and real git (smart HTTP,
via GITHUB_SERVER_URL) to talk to.

It serves one repository whose git objects live in a real local repository, and behaves like GitHub
where archbot depends on it: 422 for a review comment outside the diff or a body over 65,536
characters, 406 for a diff that is too large, at most 3,000 listed files, 403 for files over 1 MB in
the contents API, 403 for writes with a read-only token, 403 on GET /user for installation tokens
(whose comments are written by a bot account), 404. It fails the way GitHub fails when told to
(`fail`): 5xx once or always, slow answers, secondary rate limits (403 or 429, with or without
retry-after), the primary rate limit, and a create that is made but never answered; and it can hold
requests until several have arrived (`meet`), to make concurrent runs race. Everything the
tests look at afterwards is in `comments`, `review_comments`, `reviews` and `log`."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# Installation tokens (GitHub Actions and GitHub Apps) start with ghs_; personal tokens with ghp_.
WRITE_TOKEN = "ghs_write_token_for_tests"
READ_TOKEN = "ghs_read_only_token_for_tests"
APP_TOKEN = "ghs_app_installation_token_for_tests"
PERSONAL_TOKEN = "ghp_personal_token_for_tests"
BOT_LOGIN = "github-actions[bot]"
APP_LOGIN = "archbot-reviewer[bot]"
PERSONAL_LOGIN = "ml-platform-bot"
IDENTITIES = {
    WRITE_TOKEN: BOT_LOGIN,
    APP_TOKEN: APP_LOGIN,
    PERSONAL_TOKEN: PERSONAL_LOGIN,
    READ_TOKEN: BOT_LOGIN,
}
MAX_BODY = 65_536
MAX_LISTED_FILES = 3000
MAX_DIFF_FILES = 300
MAX_CONTENTS_BYTES = 1024 * 1024
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_TOO_LARGE = (
    "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, "
    "but you can use the Git Data API to request blobs up to 100 MB in size."
)
_SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


@dataclasses.dataclass
class Pull:
    number: int
    base: str
    head: str
    draft: bool = False
    title: str = "Add the LLM client"
    body: str = ""


@dataclasses.dataclass
class Comment:
    id: int
    login: str
    body: str

    @property
    def bot(self) -> bool:
        return self.login.endswith("[bot]")


@dataclasses.dataclass
class ReviewComment:
    id: int
    login: str
    body: str
    path: str
    line: int
    review_id: int
    side: str = "RIGHT"


@dataclasses.dataclass
class Fault:
    """How one kind of request fails: `method` and a regex on the path pick the requests; `times`
    None means every time. Kinds: an HTTP status (5xx); "secondary" (403 or 429 by `status`, with
    retry-after `retry_after` unless None); "primary" (x-ratelimit-remaining 0, reset in
    `reset_in` seconds); "stall" (no answer until the test ends); "commit-then-stall" (the write is
    made, the answer never comes); "drop" (the connection is closed without an answer, nothing made)."""

    method: str
    path: str
    kind: str | int
    times: int | None = 1
    status: int = 403
    retry_after: int | None = 0
    reset_in: int = 3600
    message: str = "Server Error"

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and re.search(self.path, path) is not None and self.times != 0


class GitHubServer:
    def __init__(self, git_dir: Path, repo: str = "acme/service") -> None:
        self.git_dir = git_dir
        self.repo = repo
        self.pulls: dict[int, Pull] = {}
        self.comments: dict[int, list[Comment]] = {}
        self.review_comments: dict[int, list[ReviewComment]] = {}
        self.reviews: list[dict[str, Any]] = []
        self.log: list[tuple[str, str, int]] = []
        self.faults: list[Fault] = []
        self.too_large_diff = False
        self.git_enabled = True
        self.without_patch: set[str] = set()
        self.page_size = 100
        # Requests that wait for one another before they are served: (method, path regex) -> barrier.
        self.barriers: list[tuple[str, str, threading.Barrier]] = []
        # Someone deletes our comment right after the comments are listed for the nth time from now.
        self.delete_after_lists = 0
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._next_id = 1000
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @contextmanager
    def running(self) -> Iterator[GitHubServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self.release.set()
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def open_pull(self, number: int, base: str, head: str, draft: bool = False) -> Pull:
        pull = Pull(number, base, head, draft)
        self.pulls[number] = pull
        self.comments.setdefault(number, [])
        self.review_comments.setdefault(number, [])
        return pull

    def add_comment(self, number: int, login: str, body: str) -> Comment:
        with self.lock:
            comment = Comment(self._new_id(), login, body)
            self.comments[number].append(comment)
            return comment

    def fail(self, method: str, path: str, kind: str | int, times: int | None = 1, **details: Any) -> Fault:
        fault = Fault(method, path, kind, times, **details)
        self.faults.append(fault)
        return fault

    def meet(self, method: str, path: str, parties: int) -> None:
        """The next `parties` such requests are held until all of them have arrived."""
        self.barriers.append((method, path, threading.Barrier(parties, timeout=60)))

    def writes(self, method: str, fragment: str) -> int:
        return sum(1 for m, path, _ in self.log if m == method and fragment in path)

    def requests(self, method: str | None = None) -> list[tuple[str, str, int]]:
        return [entry for entry in self.log if method is None or entry[0] == method]

    def forget_reviews(self, number: int = 7) -> None:
        self.reviews.clear()
        self.review_comments[number].clear()

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # --- git-backed data ---------------------------------------------------------------------

    def git(self, *args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=self.git_dir, capture_output=True, check=True).stdout

    def diff(self, pull: Pull) -> str:
        return self.git("diff", "--no-color", "--find-renames", f"{pull.base}...{pull.head}").decode()

    def patches(self, pull: Pull) -> list[tuple[str, str | None, str, str]]:
        """(path, previous path, status, patch) for each file, like the files endpoint."""
        statuses = self.git("diff", "--name-status", "-z", "--find-renames", f"{pull.base}...{pull.head}")
        fields = statuses.decode().split("\0")
        names = {"A": "added", "M": "modified", "D": "removed", "R": "renamed"}
        files: list[tuple[str, str | None, str]] = []
        index = 0
        while index < len(fields) - 1:
            code = fields[index]
            if code.startswith("R"):
                files.append((fields[index + 2], fields[index + 1], "renamed"))
                index += 3
            else:
                files.append((fields[index + 1], None, names[code[0]]))
                index += 2
        text = self.git("diff", "--no-color", "--find-renames", f"{pull.base}...{pull.head}").decode()
        chunks = {
            m.group(1): m.group(0)
            for m in re.finditer(r"(?ms)^diff --git a/.*? b/(.*?)\n.*?(?=^diff --git |\Z)", text)
        }
        result = []
        for path, previous, status in files:
            chunk = chunks.get(path, "")
            lines = chunk.split("\n")
            start = next((i for i, line in enumerate(lines) if line.startswith("@@")), len(lines))
            result.append((path, previous, status, "\n".join(lines[start:]).rstrip("\n")))
        return result

    def right_lines(self, pull: Pull, path: str) -> set[int]:
        """Lines of the new file the diff shows: where a review comment may go on side RIGHT."""
        return self.shown_lines(pull, path, "RIGHT")

    def shown_lines(self, pull: Pull, path: str, side: str) -> set[int]:
        """Lines the diff shows on one side: RIGHT, the new file's added and context lines; LEFT,
        the old file's removed and context lines."""
        for name, _, _, patch in self.patches(pull):
            if name != path:
                continue
            lines: set[int] = set()
            old = new = 0
            for line in patch.split("\n"):
                match = _HUNK.match(line)
                if match:
                    old, new = int(match.group(1)), int(match.group(2))
                elif line.startswith(("+", " ", "-")):
                    if line[0] in "+ " and side == "RIGHT":
                        lines.add(new)
                    if line[0] in "- " and side == "LEFT":
                        lines.add(old)
                    new += line[0] in "+ "
                    old += line[0] in "- "
            return lines
        return set()

    def object_at(self, ref: str, path: str) -> tuple[str, bytes] | None:
        spec = f"{ref}:{path}"
        kind = subprocess.run(["git", "cat-file", "-t", spec], cwd=self.git_dir, capture_output=True)
        if kind.returncode != 0:
            return None
        return kind.stdout.decode().strip(), self.git("cat-file", "-p", spec)


def _handler_for(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read `server.log` instead."""

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_PATCH(self) -> None:
            self._dispatch("PATCH")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        # --- plumbing -----------------------------------------------------------------------

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            self.raw = self.rfile.read(length) if length else b""
            path = unquote(parts.path)
            self.stall_after = False
            try:
                if path.endswith((".git/info/refs", ".git/git-upload-pack")):
                    status = self._git(method, path, parts.query)
                else:
                    self.body: Any = json.loads(self.raw) if self.raw else None
                    for wanted, pattern, barrier in server.barriers:
                        if wanted == method and re.search(pattern, path):
                            barrier.wait()
                    status = self._faulty(method, path)
                    if status is None:
                        status = self._route(method, path)
            except (BrokenPipeError, ConnectionResetError):
                status = 0
            with server.lock:
                server.log.append((method, parts.path, status))
            if self.stall_after:
                server.release.wait(30)
                self.close_connection = True

        def _faulty(self, method: str, path: str) -> int | None:
            with server.lock:
                fault = next((f for f in server.faults if f.matches(method, path)), None)
                if fault is not None and fault.times is not None:
                    fault.times -= 1
            if fault is None:
                return None
            if isinstance(fault.kind, int):
                return self._error(fault.kind, fault.message)
            if fault.kind == "secondary":
                headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
                return self._error(fault.status, _SECONDARY, headers)
            if fault.kind == "primary":
                reset = str(int(time.time()) + fault.reset_in)
                headers = {
                    "X-RateLimit-Limit": "1000",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset,
                }
                return self._error(403, "API rate limit exceeded for installation ID 1.", headers)
            if fault.kind == "stall":
                server.release.wait(30)
                self.close_connection = True
                return 0
            if fault.kind == "drop":
                self.close_connection = True
                return 0
            if fault.kind == "commit-then-stall":
                self.stall_after = True
                return None
            raise AssertionError(f"unknown fault {fault.kind}")

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> int:
            if self.stall_after:
                return status  # made, never answered
            data = (
                payload
                if isinstance(payload, bytes)
                else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
            )
            self.send_response(status)
            content_type = "text/plain" if isinstance(payload, str) else "application/json"
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "4999",
                **(headers or {}),
            }.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            return status

        def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> int:
            return self._send(
                status, {"message": message, "documentation_url": "https://docs.github.com"}, headers
            )

        def _token(self) -> str | None:
            value = self.headers.get("Authorization", "")
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "basic":
                user, _, password = base64.b64decode(token).decode().partition(":")
                return password if user == "x-access-token" else None
            return token if scheme.lower() in ("token", "bearer") else None

        def _page(self, items: list[Any], path: str) -> int:
            size = min(int(self.query.get("per_page", server.page_size)), server.page_size)
            page = int(self.query.get("page", 1))
            chunk = items[(page - 1) * size : page * size]
            headers = {}
            if page * size < len(items):
                headers["Link"] = f'<{server.url}{path}?page={page + 1}&per_page={size}>; rel="next"'
            return self._send(200, chunk, headers)

        # --- git over HTTP (smart protocol, as `git fetch` speaks it) ------------------------

        def _git(self, method: str, path: str, query: str) -> int:
            if not server.git_enabled or not path.startswith(f"/{server.repo}.git/"):
                return self._send(404, "Repository not found.")
            if self._token() not in IDENTITIES:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return 401
            environment = {
                **os.environ,
                "GIT_PROJECT_ROOT": str(server.git_dir),
                "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": "/.git" + path[len(f"/{server.repo}.git") :],
                "QUERY_STRING": query,
                "REQUEST_METHOD": method,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                "GIT_CONFIG_COUNT": "1",
                "GIT_CONFIG_KEY_0": "uploadpack.allowAnySHA1InWant",
                "GIT_CONFIG_VALUE_0": "true",
            }
            result = subprocess.run(
                ["git", "http-backend"], input=self.raw, env=environment, capture_output=True, check=False
            )
            head, _, body = result.stdout.partition(b"\r\n\r\n")
            status = 200
            headers = []
            for line in head.decode().split("\r\n"):
                key, _, value = line.partition(": ")
                if key.lower() == "status":
                    status = int(value.split()[0])
                elif key:
                    headers.append((key, value))
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return status

        # --- routes ---------------------------------------------------------------------------

        def _route(self, method: str, path: str) -> int:
            token = self._token()
            if token not in IDENTITIES:
                return self._error(401, "Bad credentials")
            self.login = IDENTITIES[token]
            if method != "GET" and token == READ_TOKEN:
                return self._error(403, "Resource not accessible by integration")
            if path == "/user" and method == "GET":
                if token.startswith("ghs_"):
                    return self._error(403, "Resource not accessible by integration")
                return self._send(200, {"login": self.login, "type": "User"})
            prefix = f"/repos/{server.repo}"
            if path == prefix:
                return self._send(200, self._repository())
            if not path.startswith(prefix + "/"):
                return self._error(404, "Not Found")
            rest = path[len(prefix) + 1 :].split("/")
            return self._repo_route(method, rest)

        def _repo_route(self, method: str, rest: list[str]) -> int:
            head = rest[0]
            if head == "pulls" and len(rest) >= 2 and rest[1].isdigit():
                pull = server.pulls.get(int(rest[1]))
                if pull is None:
                    return self._error(404, "Not Found")
                if len(rest) == 2 and method == "GET":
                    return self._pull(pull)
                if rest[2:] == ["files"] and method == "GET":
                    return self._files(pull)
                if rest[2:] == ["reviews"] and method == "POST":
                    return self._review(pull)
                if rest[2:] == ["comments"] and method == "GET":
                    return self._list_review_comments(pull)
            if head == "pulls" and rest[1:2] == ["comments"] and len(rest) == 3 and method == "DELETE":
                return self._delete_review_comment(int(rest[2]))
            if head == "issues" and len(rest) >= 2 and rest[1].isdigit():
                number = int(rest[1])
                if number not in server.pulls:
                    return self._error(404, "Not Found")
                if rest[2:] == ["comments"]:
                    return self._list_comments(number) if method == "GET" else self._create_comment(number)
            if head == "issues" and rest[1:2] == ["comments"] and len(rest) == 3:
                return self._comment(method, int(rest[2]))
            if head == "compare" and len(rest) == 2 and method == "GET":
                base, _, tip = rest[1].partition("...")
                merge_base = server.git("merge-base", base, tip).decode().strip()
                return self._send(200, {"merge_base_commit": {"sha": merge_base}, "files": []})
            if head == "contents" and method == "GET":
                return self._contents("/".join(rest[1:]))
            return self._error(404, "Not Found")

        def _repository(self) -> dict[str, Any]:
            owner, name = server.repo.split("/")
            return {
                "id": 1,
                "name": name,
                "full_name": server.repo,
                "owner": {"login": owner},
                "url": f"{server.url}/repos/{server.repo}",
                "html_url": f"https://github.com/{server.repo}",
            }

        def _pull(self, pull: Pull) -> int:
            if "diff" in self.headers.get("Accept", ""):
                if server.too_large_diff:
                    return self._error(406, "Sorry, the diff exceeded the maximum number of lines (20000)")
                if len(server.patches(pull)) > MAX_DIFF_FILES:
                    return self._error(406, "Sorry, the diff exceeded the maximum number of files (300).")
                return self._send(200, server.diff(pull))
            url = f"{server.url}/repos/{server.repo}/pulls/{pull.number}"
            changed = server.git("diff", "--name-only", "-z", f"{pull.base}...{pull.head}").decode()
            return self._send(
                200,
                {
                    "number": pull.number,
                    "url": url,
                    "html_url": f"https://github.com/{server.repo}/pull/{pull.number}",
                    "state": "open",
                    "title": pull.title,
                    "body": pull.body,
                    "draft": pull.draft,
                    "changed_files": len([p for p in changed.split("\0") if p]),
                    "base": {"sha": pull.base, "ref": "main"},
                    "head": {"sha": pull.head, "ref": "feature"},
                },
            )

        def _files(self, pull: Pull) -> int:
            items = []
            for path, previous, status, patch in server.patches(pull)[:MAX_LISTED_FILES]:
                item: dict[str, Any] = {"filename": path, "status": status}
                if previous:
                    item["previous_filename"] = previous
                if path not in server.without_patch and patch:
                    item["patch"] = patch
                items.append(item)
            return self._page(items, f"/repos/{server.repo}/pulls/{pull.number}/files")

        def _review(self, pull: Pull) -> int:
            body = self.body or {}
            if body.get("commit_id") != pull.head:
                return self._error(422, "Unprocessable Entity: commit_id is not the head of the pull request")
            for comment in body.get("comments", []):
                side = comment.get("side", "RIGHT")
                if side not in ("LEFT", "RIGHT") or comment.get("line") not in server.shown_lines(
                    pull, comment.get("path", ""), side
                ):
                    return self._error(422, "Unprocessable Entity: Line could not be resolved")
                if len(comment.get("body", "")) > MAX_BODY:
                    return self._error(
                        422, "Validation Failed: body is too long (maximum is 65536 characters)"
                    )
            with server.lock:
                server.reviews.append(body)
                review_id = server._new_id()
                for comment in body.get("comments", []):
                    server.review_comments[pull.number].append(
                        ReviewComment(
                            server._new_id(),
                            self.login,
                            comment["body"],
                            comment["path"],
                            comment["line"],
                            review_id,
                            comment.get("side", "RIGHT"),
                        )
                    )
            return self._send(200, {"id": review_id, "body": body.get("body"), "state": "COMMENTED"})

        def _list_review_comments(self, pull: Pull) -> int:
            with server.lock:
                items = [
                    {
                        "id": c.id,
                        "body": c.body,
                        "path": c.path,
                        "line": c.line,
                        "pull_request_review_id": c.review_id,
                        "user": {"login": c.login, "type": "Bot" if c.login.endswith("[bot]") else "User"},
                    }
                    for c in sorted(server.review_comments[pull.number], key=lambda c: c.id)
                ]
            return self._page(items, f"/repos/{server.repo}/pulls/{pull.number}/comments")

        def _delete_review_comment(self, comment_id: int) -> int:
            with server.lock:
                for comments in server.review_comments.values():
                    for comment in comments:
                        if comment.id == comment_id:
                            comments.remove(comment)
                            return self._send(204, "")
            return self._error(404, "Not Found")

        def _comment_json(self, comment: Comment) -> dict[str, Any]:
            return {
                "id": comment.id,
                "url": f"{server.url}/repos/{server.repo}/issues/comments/{comment.id}",
                "body": comment.body,
                "user": {"login": comment.login, "type": "Bot" if comment.bot else "User"},
            }

        def _list_comments(self, number: int) -> int:
            with server.lock:
                items = [self._comment_json(c) for c in sorted(server.comments[number], key=lambda c: c.id)]
                if server.delete_after_lists > 0:
                    server.delete_after_lists -= 1
                    if server.delete_after_lists == 0:
                        server.comments[number] = [
                            c for c in server.comments[number] if c.login != self.login
                        ]
            return self._page(items, f"/repos/{server.repo}/issues/{number}/comments")

        def _create_comment(self, number: int) -> int:
            body = str((self.body or {}).get("body", ""))
            if len(body) > MAX_BODY:
                return self._error(422, "Validation Failed: body is too long (maximum is 65536 characters)")
            comment = server.add_comment(number, self.login, body)
            return self._send(201, self._comment_json(comment))

        def _comment(self, method: str, comment_id: int) -> int:
            with server.lock:
                found = [(n, c) for n, items in server.comments.items() for c in items if c.id == comment_id]
                if not found:
                    return self._error(404, "Not Found")
                number, comment = found[0]
                if method == "GET":
                    return self._send(200, self._comment_json(comment))
                if comment.login != self.login:
                    return self._error(403, "Must have admin rights to Repository.")
                if method == "PATCH":
                    body = str((self.body or {}).get("body", ""))
                    if len(body) > MAX_BODY:
                        return self._error(
                            422, "Validation Failed: body is too long (maximum is 65536 characters)"
                        )
                    comment.body = body
                    return self._send(200, self._comment_json(comment))
                if method == "DELETE":
                    server.comments[number].remove(comment)
                    return self._send(204, "")
            return self._error(404, "Not Found")

        def _contents(self, path: str) -> int:
            ref = self.query.get("ref", "HEAD")
            found = server.object_at(ref, path)
            if found is None:
                return self._error(404, "Not Found")
            kind, data = found
            base_url = f"{server.url}/repos/{server.repo}/contents"
            if kind == "blob":
                if len(data) > MAX_CONTENTS_BYTES:
                    return self._error(
                        403,
                        _TOO_LARGE,
                    )
                return self._send(
                    200,
                    {
                        "type": "file",
                        "name": path.rsplit("/", 1)[-1],
                        "path": path,
                        "encoding": "base64",
                        "size": len(data),
                        "content": base64.b64encode(data).decode(),
                        "url": f"{base_url}/{path}?ref={ref}",
                    },
                )
            names = server.git("ls-tree", "--name-only", f"{ref}:{path}").decode().split()
            entries = []
            for name in names:
                child = f"{path}/{name}"
                child_kind = server.object_at(ref, child)
                entries.append(
                    {
                        "type": "file" if child_kind and child_kind[0] == "blob" else "dir",
                        "name": name,
                        "path": child,
                        "url": f"{base_url}/{child}?ref={ref}",
                    }
                )
            return self._send(200, entries)

    return Handler


def action_environment(server: GitHubServer, number: int, workspace: Path, scratch: Path) -> dict[str, str]:
    """The environment of a GitHub Actions run on pull request `number`: its event file (with the
    pull's title and body as the server holds them) and a step summary file, both in `scratch`."""
    pull = server.pulls[number]
    event = scratch / "event.json"
    event.write_text(
        json.dumps(
            {
                "action": "opened",
                "pull_request": {
                    "number": number,
                    "title": pull.title,
                    "body": pull.body,
                    "base": {"sha": pull.base},
                    "head": {"sha": pull.head},
                },
                "repository": {"full_name": "acme/service", "html_url": "https://github.com/acme/service"},
            }
        ),
        encoding="utf-8",
    )
    return {
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_TOKEN": WRITE_TOKEN,
        "GITHUB_API_URL": server.url,
        "GITHUB_SERVER_URL": server.url,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(scratch / "summary.md"),
    }
