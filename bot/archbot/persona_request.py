"""What each persona is sent: its files laid out (layout.py), and beside them the context pack
(context.py), the rule hints, the change's files it was not sent and why, the pull request's
description and the repository's guidance files — every piece redacted once, bounded, and inside
DATA markers of its own (prompt.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence

from archbot import claude_models, context, layout, prompt, protocol, secrets
from archbot.budget import Work, sendable
from archbot.config import LLMConfig
from archbot.models import ChangedFile, Finding, Severity, SkippedFile
from archbot.personas import prompt_body
from archbot.review import PersonaReviewInput, skip_reason

# What each role (roles.py) tells a reviewer about where the code runs.
ROLE_MEANING = {
    "service": "role service: application code that runs in production",
    "library": "role library: a distributable package that other code imports",
    "infra": "role infra: deployment and build configuration",
    "test": "role test: test code, never run in production",
    "example": "role example: example code people run and copy",
    "script": "role script: a script run by hand or in CI",
    "docs": "role docs: documentation",
    "generated": "role generated: generated code",
    "vendored": "role vendored: code copied from elsewhere",
}
# Roles whose files are summarised in one line when the request holds other code.
SUMMARISED_ROLES = {"test": "test code", "docs": "documentation", "generated": "generated code"}
MAX_NOT_SENT = 30
MAX_DESCRIPTION_CHARS = 3000
SECOND_LOOK = (
    "You named context you were missing. Here is what archbot found in the repository for it. "
    "Revise your review of the same change with it: answer with the complete list of findings "
    "(those you keep, change or drop, and any new ones), in the same format."
)


class Builder:
    """Builds every request of one review; remembers what it redacted and which context it sent."""

    def __init__(self, request: PersonaReviewInput, config: LLMConfig) -> None:
        self.request = request
        self.config = config
        self.files: dict[str, ChangedFile] = {f.path: f for f in request.change.files}
        self.roles: Mapping[str, str] = {path: r.role for path, r in request.routing.roles.items()}
        classifier = request.routing.classifier

        def role_of(path: str) -> str:
            known = request.routing.roles.get(path)
            if known is not None:
                return known.role
            return classifier.classify(path, request.routing.repo.text(path) or "", None).role

        self.pack = context.Pack(request.routing.repo, self.files, request.routing.texts, role_of)
        self.summarised: set[str] = set()
        self.moves = layout.find_moves(request.change.files)
        self.skipped: list[SkippedFile] = []
        self.notices: list[str] = []
        self.redactions = 0
        self.sent_context: dict[tuple[str, ...], frozenset[str]] = {}
        self._redacted: dict[str, str] = {}
        self._guidance = self._read_guidance()
        self._owner = {path: a.name for a in request.routing.assignments for path in a.files}

    # --- the files ------------------------------------------------------------------------------

    def work(self) -> list[Work]:
        """Each persona's files, riskiest first; tests, docs, generated code and reformatting in
        one line each unless the persona's files are only that."""
        request = self.request
        scores = {r.path: r.scores for r in request.routing.routes}
        deleted = [f.path for f in request.change.files if f.is_deleted]
        out = []
        for assignment in request.routing.assignments:
            persona = request.personas[assignment.name]
            model = claude_models.resolve(self.config.model or persona.model)
            system = prompt.system_text(prompt_body(persona), self.config.max_findings)
            paths = []
            for path in assignment.files:
                reason = sendable(path, request.routing.texts.get(path), len(self.files[path].added_lines))
                if reason is None:
                    paths.append(path)
                else:
                    self.skipped.append(SkippedFile(path, f"persona review: {reason}"))
            summaries = {p: self._summary(p) for p in paths}
            if all(summaries.values()):
                summaries = dict.fromkeys(paths)
            blocks = []
            for path in paths:
                what = summaries[path]
                changed = self.files[path]
                if what is not None:
                    block = layout.summary_line(changed, what)
                    self.summarised.add(path)
                else:
                    full = request.routing.texts.get(path) if path in request.routing.complete else None
                    block = layout.file_block(changed, full, self.moves, deleted)
                # A summary line goes after every file shown (and first when the budget drops one).
                rank = (
                    float(what is None),
                    *risk(path, request.rule_findings, scores.get(path, {}).get(persona.name, 0.0)),
                )
                blocks.append(dataclasses.replace(block, text=self.redact(block.text), rank=rank))
            blocks.sort(key=lambda b: b.rank, reverse=True)
            out.append(Work(persona, model, system, tuple(blocks)))
        return out

    def _summary(self, path: str) -> str | None:
        what = SUMMARISED_ROLES.get(self.roles.get(path, ""))
        if what is None and layout.reformatting_only(self.files[path]):
            what = "whitespace and line breaks only (reformatting)"
        return what

    # --- the user turn --------------------------------------------------------------------------

    def user_text(self, blocks: Sequence[layout.FileBlock]) -> str:
        paths = tuple(b.path for b in blocks)
        sections = [
            *self._description(),
            *self._facts(paths),
            *self._context(paths),
            *self._not_sent(paths),
            *self._hints(paths),
            *(prompt.Section(f"Repository guidance ({path})", text) for path, text in self._guidance),
        ]
        return prompt.user_text(blocks, sections)

    def hints(self, paths: Sequence[str]) -> tuple[prompt.Hint, ...]:
        wanted = set(paths)
        return prompt.hints([f for f in self.request.rule_findings if f.file in wanted], self.roles)

    def _hints(self, paths: Sequence[str]) -> list[prompt.Section]:
        found = self.hints(paths)
        title = "Rule hints (static rules on the same files; confirm them by id, do not repeat them)"
        return [prompt.Section(title, prompt.hint_lines(found))] if found else []

    def _description(self) -> list[prompt.Section]:
        described = self.request.description
        if described is None:
            return []
        title, body = described
        text = f"title: {title.strip()}\n\n{body.strip()}"[:MAX_DESCRIPTION_CHARS]
        return [prompt.Section("The pull request (its author's description, untrusted)", self.redact(text))]

    def _facts(self, paths: Sequence[str]) -> list[prompt.Section]:
        lines = []
        for path in paths:
            role = self.request.routing.roles.get(path)
            if role is not None:
                why = f" ({role.signals[0]})" if role.signals else ""
                lines.append(f"{path}: {ROLE_MEANING.get(role.role, role.role)}{why}")
            if path not in self.summarised:
                lines += self.pack.facts(path)
        lines += [f"library version: {v}" for v in self.pack.versions(paths)]
        return [prompt.Section("Facts about these files", self.redact("\n".join(lines)))] if lines else []

    def _context(self, paths: Sequence[str]) -> list[prompt.Section]:
        """The pack's entries for these files, best first, within llm.context_tokens."""
        entries: dict[str, context.Entry] = {}
        shown = [self.files[p] for p in paths if p not in self.summarised]
        for changed in shown:
            for entry in self.pack.entries(changed.path):
                if any(entry.shown_by(other) for other in shown):
                    continue
                if entry.key not in entries or entries[entry.key].weight < entry.weight:
                    entries[entry.key] = entry
        budget = self.config.context_tokens * 3
        chosen: list[str] = []
        keys: set[str] = set()
        left_out = 0
        for entry in sorted(entries.values(), key=lambda e: -e.weight):
            text = f"--- {entry.title}\n{self.redact(entry.text)}"
            if len(text) > budget:
                left_out += 1
                continue
            budget -= len(text)
            chosen.append(text)
            keys.add(entry.key)
        self.sent_context[tuple(paths)] = frozenset(keys)
        if left_out:
            chosen.append(f"({left_out} more left out: llm.context_tokens {self.config.context_tokens})")
        title = "From the repository (definitions the changed lines use, how clients are built, callers)"
        return [prompt.Section(title, "\n".join(chosen))] if chosen else []

    def _not_sent(self, paths: Sequence[str]) -> list[prompt.Section]:
        here = set(paths)
        reasons = {s.path: s.reason for s in (*self.request.routing.skipped, *self.skipped)}
        lines = []
        for changed in self.request.change.files:
            path = changed.path
            if path in here:
                continue
            skipped = skip_reason(changed, self.request.config)
            if path in reasons:
                why = reasons[path]
            elif skipped is not None:  # deleted, a lock file, excluded, ...: said as the report says it
                why = skipped
            elif path in self._owner:
                mine = self._owner.get(paths[0]) if paths else None
                owner = self._owner[path]
                why = "sent in another call" if owner == mine else f"reviewed by {owner}"
            else:
                why = "not ML/LLM code (rules only)"
            lines.append(f"{path}: {why}")
        if len(lines) > MAX_NOT_SENT:
            lines = [*lines[:MAX_NOT_SENT], f"... and {len(lines) - MAX_NOT_SENT} more"]
        return (
            [prompt.Section("Files of the change not shown here, and why", "\n".join(lines))] if lines else []
        )

    def _read_guidance(self) -> list[tuple[str, str]]:
        out = []
        for path in self.config.context_files:
            data = self.request.change.post.read(path)
            if data is None:
                self.notices.append(f"llm.context_files: {path} not found; not sent")
                continue
            if sendable(path, None, 0) is not None:
                continue
            text = self.redact(data.decode("utf-8", errors="replace"))
            out.append((path, text[: prompt.MAX_GUIDANCE_CHARS]))
        return out

    # --- the second look ------------------------------------------------------------------------

    def second_look(
        self, request: prompt.Request, files: Sequence[str], answer: protocol.Answer
    ) -> prompt.Request | None:
        """The follow-up turn answering `answer.missing_context` with what the repository model
        has and this call was not sent; None when there is nothing new to send."""
        sent = self.sent_context.get(tuple(files), frozenset())
        found = [e for e in self.pack.lookup(answer.missing_context, files) if e.key not in sent]
        if not found:
            return None
        text = "\n".join(f"--- {e.title}\n{self.redact(e.text)}" for e in found)
        follow_up = prompt.user_turn(SECOND_LOOK, [prompt.Section("What you asked for", text)])
        said = json.dumps(answer.to_json(), sort_keys=True)
        return dataclasses.replace(request, turns=(*request.turns, said, follow_up))

    def redact(self, text: str) -> str:
        """Secrets out, counted once per distinct text however often it is sent."""
        found = self._redacted.get(text)
        if found is None:
            found, count = secrets.redact(text)
            self._redacted[text] = found
            self.redactions += count
        return found


def risk(path: str, findings: Sequence[Finding], score: float) -> tuple[float, float, float]:
    """Which file goes first: the worst critical or high rule finding on it, how many there are,
    then how well it fits its persona (routing score)."""
    severe = [f.severity for f in findings if f.file == path and f.severity >= Severity.HIGH]
    return (float(max(severe, default=0)), float(len(severe)), score)
