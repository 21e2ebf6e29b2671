"""What a run leaves in GitHub Actions besides the pull request: progress in the log (a collapsible
group per step), annotations, the job summary and the step outputs. Written before anything is
published, so that a failure to publish loses none of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archbot import render
from archbot.errors import ArchbotError
from archbot.models import Report


class Progress:
    """In Actions each step is a `::group::` of the log; in a terminal, one line per step;
    elsewhere silence. `echo` writes one line where the log is read."""

    def __init__(self, echo: Callable[[str], None], actions: bool, terminal: bool) -> None:
        self._echo = echo
        self._actions = actions
        self._terminal = terminal

    @classmethod
    def silent(cls) -> Progress:
        return cls(lambda line: None, actions=False, terminal=False)

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        if self._actions:
            self._echo(f"::group::archbot: {render.command_data(title)}")
            try:
                yield
            finally:
                self._echo("::endgroup::")
            return
        if self._terminal:
            self._echo(f"archbot: {title}")
        yield

    def line(self, message: str) -> None:
        if self._actions or self._terminal:
            self._echo(f"archbot: {message}")


def summary(body: str) -> str:
    """A rendered review for GITHUB_STEP_SUMMARY: without our hidden lines."""
    return "\n".join(
        line
        for line in body.split("\n")
        if line != render.COMMENT_MARKER and not line.startswith("<!-- archbot:")
    )


def notices_section(notices: tuple[str, ...]) -> str:
    """Appended to the job summary once publishing is over."""
    return "\n".join(["", "### archbot: publishing", "", *(f"- {render.md_text(n)}" for n in notices), ""])


def outputs(report: Report) -> str:
    counts = report.summary
    lines = [f"{name}={counts[name]}" for name in counts]
    lines += [f"findings={len(report.findings)}", f"cost-usd={report.llm.cost_usd:.4f}"]
    return "\n".join(lines) + "\n"


def notice(message: str) -> str:
    return f"::notice title=archbot::{render.command_data(render.visible(message))}"


def warning(message: str) -> str:
    return f"::warning title=archbot::{render.command_data(render.visible(message))}"


def append_to(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
    except OSError as error:
        raise ArchbotError(f"cannot write {path}: {error.strerror}") from None
