"""The persona review with Claude, as one function: what each persona is sent (layout, prompt),
which calls that makes (budget), the calls themselves (anthropic_api, llm_cache), and the answers
turned into findings."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from archbot import claude_models, layout, prompt, protocol, secrets
from archbot.anthropic_api import STOPPED, CallFailed, Transport
from archbot.budget import Chunk, Planner, Work, sendable
from archbot.llm_cache import AnswerCache
from archbot.models import Finding, LLMUsage, Severity, SkippedFile
from archbot.personas import prompt_body
from archbot.review import PersonaReviewer, PersonaReviewInput, PersonaReviewResult

Answer = tuple[dict[str, Any], ...]
NO_KEY = "no API key (ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL)"
INVALID_OUTPUT = "the model's answers did not match the findings schema"


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where and how to call: read from the environment by the CLI, passed down."""

    api_key: str | None
    base_url: str | None
    cache_dir: Path
    progress: Callable[[str], None] | None = None


def reviewer(endpoint: Endpoint) -> PersonaReviewer:
    return lambda request: review(request, endpoint)


def review(request: PersonaReviewInput, endpoint: Endpoint) -> PersonaReviewResult:
    if not endpoint.api_key and not endpoint.base_url:
        message = "persona review needs ANTHROPIC_API_KEY (or ANTHROPIC_BASE_URL); rules only"
        return PersonaReviewResult(usage=LLMUsage(error=NO_KEY), notices=(message,))
    session = _Session(request, endpoint)
    chunks = session.plan()
    answers = session.run(chunks)
    return session.result(answers)


