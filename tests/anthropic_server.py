"""A local Anthropic-compatible Messages API on 127.0.0.1: records every request, answers from a script."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclasses.dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    hold: threading.Event | None = None  # answer only once this is set (slower than the client's timeout)


@dataclasses.dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def message(text: str, input_tokens: int = 1200, output_tokens: int = 150, cache_read: int = 0) -> Reply:
    return Reply(
        200,
        {
            "id": "msg_test",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": cache_read,
            },
        },
    )


def findings(*items: dict[str, Any], summary: str = "Reviewed.") -> Reply:
    return message(json.dumps({"findings": list(items), "summary": summary}))


def tool_findings(*items: dict[str, Any]) -> Reply:
    reply = findings(*items)
    reply.body["content"] = [
        {
            "type": "tool_use",
            "id": "toolu_1",
            "name": "report_findings",
            "input": {"findings": list(items), "summary": "Reviewed."},
        }
    ]
    reply.body["stop_reason"] = "tool_use"
    return reply


def error(status: int, kind: str, text: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"type": "error", "error": {"type": kind, "message": text}}, headers or {})


class AnthropicServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Reply] = []
        self.default: Callable[[], Reply] = lambda: findings()
        self.count_tokens = True
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def messages(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v1/messages"]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, path: str, body: dict[str, Any]) -> Reply:
        if path == "/v1/messages/count_tokens":
            if not self.count_tokens:
                return error(404, "not_found_error", "Not found")
            return Reply(200, {"input_tokens": len(json.dumps(body)) // 4})
        with self._lock:
            return self.script.pop(0) if self.script else self.default()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(Recorded(path, dict(self.headers.items()), body))
                reply = server._answer(path, body)
                if reply.hold is not None:
                    reply.hold.wait()
                data = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler


@pytest.fixture
def anthropic_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AnthropicServer]:
    server = AnthropicServer()
    server.start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-secret")
    yield server
    server.stop()
