"""Persona-review token use against the local recording server: tokens per changed line, calls per
review, calls on a second run (must be 0), versus sending the whole changed files. Prints figures."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from anthropic_server import AnthropicServer  # noqa: E402
from archbot import diff  # noqa: E402
from archbot.cli import main  # noqa: E402


def run(diff_path: Path, cwd: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        previous = Path.cwd()
        os.chdir(cwd)
        try:
            main(["review", "--llm", "--diff", str(diff_path), "--fail-on", "never", "--format", "json"])
        finally:
            os.chdir(previous)


def measure(name: str, diff_path: Path, cwd: Path, cache: Path) -> tuple[int, int, int, int, int] | None:
    files = diff.parse(diff.decode(diff_path.read_bytes()))
    changed = sum(len(f.added_lines) for f in files)
    whole = sum(
        len((cwd / f.path).read_text(errors="replace")) // 4 for f in files if (cwd / f.path).is_file()
    )
    server = AnthropicServer()
    server.start()
    os.environ.update(ANTHROPIC_BASE_URL=server.url, ANTHROPIC_API_KEY="bench", ARCHBOT_CACHE_DIR=str(cache))
    try:
        run(diff_path, cwd)
        first = server.messages()
        sent = sum(len(json.dumps(r.body["messages"])) // 4 for r in first)
        system = sum(len(json.dumps(r.body["system"])) // 4 for r in first)
        run(diff_path, cwd)
        second = len(server.messages()) - len(first)
    finally:
        server.stop()
    if not first:
        return None
    print(
        f"{name:34} changed={changed:5} calls={len(first)} second_run_calls={second} "
        f"user_tokens={sent:6} ({sent / max(changed, 1):5.1f}/line) system_tokens={system:6} "
        f"whole_files_tokens={whole:7}"
    )
    return changed, len(first), second, sent, whole


def main_bench() -> None:
    totals = [0, 0, 0, 0, 0]
    reviews = 0
    cases: list[tuple[str, Path, Path]] = [
        (p.name, p, ROOT) for p in sorted((ROOT / "examples").glob("*.diff"))
    ]
    realworld = ROOT / ".realworld"
    if realworld.is_dir():
        cases += [
            (c.name, c / "change.diff", c / "after")
            for c in sorted(realworld.iterdir())
            if (c / "change.diff").is_file()
        ]
    with tempfile.TemporaryDirectory() as cache:
        for name, diff_path, cwd in cases:
            figures = measure(name, diff_path, cwd, Path(cache) / name)
            if figures is None:
                print(f"{name:34} no persona review (nothing routed)")
                continue
            reviews += 1
            totals = [a + b for a, b in zip(totals, figures, strict=True)]
    changed, calls, second, sent, whole = totals
    print(
        f"\n{reviews} reviews: {sent / max(changed, 1):.1f} user-turn tokens per changed line, "
        f"{calls / max(reviews, 1):.2f} calls per review, {second} calls on second runs; "
        f"hunks+context {sent} tokens vs whole changed files {whole} tokens "
        f"({sent / max(whole, 1):.0%})"
    )


if __name__ == "__main__":
    main_bench()
