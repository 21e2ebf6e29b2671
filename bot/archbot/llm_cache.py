"""The persona review's answers on disk, by request: an unchanged request costs nothing again.
Beside them, the input tokens each request was planned with, so a repeat plans the same calls
without asking the endpoint to count again."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from archbot import protocol
from archbot.prompt import Request


class AnswerCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / "llm"

    def get(self, key: str) -> protocol.Answer | None:
        """The validated answer stored for `key`, or None (absent, unreadable or stale)."""
        try:
            data = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            return protocol.validate(data)
        except (OSError, ValueError):
            return None

    def put(self, key: str, answer: protocol.Answer) -> str | None:
        """Store `answer`; a notice when the cache cannot be written (the review goes on)."""
        return self._write(self.directory / f"{key}.json", answer.to_json())

    def tokens(self, request: Request) -> int | None:
        """The input tokens `request` was counted at before, or None."""
        try:
            data = json.loads(self._tokens_path(request).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        counted = data.get("input_tokens") if isinstance(data, dict) else None
        return counted if isinstance(counted, int) and not isinstance(counted, bool) and counted > 0 else None

    def put_tokens(self, request: Request, tokens: int) -> str | None:
        return self._write(self._tokens_path(request), {"input_tokens": tokens})

    def _tokens_path(self, request: Request) -> Path:
        # What the count depends on: the model and the text sent (not the persona's other fields).
        identity = "\0".join(("input-tokens", request.model, request.system, *request.turns))
        return self.directory / "tokens" / f"{hashlib.sha256(identity.encode()).hexdigest()}.json"

    @staticmethod
    def _write(path: Path, data: object) -> str | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            return f"cannot write the review cache ({error.strerror}); set ARCHBOT_CACHE_DIR"
        return None
