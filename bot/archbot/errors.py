"""The one error type; cli.py turns it into an exit code and a single line."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TOOL = 3
EXIT_INTERRUPTED = 130


class ArchbotError(Exception):
    """A failure the user can act on; `exit_code` is 2 for usage/config, 3 for tool failures."""

    def __init__(self, message: str, *, exit_code: int = EXIT_TOOL) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def usage_error(message: str) -> ArchbotError:
    return ArchbotError(message, exit_code=EXIT_USAGE)
