"""The pipeline as one function: source -> classify, roles, route -> rules on every reviewable file
-> persona review of the routed files -> filter (role policy) -> report."""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable, Mapping, Sequence

from archbot import carried, classify, filter, personas, policy, roles, routing, secrets
from archbot.config import Config
from archbot.models import (
    ChangedFile,
    FileRole,
    FileRoute,
    Finding,
    LLMUsage,
    PersonaAssignment,
    Report,
    Signal,
    SkippedFile,
)
from archbot.roles import Classifier
from archbot.sources import Change

if typing.TYPE_CHECKING:
    from archbot.repo.model import Repository
    from archbot.rules import RuleSpec
    from archbot.rules.source import SourceFile

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Routing:
    """Every reviewable changed file with its text, role and route; the personas chosen."""

    routes: tuple[FileRoute, ...]
    assignments: tuple[PersonaAssignment, ...]
    skipped: tuple[SkippedFile, ...]
    texts: Mapping[str, str]
    complete: frozenset[str]
    roles: Mapping[str, FileRole]
    # Files whose own code is ML/LLM-related (routing.ml_related): where `ml`-scope rules speak.
    ml: frozenset[str]
    repo: Repository
    # What decided the roles, for the files the persona review's context reads beside them.
    classifier: Classifier


@dataclasses.dataclass(frozen=True)
class PersonaReviewInput:
    """What the persona reviewer gets: the routed change, the rule findings as hints, the config."""

    change: Change
    routing: Routing
    personas: Mapping[str, personas.Persona]
    rule_findings: tuple[Finding, ...]
    config: Config
    # On a re-review: new-file lines changed since the last reviewed head, per path; the routing
    # passed along already covers only these files. None means a full review.
    focus: Mapping[str, frozenset[int]] | None = None
    # A pull request's title and body: untrusted, sent as data.
    description: tuple[str, str] | None = None


