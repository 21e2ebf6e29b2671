"""Where archbot keeps its caches (persona frontmatter, persona reviews): one answer for every caller."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def cache_dir(environ: Mapping[str, str]) -> Path:
    """ARCHBOT_CACHE_DIR, else $XDG_CACHE_HOME/archbot, else ~/.cache/archbot."""
    if environ.get("ARCHBOT_CACHE_DIR"):
        return Path(environ["ARCHBOT_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "archbot"
