"""The `archbot` console script. The pre-commit hook runs a plain `archbot review` on every commit:
when the staged change surely has nothing ML/LLM-related (screen.py), that answer is printed without
importing the review pipeline. Everything else goes to the full command line (cli.main)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from archbot.errors import EXIT_INTERRUPTED, EXIT_OK


def main() -> int:
    if fast_path_applies(sys.argv[1:], os.environ):
        from archbot import screen

        try:
            plain = screen.staged_is_plain(os.environ)
        except KeyboardInterrupt:
            sys.stderr.write("archbot: interrupted\n")
            return EXIT_INTERRUPTED
        if plain:
            sys.stdout.write(screen.NO_ML_CHANGES + "\n")
            return EXIT_OK
    from archbot.cli import main as full_main

    return full_main()


def fast_path_applies(args: Sequence[str], environ: Mapping[str, str]) -> bool:
    """The hook's own command on the staged diff: no options, and not pre-push's ref range."""
    pushed_range = environ.get("PRE_COMMIT_FROM_REF") and environ.get("PRE_COMMIT_TO_REF")
    return list(args) == ["review"] and not pushed_range
