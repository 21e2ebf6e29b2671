"""A small GitHub REST server on 127.0.0.1 for the real PyGithub to talk to (via GITHUB_API_URL).

It serves one repository whose git objects live in a real local repository, and behaves like
GitHub where archbot depends on it: 422 for a review comment outside the diff, 406 for a diff that
is too large, 403 for writes with a read-only token, 404, and secondary rate limits with
retry-after. Everything the tests look at afterwards is in `comments`, `reviews` and `log`."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

WRITE_TOKEN = "ghs_write_token_for_tests"
READ_TOKEN = "ghs_read_only_token_for_tests"
BOT_LOGIN = "archbot-bot"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


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


class GitHubServer:
    def __init__(self, git_dir: Path, repo: str = "acme/service") -> None:
        self.git_dir = git_dir
        self.repo = repo
        self.pulls: dict[int, Pull] = {}
        self.comments: dict[int, list[Comment]] = {}
        self.reviews: list[dict[str, Any]] = []
        self.log: list[tuple[str, str, int]] = []
        self.too_large_diff = False
        self.without_patch: set[str] = set()
        self.page_size = 30
        self.rate_limited_writes = 0
        self.rate_limit_status = 403
        self.comment_list_barrier: threading.Barrier | None = None
        self.lock = threading.Lock()
        self._next_id = 1000
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @contextmanager
    def running(self) -> Iterator[GitHubServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def open_pull(self, number: int, base: str, head: str, draft: bool = False) -> Pull:
        pull = Pull(number, base, head, draft)
        self.pulls[number] = pull
        self.comments.setdefault(number, [])
        return pull

    def add_comment(self, number: int, login: str, body: str) -> Comment:
        with self.lock:
            self._next_id += 1
            comment = Comment(self._next_id, login, body)
            self.comments[number].append(comment)
            return comment

    def writes(self, method: str, fragment: str) -> int:
        return sum(1 for m, path, _ in self.log if m == method and fragment in path)

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
        result = []
        for path, previous, status in files:
            spec = [previous, path] if previous else [path]
            text = self.git("diff", "--no-color", "--find-renames", f"{pull.base}...{pull.head}", "--", *spec)
            lines = text.decode().split("\n")
            start = next((i for i, line in enumerate(lines) if line.startswith("@@")), len(lines))
            result.append((path, previous, status, "\n".join(lines[start:]).rstrip("\n")))
        return result

    def right_lines(self, pull: Pull, path: str) -> set[int]:
        """Lines of the new file the diff shows: the only places a review comment may go."""
        for name, _, _, patch in self.patches(pull):
            if name != path:
                continue
            lines: set[int] = set()
            current = 0
            for line in patch.split("\n"):
                match = _HUNK.match(line)
                if match:
                    current = int(match.group(1))
                elif line.startswith(("+", " ")):
                    lines.add(current)
                    current += 1
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
            raw = self.rfile.read(length) if length else b""
            self.body: Any = json.loads(raw) if raw else None
            status = self._route(method, unquote(parts.path))
            with server.lock:
                server.log.append((method, parts.path, status))

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> int:
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            content_type = "text/plain" if isinstance(payload, str) else "application/json"
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
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
            return token if scheme.lower() in ("token", "bearer") else None

        def _page(self, items: list[Any], path: str) -> int:
            size = min(int(self.query.get("per_page", server.page_size)), server.page_size)
            page = int(self.query.get("page", 1))
            chunk = items[(page - 1) * size : page * size]
            headers = {}
            if page * size < len(items):
                headers["Link"] = f'<{server.url}{path}?page={page + 1}&per_page={size}>; rel="next"'
            return self._send(200, chunk, headers)

        # --- routes ---------------------------------------------------------------------------

        def _route(self, method: str, path: str) -> int:
            token = self._token()
            if token not in (WRITE_TOKEN, READ_TOKEN):
                return self._error(401, "Bad credentials")
            if method != "GET":
                if token == READ_TOKEN:
                    return self._error(403, "Resource not accessible by integration")
                with server.lock:
                    limited = server.rate_limited_writes > 0
                    server.rate_limited_writes -= limited
                if limited:
                    return self._error(
                        server.rate_limit_status,
                        "You have exceeded a secondary rate limit. "
                        "Please wait a few minutes before you try again.",
                        {"Retry-After": "1"},
                    )
            if path == "/user" and method == "GET":
                return self._send(200, {"login": BOT_LOGIN, "type": "Bot"})
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
            if head == "issues" and len(rest) >= 2 and rest[1].isdigit():
                number = int(rest[1])
                if number not in server.pulls:
                    return self._error(404, "Not Found")
                if len(rest) == 2 and method == "GET":
                    return self._send(200, self._issue(number))
                if rest[2:] == ["comments"]:
                    return self._list_comments(number) if method == "GET" else self._create_comment(number)
            if head == "issues" and rest[1:2] == ["comments"] and len(rest) == 3:
                return self._comment(method, int(rest[2]))
            if head == "commits" and len(rest) == 2 and method == "GET":
                return self._send(
                    200, {"sha": rest[1], "url": f"{server.url}/repos/{server.repo}/commits/{rest[1]}"}
                )
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

        def _issue(self, number: int) -> dict[str, Any]:
            url = f"{server.url}/repos/{server.repo}/issues/{number}"
            pull = server.pulls[number]
            return {
                "number": number,
                "title": pull.title,
                "body": pull.body,
                "url": url,
                "comments_url": f"{url}/comments",
            }

        def _pull(self, pull: Pull) -> int:
            if "diff" in self.headers.get("Accept", ""):
                if server.too_large_diff:
                    return self._error(406, "Sorry, the diff exceeded the maximum number of lines (20000)")
                return self._send(200, server.diff(pull))
            url = f"{server.url}/repos/{server.repo}/pulls/{pull.number}"
            return self._send(
                200,
                {
                    "number": pull.number,
                    "url": url,
                    "html_url": f"https://github.com/{server.repo}/pull/{pull.number}",
                    "issue_url": f"{server.url}/repos/{server.repo}/issues/{pull.number}",
                    "state": "open",
                    "title": pull.title,
                    "body": pull.body,
                    "draft": pull.draft,
                    "base": {"sha": pull.base, "ref": "main"},
                    "head": {"sha": pull.head, "ref": "feature"},
                },
            )

        def _files(self, pull: Pull) -> int:
            items = []
            for path, previous, status, patch in server.patches(pull):
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
                if comment.get("side", "RIGHT") != "RIGHT" or comment.get("line") not in server.right_lines(
                    pull, comment.get("path", "")
                ):
                    return self._error(422, "Unprocessable Entity: Line could not be resolved")
            with server.lock:
                server.reviews.append(body)
                server._next_id += 1
                review_id = server._next_id
            return self._send(200, {"id": review_id, "body": body.get("body"), "state": "COMMENTED"})

        def _comment_json(self, comment: Comment) -> dict[str, Any]:
            return {
                "id": comment.id,
                "url": f"{server.url}/repos/{server.repo}/issues/comments/{comment.id}",
                "body": comment.body,
                "user": {"login": comment.login},
            }

        def _list_comments(self, number: int) -> int:
            barrier = server.comment_list_barrier
            if barrier is not None:
                barrier.wait(timeout=30)
            with server.lock:
                items = [self._comment_json(c) for c in sorted(server.comments[number], key=lambda c: c.id)]
            return self._page(items, f"/repos/{server.repo}/issues/{number}/comments")

        def _create_comment(self, number: int) -> int:
            comment = server.add_comment(number, BOT_LOGIN, str((self.body or {}).get("body", "")))
            return self._send(201, self._comment_json(comment))

        def _comment(self, method: str, comment_id: int) -> int:
            with server.lock:
                found = [(n, c) for n, items in server.comments.items() for c in items if c.id == comment_id]
                if not found:
                    return self._error(404, "Not Found")
                number, comment = found[0]
                if method == "GET":
                    return self._send(200, self._comment_json(comment))
                if comment.login != BOT_LOGIN:
                    return self._error(403, "Must have admin rights to Repository.")
                if method == "PATCH":
                    comment.body = str((self.body or {}).get("body", ""))
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
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(scratch / "summary.md"),
    }