@dataclasses.dataclass(frozen=True)
class PersonaReviewResult:
    findings: tuple[Finding, ...] = ()
    usage: LLMUsage = dataclasses.field(default_factory=LLMUsage)
    notices: tuple[str, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    redactions: int = 0


PersonaReviewer = Callable[[PersonaReviewInput], PersonaReviewResult]


def skip_reason(changed: ChangedFile, config: Config) -> str | None:
    if changed.is_deleted:
        return "deleted"
    if changed.is_binary:
        return "binary file"
    if filter.excluded(changed.path, config):
        return "excluded by paths.exclude"
    if classify.is_lock_file(changed.path):
        return "lock file"
    if not changed.hunks:
        return "no content change" if changed.mode_change or changed.status != "added" else "empty file"
    return None


def route(
    change: Change, config: Config, known: Mapping[str, personas.Persona], forced: str | None = None
) -> Routing:
    from archbot.repo.model import Repository

    repo = Repository(change.list_repo, change.post.read, change.post.prefetch, search=change.search)
    added_paths = [c.path for c in change.files if c.status == "added"]
    # A file moved or copied unchanged arrives where it lands as an added one does: nobody wrote
    # it in this change (a copied repository moved, its license and code of conduct with it).
    arrived = {c.path for c in change.files if c.status in ("renamed", "copied") and not c.hunks}
    imported = roles.imported_trees(
        [*added_paths, *sorted(arrived)],
        (c.path for c in change.files if c.status != "added" and c.path not in arrived),
        lambda: repo.files,
        repo.text,
    )
    imported |= roles.synced_trees((c.path for c in change.files), lambda: repo.files, repo.text)
    unread = {c.path: frozenset(c.added_lines) for c in change.files if c.path.endswith(".gitattributes")}
    copied = roles.bulk_copies(added_paths, change.copies)
    classifier = roles.Classifier(repo, config.roles, imported, unread, copied)
    project = routing.ProjectModules(repo)
    candidates: list[ChangedFile] = []
    skipped: list[SkippedFile] = []
    for changed in change.files:
        if changed.is_binary and not changed.is_deleted and not filter.excluded(changed.path, config):
            skipped.append(SkippedFile(changed.path, "binary file"))
            continue
        if not classify.worth_reading(changed.path):
            continue
        reason = skip_reason(changed, config)
        if reason is None:
            candidates.append(changed)
        elif not changed.is_deleted and classify.file_kind(changed.path) != "other":
            skipped.append(SkippedFile(changed.path, reason))
    change.post.prefetch(c.path for c in candidates)
    routes: list[FileRoute] = []
    texts: dict[str, str] = {}
    complete: set[str] = set()
    file_roles: dict[str, FileRole] = {}
    for changed in candidates:
        data = change.post.read(changed.path)
        if data is not None and len(data) > MAX_FILE_BYTES:
            skipped.append(SkippedFile(changed.path, f"larger than {MAX_FILE_BYTES // 2**20} MiB"))
            continue
        if data is not None and b"\0" in data[:8192]:
            skipped.append(SkippedFile(changed.path, "binary file"))
            continue
        if data is not None:
            text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
            complete.add(changed.path)
        else:
            from archbot.rules.source import from_hunks

            text = from_hunks(dict(changed.added_lines) | _context_lines(changed))
        added = frozenset(changed.added_lines)
        facts = classify.facts(changed.path, text, added)
        routed = routing.route_file(
            known, changed.path, facts, config.personas.assign, _secret_signals(changed), project
        )
        texts[changed.path] = text
        file_roles[changed.path] = classifier.classify(changed.path, text, facts)
        routes.append(routed)
    chosen = [r for r in routes if r.persona is not None or forced is not None]
    assignments = routing.assign(
        chosen, config.personas.max, forced, {path: role.role for path, role in file_roles.items()}
    )
    ml = frozenset(r.path for r in routes if routing.ml_related(r) or forced is not None)
    return Routing(
        tuple(routes),
        assignments,
        tuple(skipped),
        texts,
        frozenset(complete),
        file_roles,
        ml,
        repo,
        classifier,
    )


def _context_lines(changed: ChangedFile) -> dict[int, str]:
    return {
        line.new_line: line.text
        for hunk in changed.hunks
        for line in hunk.lines
        if line.kind == " " and line.new_line is not None
    }


def _secret_signals(changed: ChangedFile) -> tuple[Signal, ...]:
    """A provider key on an added line makes any file the governance persona's business."""
    for text in changed.added_lines.values():
        found = secrets.provider_key(text)
        if found is not None:
            return (Signal("secret", found[0], routing.THRESHOLD),)
    return ()


def review(
    change: Change,
    config: Config,
    known: Mapping[str, personas.Persona],
    specs: Mapping[str, RuleSpec] | None = None,
    forced: str | None = None,
    persona_reviewer: PersonaReviewer | None = None,
    focus: Mapping[str, frozenset[int]] | None = None,
    description: tuple[str, str] | None = None,
) -> Report:
    """Review `change`: the rules read every reviewable file, the persona review the routed ones.
    `specs` None means the built-in rules."""
    routing = route(change, config, known, forced)
    from archbot.rules import engine, source
    from archbot.rules.registry import all_rules

    specs = all_rules() if specs is None else specs
    files = {f.path: f for f in change.files}
    reviewed = list(routing.texts)
    sources = [
        source.make(
            path,
            routing.texts[path],
            frozenset(files[path].added_lines),
            path in routing.complete,
            routing.repo,
            files.get(path),
        )
        for path in reviewed
    ]
    ran = engine.run(sources, specs, _wanted(routing))
    lines = {s.path: s.lines for s in sources}

    def folded(finding: Finding) -> bool:
        entry = policy.policy(finding.rule)
        return entry.treatment(filter.role_of(routing.roles, finding), finding.variant) == "fold"

    rule_findings = carried.without_carried(
        ran.findings,
        folded,
        {s.path: s for s in sources},
        files,
        specs,
        lambda before, chosen: engine.run([before], chosen).findings,
    )

    def line_text(path: str, number: int) -> str:
        file_lines = lines.get(path, ())
        return file_lines[number - 1] if 0 < number <= len(file_lines) else ""

    peers = {rule_id: spec.peers for rule_id, spec in specs.items()}
    rule_result = filter.apply(rule_findings, files, line_text, config, peers, roles=routing.roles)
    persona_result = PersonaReviewResult()
    persona_routing = routing if focus is None else _focused(routing, focus)
    if persona_reviewer is not None and persona_routing.assignments:
        persona_result = persona_reviewer(
            PersonaReviewInput(
                change, persona_routing, known, rule_result.findings, config, focus, description
            )
        )
    # Kept down to the "possible" threshold; below llm.min_confidence they are shown collapsed as
    # worth a look, never inline and never failing a build.
    llm_result = filter.apply(
        persona_result.findings,
        files,
        line_text,
        config,
        peers,
        config.llm.possible_confidence,
        routing.roles,
    )
    notices = [*ran.notices, *persona_result.notices]
    if llm_result.dropped_outside_diff:
        notices.append(
            f"{llm_result.dropped_outside_diff} persona finding(s) pointed outside the diff and were dropped"
        )
    sure = [f for f in llm_result.findings if f.confidence >= config.llm.min_confidence]
    possible = [f for f in llm_result.findings if f.confidence < config.llm.min_confidence]
    findings = _merge(rule_result.findings, sure)
    return Report(
        source=change.source,
        personas=routing.assignments,
        reviewed=tuple(reviewed),
        skipped=(*routing.skipped, *persona_result.skipped),
        findings=findings,
        llm=persona_result.usage,
        notices=tuple(notices),
        redactions=persona_result.redactions,
        suppressed=(*rule_result.suppressed, *llm_result.suppressed),
        possible=tuple(_new(rule_result.findings, possible)),
        roles=tuple(routing.roles[path] for path in reviewed),
        routes=routing.routes,
    )


def _wanted(routing: Routing) -> Callable[[SourceFile, RuleSpec], bool]:
    """Run a rule on a file only where the role policy lets it speak: its rows (its own and its
    variants') do not all drop it in the file's role, and an `ml` rule only on ML/LLM-related
    files, a `change` rule only in a change that holds one, an `any` rule only on a file holding
    one of the words it needs."""
    folded: dict[str, str] = {}

    def wanted(src: SourceFile, spec: RuleSpec) -> bool:
        entry = policy.policy(spec.id)
        role = routing.roles[src.path].role if src.path in routing.roles else "service"
        if entry.silent_in(role):
            return False
        if entry.scope == "ml":
            return src.path in routing.ml
        if entry.scope == "change":
            return bool(routing.ml)
        if src.path not in folded:
            folded[src.path] = src.text.lower()
        return policy.may_fire(spec.id, src.text, folded[src.path])

    return wanted


def _focused(routing: Routing, focus: Mapping[str, frozenset[int]]) -> Routing:
    """The routing restricted to the files changed since the last reviewed head."""
    assignments = tuple(
        dataclasses.replace(a, files=tuple(f for f in a.files if f in focus))
        for a in routing.assignments
        if any(f in focus for f in a.files)
    )
    return dataclasses.replace(routing, assignments=assignments)


def _merge(rule_findings: Sequence[Finding], llm_findings: Sequence[Finding]) -> tuple[Finding, ...]:
    kept = [*rule_findings, *_new(rule_findings, llm_findings)]
    return tuple(sorted(kept, key=lambda f: (-f.severity, f.file, f.line, f.rule)))


def _new(rule_findings: Sequence[Finding], llm_findings: Sequence[Finding]) -> list[Finding]:
    """The persona findings no rule finding already says: one next to a rule finding on the same
    topic, and no more severe, confirms it (the rule's is kept)."""
    return [
        finding
        for finding in llm_findings
        if not any(
            path == finding.file
            and abs(line - finding.line) <= 3
            and r.severity >= finding.severity
            and _same_topic(r, finding)
            for r in rule_findings
            for path, line in ((r.file, r.line), *r.elsewhere)
        )
    ]


_TOPIC_NOISE = frozenset(
    ("the", "not", "without", "missing", "call", "calls", "client", "code", "for", "with", "llm", "api")
)


def _topic(text: str) -> frozenset[str]:
    """Crude stems of the meaningful words: 'timeouts'/'timeout', 'retries'/'retry' meet."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    stems = (
        w[:-3] + "y" if w.endswith("ies") else w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words
    )
    return frozenset(w for w in stems if w not in _TOPIC_NOISE and len(w) > 2)


def _same_topic(rule_finding: Finding, persona_finding: Finding) -> bool:
    if persona_finding.category == rule_finding.rule:
        return True
    rule_topic = _topic(rule_finding.rule) | _topic(rule_finding.title)
    return bool(rule_topic & _topic(f"{persona_finding.category or ''} {persona_finding.title}"))
