"""The persona review with Claude, as one function: what each persona is sent (layout, prompt),
which calls that makes (budget), the calls themselves (anthropic_api, llm_cache), and the answers
turned into findings."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from archbot import claude_models, layout, prompt, protocol, secrets
from archbot.anthropic_api import CallFailed, Transport
from archbot.budget import Chunk, Planner, Work, sendable
from archbot.llm_cache import AnswerCache
from archbot.models import Finding, LLMUsage, Severity, SkippedFile
from archbot.personas import prompt_body
from archbot.review import PersonaReviewer, PersonaReviewInput, PersonaReviewResult

Answer = tuple[dict[str, Any], ...]


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
        return PersonaReviewResult(usage=LLMUsage(error="no API key"), notices=(message,))
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
                block = layout.file_block(files[path], full, scores.get(path, {}).get(persona.name, 0.0))
                redacted, count = secrets.redact(block.text)
                self.redactions += count
                blocks.append(dataclasses.replace(block, text=redacted))
            blocks.sort(key=lambda b: -b.score)
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
        total = len(pending)
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            futures = {pool.submit(self._answer, chunk): chunk for chunk in pending}
            for finished, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                chunk = futures[future]
                self._progress(f"persona review {finished}/{total} ({chunk.persona.name})")
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

    def _answer(self, chunk: Chunk) -> Answer:
        try:
            return self.transport.answer(chunk.request)
        except protocol.InvalidOutput as error:
            files = ", ".join(chunk.files)
            raise CallFailed(
                f"{chunk.persona.name}: the model's answer did not match the findings schema twice "
                f"({error}); no persona findings for {files}. Run again, or try another llm.model.",
                "invalid output",
            ) from None

    def _progress(self, message: str) -> None:
        if self.endpoint.progress is not None:
            self.endpoint.progress(message)

    # --- what came back -----------------------------------------------------------------------

    def result(self, answers: Sequence[tuple[Chunk, Answer]]) -> PersonaReviewResult:
        findings = [_finding(chunk.persona.name, item) for chunk, items in answers for item in items]
        usage = self.transport.usage
        used = bool(answers) or usage.calls > 0
        return PersonaReviewResult(
            findings=tuple(findings),
            usage=LLMUsage(
                used=used,
                model=", ".join(usage.models) or None,
                calls=usage.calls,
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_read_tokens=usage.cache_read,
                cost_usd=usage.cost_usd,
                cached=usage.calls == 0 and self.cache_hits > 0,
                error=self.errors[0] if self.errors else None,
            ),
            notices=tuple(self.notices),
            skipped=tuple(self.skipped),
            redactions=self.redactions,
        )


def _finding(persona: str, item: Mapping[str, Any]) -> Finding:
    return Finding(
        rule=persona,
        source="llm",
        persona=persona,
        severity=Severity.parse(item["severity"]),
        file=item["file"],
        line=item["line"],
        end_line=max(item.get("end_line", item["line"]), item["line"]),
        title=item["title"],
        rationale=item["rationale"],
        suggestion=item["suggestion"],
        confidence=float(item["confidence"]),
        category=item.get("category"),
    )
