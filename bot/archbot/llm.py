"""The persona review with Claude, as one function: what each persona is sent (persona_request),
which calls that makes (budget), the calls (anthropic_api, llm_cache), one second look when an
answer names context the repository model has, and the answers turned into findings."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from archbot import claude_models, prompt, protocol, secrets
from archbot.anthropic_api import MAX_OUTPUT_TOKENS, STOPPED, CallFailed, Transport
from archbot.budget import Chunk, Planner
from archbot.llm_cache import AnswerCache
from archbot.models import ChangedFile, Finding, LLMUsage, Severity
from archbot.persona_request import Builder
from archbot.review import PersonaReviewer, PersonaReviewInput, PersonaReviewResult

NO_KEY = "no API key (ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL)"
INVALID_OUTPUT = "the model's answers did not match the findings schema"
Answered = tuple[Chunk, protocol.Answer]


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
    answers = session.second_look(answers)
    return session.result(answers)


class _Session:
    """One review: the requests, the calls, and what came back."""

    def __init__(self, request: PersonaReviewInput, endpoint: Endpoint) -> None:
        self.request = request
        self.config = request.config.llm
        self.endpoint = endpoint
        self.builder = Builder(request, self.config)
        self.transport = Transport(endpoint.api_key, endpoint.base_url, self.config)
        self.cache = AnswerCache(endpoint.cache_dir)
        self.lock = threading.Lock()
        self.notices: list[str] = []
        self.errors: list[str] = []
        self.cache_hits = 0
        self.reserved_cost = 0.0

    def plan(self) -> list[Chunk]:
        work = self.builder.work()
        planner = Planner(self.config, self.count, self.builder.skipped)
        chunks = planner.plan(work, self.builder.user_text)
        self.reserved_cost = planner.reserved_cost
        self.notices += [*self.builder.notices, *planner.notices]
        return chunks

    def count(self, request: prompt.Request) -> int:
        """Input tokens of `request`: as counted before (kept beside the answers), else counted
        now and kept, so a repeat of a review plans the same calls and sends nothing."""
        known = self.cache.tokens(request)
        if known is not None:
            return known
        tokens = self.transport.count(request)
        if self.transport.counts_final:
            notice = self.cache.put_tokens(request, tokens)
            if notice is not None:
                self._notice(notice)
        return tokens

    # --- the calls ----------------------------------------------------------------------------

    def run(self, chunks: Sequence[Chunk]) -> list[Answered]:
        done: list[Answered] = []
        pending: list[Chunk] = []
        for chunk in chunks:
            cached = self._cached(chunk)
            if cached is None:
                pending.append(chunk)
            else:
                done.append((chunk, cached))
        total = len(pending)
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            futures = {
                pool.submit(self._call, chunk, f"persona review {number}/{total}"): chunk
                for number, chunk in enumerate(pending, start=1)
            }
            for future in concurrent.futures.as_completed(futures):
                answer = future.result()
                if answer is not None:
                    done.append((futures[future], answer))
        order = {id(chunk): index for index, chunk in enumerate(chunks)}
        return sorted(done, key=lambda pair: order[id(pair[0])])

    def second_look(self, answers: list[Answered]) -> list[Answered]:
        """At most one more call per review: for the answer whose `missing_context` the repository
        model can supply the most of, send it and take the revised findings (cached like any call,
        inside the cost cap)."""
        best: tuple[int, Chunk, protocol.Answer] | None = None
        for index, (chunk, answer) in enumerate(answers):
            if not answer.missing_context:
                continue
            follow_up = self.builder.second_look(chunk.request, chunk.files, answer)
            if follow_up is not None and (
                best is None or len(follow_up.turns[-1]) > len(best[1].request.turns[-1])
            ):
                best = (index, dataclasses.replace(chunk, request=follow_up), answer)
        if best is None:
            return answers
        index, chunk, _ = best
        revised = self._cached(chunk)
        if revised is None:
            estimate = claude_models.cost(
                chunk.request.model, self.count(chunk.request), MAX_OUTPUT_TOKENS, 0, 0
            )
            if self.reserved_cost + estimate > self.config.max_cost_usd:
                self.notices.append(
                    f"second look for {chunk.persona.name} not sent: over the cost cap "
                    f"(llm.max_cost_usd {self.config.max_cost_usd:g})"
                )
                return answers
            self.reserved_cost += estimate
            revised = self._call(chunk, f"persona review, second look for {chunk.persona.name}")
        if revised is None:
            return answers
        return [*answers[:index], (chunk, revised), *answers[index + 1 :]]

    def _cached(self, chunk: Chunk) -> protocol.Answer | None:
        cached = self.cache.get(chunk.key)
        if cached is not None:
            self.cache_hits += 1
            self.transport.usage.note_model(chunk.request.model)
            self._progress(f"persona review: {_what(chunk)}: answer cached, no call")
        return cached

    def _call(self, chunk: Chunk, label: str) -> protocol.Answer | None:
        """One call, with a progress line when it starts and when it ends (CI logs show both); a
        failure becomes a notice and None."""
        self._progress(f"{label}: {_what(chunk)} ({chunk.request.model}) …")
        started = time.monotonic()
        try:
            answer = self.transport.answer(chunk.request)
        except protocol.InvalidOutput as error:
            failure = CallFailed(
                f"{chunk.persona.name}: the model's answer did not match the findings schema twice "
                f"({error}); no persona findings for {', '.join(chunk.files)}. Run again, or try "
                "another llm.model.",
                INVALID_OUTPUT,
            )
            self._failed(label, chunk, failure)
            return None
        except CallFailed as failure:
            self._failed(label, chunk, failure)
            return None
        seconds = time.monotonic() - started
        self._progress(
            f"{label}: {chunk.persona.name} answered in {seconds:.1f} s "
            f"({_count(len(answer.findings), 'finding')})"
        )
        notice = self.cache.put(chunk.key, answer)
        if notice is not None:
            self._notice(notice)
        return answer

    def _failed(self, label: str, chunk: Chunk, failure: CallFailed) -> None:
        self._progress(f"{label}: {chunk.persona.name} failed: {failure.error}")
        with self.lock:
            self.errors.append(failure.error)
        self._notice(failure.notice)

    def _notice(self, notice: str) -> None:
        with self.lock:
            if notice not in self.notices:
                self.notices.append(notice)

    def _progress(self, message: str) -> None:
        if self.endpoint.progress is not None:
            self.endpoint.progress(message)

    # --- what came back -----------------------------------------------------------------------

    def result(self, answers: Sequence[Answered]) -> PersonaReviewResult:
        """Findings on the files each persona was sent (any other is dropped and counted), with
        model output and notices redacted like everything sent."""
        files = self.builder.files
        findings: list[Finding] = []
        stray = confirmed = 0
        for chunk, answer in answers:
            hints = {h.id: h for h in self.builder.hints(chunk.files)}
            for item in answer.findings:
                if item["file"] not in chunk.files:
                    stray += 1
                    continue
                if _confirms_only(item, hints):
                    confirmed += 1
                    continue
                findings.append(_finding(chunk.persona.name, item, files[item["file"]]))
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
            skipped=tuple(self.builder.skipped),
            redactions=self.builder.redactions,
        )

    def _redact(self, text: str) -> str:
        """A notice with secrets redacted, the configured key too whatever its shape."""
        key = self.endpoint.api_key
        if key and len(key) >= 8:
            text = text.replace(key, secrets.placeholder("api-key", key))
        return secrets.redact(text)[0]


def _what(chunk: Chunk) -> str:
    files = chunk.files
    more = f" and {len(files) - 2} more" if len(files) > 2 else ""
    return f"{chunk.persona.name} on {', '.join(files[:2])}{more}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _confirms_only(item: Mapping[str, Any], hints: Mapping[str, prompt.Hint]) -> bool:
    """A finding about rule hints that the severity table puts no higher than they are: the rule
    findings already say it."""
    confirmed = [hints[i] for i in item.get("confirms", []) if i in hints]
    if not confirmed:
        return False
    return Severity.parse(item["severity"]) <= max(Severity.parse(h.severity) for h in confirmed)


def _finding(persona: str, item: Mapping[str, Any], changed: ChangedFile) -> Finding:
    """The model's finding as a Finding; a removed line (`-N`) keeps its old number and is placed
    where the removal sits in the new file (the filter drops one the diff does not show)."""
    line: int = item["line"]
    end: int = item.get("end_line", line)
    old_line = None
    if line < 0:
        old_line = -line
        line = end = changed.removal_anchors.get(old_line, 1)

    def clean(text: str) -> str:
        return secrets.redact(text)[0]

    return Finding(
        rule=persona,
        source="llm",
        persona=persona,
        severity=Severity.parse(item["severity"]),
        file=item["file"],
        line=line,
        end_line=max(end, line),
        title=clean(item["title"]),
        rationale=clean(_rationale(item["trigger"], item["failure"])),
        suggestion=clean(item["suggestion"]),
        confidence=float(item["confidence"]),
        category=clean(item["category"]) if "category" in item else None,
        old_line=old_line,
    )


def _rationale(trigger: str, failure: str) -> str:
    """'When <trigger>, <failure>.' from the two fields the protocol asks for."""
    trigger = " ".join(trigger.split()).rstrip(".")
    failure = " ".join(failure.split()).rstrip(".")
    if trigger[:5].lower() == "when ":
        trigger = trigger[5:]
    if trigger[:1].isupper() and not trigger[1:2].isupper():
        trigger = trigger[:1].lower() + trigger[1:]
    return f"When {trigger}, {failure}."
