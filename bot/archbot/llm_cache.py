"""The persona review's answers on disk, by request: an unchanged request costs nothing again."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from archbot import protocol


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
        path = self.directory / f"{key}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            temporary.write_text(json.dumps(answer.to_json()), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            return f"cannot write the review cache ({error.strerror}); set ARCHBOT_CACHE_DIR"
        return None