class _Session:
    """One review: what is sent, the calls, and what came back."""

    def __init__(self, request: PersonaReviewInput, endpoint: Endpoint) -> None:
        self.request = request
        self.config = request.config.llm
        self.endpoint = endpoint
        self.transport = Transport(endpoint.api_key, endpoint.base_url, self.config)
        self.cache = AnswerCache(endpoint.cache_dir)
        self.lock = threading.Lock()
        self.skipped: list[SkippedFile] = []
        self.notices: list[str] = []
        self.errors: list[str] = []
        self.redactions = 0
        self.cache_hits = 0

    # --- what is sent -------------------------------------------------------------------------

    def plan(self) -> list[Chunk]:
        guidance = self._guidance()
        hints = self.request.rule_findings

        def user_text(blocks: Sequence[layout.FileBlock]) -> str:
            paths = {b.path for b in blocks}
            return prompt.user_text(blocks, [h for h in hints if h.file in paths], guidance)

        planner = Planner(self.config, self.transport.count, lambda key: self.cache.get(key) is not None)
        chunks = planner.plan(self._work(), user_text)
        self.skipped += planner.skipped
        self.notices += planner.notices
        return chunks

    def _work(self) -> list[Work]:
        request = self.request
        files = {f.path: f for f in request.change.files}
        scores = {r.path: r.scores for r in request.routing.routes}
        work = []
        for assignment in request.routing.assignments:
            persona = request.personas[assignment.name]
            model = claude_models.resolve(self.config.model or persona.model)
            system = prompt.system_text(prompt_body(persona), self.config.max_findings)
            blocks: list[layout.FileBlock] = []
            for path in assignment.files:
                text = request.routing.texts.get(path)
                reason = sendable(path, text, len(files[path].added_lines))
                if reason is not None:
                    self.skipped.append(SkippedFile(path, f"persona review: {reason}"))
                    continue
                full = text if path in request.routing.complete else None
                block = layout.file_block(files[path], full)
                redacted, count = secrets.redact(block.text)
                self.redactions += count
                score = scores.get(path, {}).get(persona.name, 0.0)
                rank = risk(path, request.rule_findings, score)
                blocks.append(dataclasses.replace(block, text=redacted, rank=rank))
            blocks.sort(key=lambda b: b.rank, reverse=True)
            work.append(Work(persona, model, system, tuple(blocks)))
        return work

    def _guidance(self) -> list[tuple[str, str]]:
        out = []
        for path in self.config.context_files:
            data = self.request.change.post.read(path)
            if data is None:
                self.notices.append(f"llm.context_files: {path} not found; not sent")
                continue
            if sendable(path, None, 0) is not None:
                continue
            text, count = secrets.redact(data.decode("utf-8", errors="replace"))
            self.redactions += count
            out.append((path, text[: prompt.MAX_GUIDANCE_CHARS]))
        return out

    # --- the calls ----------------------------------------------------------------------------

    def run(self, chunks: Sequence[Chunk]) -> list[tuple[Chunk, Answer]]:
        done: list[tuple[Chunk, Answer]] = []
        pending: list[Chunk] = []
        for chunk in chunks:
            cached = self.cache.get(chunk.key)
            if cached is None:
                pending.append(chunk)
            else:
                self.cache_hits += 1
                self.transport.usage.note_model(chunk.request.model)
                done.append((chunk, cached))
                self._progress(f"persona review: {_what(chunk)}: answer cached, no call")
        total = len(pending)
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            futures = {
                pool.submit(self._answer, chunk, f"{number}/{total}"): chunk
                for number, chunk in enumerate(pending, start=1)
            }
            for future in concurrent.futures.as_completed(futures):
                chunk = futures[future]
                try:
                    answer = future.result()
                except CallFailed as failure:
                    with self.lock:
                        self.errors.append(failure.error)
                        if failure.notice not in self.notices:
                            self.notices.append(failure.notice)
                    continue
                notice = self.cache.put(chunk.key, answer)
                if notice is not None and notice not in self.notices:
                    self.notices.append(notice)
                done.append((chunk, answer))
        return done

    def _answer(self, chunk: Chunk, number: str) -> Answer:
        """One call, with a progress line when it starts and when it ends (CI logs show both)."""
        self._progress(f"persona review {number}: {_what(chunk)} ({chunk.request.model}) …")
        started = time.monotonic()
        try:
            answer = self.transport.answer(chunk.request)
        except protocol.InvalidOutput as error:
            files = ", ".join(chunk.files)
            self._progress(f"persona review {number}: {chunk.persona.name} failed: {INVALID_OUTPUT}")
            raise CallFailed(
                f"{chunk.persona.name}: the model's answer did not match the findings schema twice "
                f"({error}); no persona findings for {files}. Run again, or try another llm.model.",
                INVALID_OUTPUT,
            ) from None
        except CallFailed as failure:
            self._progress(f"persona review {number}: {chunk.persona.name} failed: {failure.error}")
            raise
        seconds = time.monotonic() - started
        self._progress(
            f"persona review {number}: {chunk.persona.name} answered in {seconds:.1f} s "
            f"({_count(len(answer), 'finding')})"
        )
        return answer

    def _progress(self, message: str) -> None:
        if self.endpoint.progress is not None:
            self.endpoint.progress(message)

    # --- what came back -----------------------------------------------------------------------

    def result(self, answers: Sequence[tuple[Chunk, Answer]]) -> PersonaReviewResult:
        """Findings on the files each persona was sent (any other is dropped and counted), with
        model output and notices redacted like everything sent."""
        findings = [
            _finding(chunk.persona.name, item)
            for chunk, items in answers
            for item in items
            if item["file"] in chunk.files
        ]
        stray = sum(len(items) for _, items in answers) - len(findings)
        if stray:
            self.notices.append(
                f"{_count(stray, 'persona finding')} named a file its persona was not sent and "
                f"{'was' if stray == 1 else 'were'} dropped"
            )
        usage = self.transport.usage
        errors = [e for e in self.errors if e != STOPPED] or self.errors
        return PersonaReviewResult(
            findings=tuple(findings),
            usage=LLMUsage(
                used=bool(answers),
                model=", ".join(usage.models) or None,
                calls=usage.calls,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_read_tokens=usage.cache_read,
                cost_usd=usage.cost_usd,
                cached=usage.calls == 0 and self.cache_hits > 0,
                error=errors[0] if errors else None,
            ),
            notices=tuple(self._redact(n) for n in self.notices),
            skipped=tuple(self.skipped),
            redactions=self.redactions,
        )

    def _redact(self, text: str) -> str:
        """A notice with secrets redacted, the configured key too whatever its shape."""
        key = self.endpoint.api_key
        if key and len(key) >= 8:
            text = text.replace(key, secrets.placeholder("api-key", key))
        return secrets.redact(text)[0]


def risk(path: str, hints: Sequence[Finding], score: float) -> tuple[float, float, float]:
    """Which file goes first: the worst critical or high rule finding on it, how many there are,
    then how well it fits its persona (routing score)."""
    severe = [h.severity for h in hints if h.file == path and h.severity >= Severity.HIGH]
    return (float(max(severe, default=0)), float(len(severe)), score)


def _what(chunk: Chunk) -> str:
    files = chunk.files
    more = f" and {len(files) - 2} more" if len(files) > 2 else ""
    return f"{chunk.persona.name} on {', '.join(files[:2])}{more}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _finding(persona: str, item: Mapping[str, Any]) -> Finding:
    def clean(text: str) -> str:
        return secrets.redact(text)[0]

    return Finding(
        rule=persona,
        source="llm",
        persona=persona,
        severity=Severity.parse(item["severity"]),
        file=item["file"],
        line=item["line"],
        end_line=max(item.get("end_line", item["line"]), item["line"]),
        title=clean(item["title"]),
        rationale=clean(item["rationale"]),
        suggestion=clean(item["suggestion"]),
        confidence=float(item["confidence"]),
        category=clean(item["category"]) if "category" in item else None,
    )
