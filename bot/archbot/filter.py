"""What is reported: changed-lines scope, suppressions, config overrides, the role policy
(policy.py: drop, lower, fold by the file's role), one finding per topic per line, one finding per
rule per file (listing its lines), the hygiene line, fingerprints."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping

from archbot import policy
from archbot.config import Config
from archbot.models import HYGIENE_RULE, ChangedFile, FileRole, Finding, Role, Severity, Suppression
from archbot.rules import RuleDoc, RuleSpec

_PRAGMA = re.compile(r"#\s*archbot:\s*ignore\[(?P<ids>[^\]]*)\](?P<reason>.*)$")
_NOSEC = re.compile(r"#\s*nosec\b(?P<codes>(?:[\s:,]+[A-Z]+\d+)*)")
_NOQA = re.compile(r"#\s*noqa\b(?::(?P<codes>[\sA-Z0-9,]+))?", re.I)
NO_REASON_RULE = "suppression-without-reason"


_NO_REASON_DOC = """An `# archbot: ignore[RULE-ID]` pragma on a changed line with nothing after the
    bracket. The finding it names stays silenced; this low finding takes its place, on the pragma's
    line. The filter reports it (no rule looks for it), and only where a finding was silenced.

    Why:
        A suppression is a judgement: "this is safe here, because ...". Without the because,
        the next reader (or the author in a year) cannot tell a considered exception from a
        defect someone hid to get a commit through, and nobody can re-check the judgement when
        the code around it changes.

    Fix:
        Write the reason after the bracket: `# archbot: ignore[RULE-ID] reason`. Or fix the
        finding and delete the pragma.

    Bad:
        state = torch.load(path)  # archbot: ignore[unsafe-model-deserialization]

    Good:
        state = torch.load(path)  # archbot: ignore[unsafe-model-deserialization] our own checkpoint
"""


_HYGIENE_DOC = """One low line per example or script file that stands for the findings folded into it
    (the role policy, `archbot rules RULE-ID` shows each rule's row): it lists each rule and its
    lines. The filter reports it (no rule looks for it). It is never posted inline and never fails
    a build, whatever `--fail-on` says. A note the change did not bring is left out: a rewritten
    line whose old version had the same gap (only a string differs, as in a renamed dataset id, or
    the rule reported the old line too).

    Why:
        Examples, notebooks, benchmarks and scripts are run and copied, so what the rules find
        there is worth reading; but that code does not serve production traffic, and one line per
        file keeps it from burying the findings that do. A script's line holds what changes the
        results it reports (an unseeded shuffle or evaluation, a correctness defect); its
        hardening (timeouts, retries, pins, the model it calls or loads) is whoever runs it's to
        set, and an example's line holds only what makes it wrong.

    Fix:
        Fix what will be copied into production code. Give a file another role with
        `roles: {"GLOB": ROLE}`; switch the line off with `rules: {disable: [hygiene]}`.

    Bad:
        examples/rag.py:12: low [hygiene] Hygiene notes in example code (2 rules)

    Good:
        examples/rag.py: no findings, or only a committed secret or code execution
"""


# The rules the filter reports itself (about suppressions and folded findings, not code),
# documented like a rule.
META_RULES: dict[str, RuleSpec] = {
    HYGIENE_RULE: RuleSpec(
        id=HYGIENE_RULE,
        title="Hygiene notes in example or script code",
        severity=Severity.LOW,
        persona="any",
        kinds=frozenset(),
        peers=(),
        check=lambda context: (),
        doc=RuleDoc.parse(_HYGIENE_DOC, HYGIENE_RULE),
    ),
    NO_REASON_RULE: RuleSpec(
        id=NO_REASON_RULE,
        title="Suppression without a reason",
        severity=Severity.LOW,
        persona="any",
        kinds=frozenset(),
        peers=(),
        check=lambda context: (),
        doc=RuleDoc.parse(_NO_REASON_DOC, NO_REASON_RULE),
    ),
}


@dataclasses.dataclass(frozen=True)
class Filtered:
    findings: tuple[Finding, ...]
    dropped_outside_diff: int
    suppressed: tuple[Suppression, ...]


@dataclasses.dataclass(frozen=True)
class Pragma:
    ids: frozenset[str]
    reason: str
    line: int


def excluded(path: str, config: Config) -> bool:
    return any(_glob(pattern, path) for pattern in config.paths.exclude)


def _glob(pattern: str, path: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern) or (
        pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:])
    )


def pragma_on(line_text: str, number: int) -> Pragma | None:
    match = _PRAGMA.search(line_text)
    if match is None:
        return None
    ids = frozenset(i.strip() for i in match.group("ids").split(",") if i.strip())
    return Pragma(ids, match.group("reason").strip(" -:—"), number)


def _peer_suppressed(line_text: str, peers: Iterable[str]) -> str | None:
    """The peer tool's marker (`# nosec`, `# noqa`) that silences this rule on the line, if any."""
    peers = tuple(peers)
    if not peers:
        return None
    for pattern, family, marker in ((_NOSEC, "B", "# nosec"), (_NOQA, "", "# noqa")):
        match = pattern.search(line_text)
        if match is None:
            continue
        codes = {c for c in re.split(r"[\s:,]+", match.group("codes") or "") if c}
        if not codes:
            if any(p.startswith(family) and p[len(family) :][:1].isdigit() for p in peers) or (
                not family and any(p.startswith(("S", "ASYNC")) for p in peers)
            ):
                return marker
        elif codes & {p.upper() for p in peers}:
            return marker
    return None


def fingerprint(finding: Finding, line_text: str, occurrence: int) -> str:
    """Stable across unrelated edits: rule, file, the line's normalised text, and which occurrence."""
    identity = finding.rule if finding.source == "rules" else f"{finding.rule}\0{finding.title.lower()}"
    key = "\0".join((identity, finding.file, " ".join(line_text.split()), str(occurrence)))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def role_of(roles: Mapping[str, FileRole] | None, finding: Finding) -> Role:
    """The role of the code a finding is on: its file's, or `script` in a shipped module's
    `__main__` block; `service` (the rules' own severities) for a file without one."""
    file_role = (roles or {}).get(finding.file)
    return "service" if file_role is None else file_role.role_at(finding.line)


def apply(
    findings: Iterable[Finding],
    files: Mapping[str, ChangedFile],
    line_text: Callable[[str, int], str],
    config: Config,
    peers: Mapping[str, tuple[str, ...]],
    min_confidence: float = 0.0,
    roles: Mapping[str, FileRole] | None = None,
) -> Filtered:
    """Keep what the user should see. `line_text(path, line)` reads the post-change file; `roles`
    gives each file's role (`role_of`: a file without one is treated as a service, the rules' own
    severities)."""
    kept: dict[tuple[str, str, int], Finding] = {}
    folded: dict[str, list[Finding]] = {}
    roles = roles or {}
    dropped = 0
    silenced: list[tuple[Finding, int, str, str]] = []
    meta: list[Finding] = []
    for finding in findings:
        changed = files.get(finding.file)
        if changed is None:
            dropped += 1
            continue
        if not _anchored(finding, changed):
            dropped += finding.source == "llm"
            continue
        if finding.confidence < min_confidence or _disabled(finding, config):
            continue
        role = role_of(roles, finding)
        treatment = policy.policy(finding.rule).treatment(role, finding.variant)
        if treatment == "drop":
            continue
        # A removed line's code is gone, and with it any pragma it carried.
        pragma = _pragma_for(finding, line_text) if finding.old_line is None else None
        if pragma is not None:
            marker = f"# archbot: ignore[{', '.join(sorted(pragma.ids))}]"
            silenced.append((_with_severity(finding, config), pragma.line, marker, pragma.reason))
            if not pragma.reason and pragma.line in changed.added_lines:
                meta.append(_no_reason(finding, pragma))
            continue
        peer = _peer_suppressed(line_text(finding.file, finding.line), peers.get(finding.rule, ()))
        if peer is not None:
            silenced.append((_with_severity(finding, config), finding.line, peer, ""))
            continue
        finding = dataclasses.replace(
            finding, role=role, severity=policy.severity_for(treatment, finding.severity)
        )
        finding = _with_severity(finding, config)
        if treatment == "fold":
            folded.setdefault(finding.file, []).append(finding)
            continue
        key = (finding.rule, finding.file, finding.line if finding.old_line is None else -finding.old_line)
        if key not in kept or kept[key].severity < finding.severity:
            kept[key] = finding
    for item in meta:
        kept.setdefault((item.rule, item.file, item.line), item)
    shown = [_counted(f) for f in across_files(grouped(one_per_topic(kept.values())), line_text)]
    shown += [hygiene_line(items) for items in folded.values() if HYGIENE_RULE not in config.rules.disable]
    ordered = sorted(shown, key=lambda f: (-f.severity, f.file, f.line, f.rule))
    seen: dict[tuple[str, str, str], int] = {}
    reported = _fingerprinted(ordered, line_text, seen)
    # Fingerprinted after the reported ones, so that a suppression never shifts their fingerprints.
    suppressions = tuple(
        Suppression(
            _with_fingerprint(finding, line_text, seen),
            number,
            marker,
            reason,
            number in files[finding.file].added_lines,
        )
        for finding, number, marker, reason in sorted(silenced, key=lambda s: (s[0].file, s[0].line))
    )
    return Filtered(tuple(reported), dropped, suppressions)


def _anchored(finding: Finding, changed: ChangedFile) -> bool:
    """Rule findings sit on added lines; persona findings on any line the diff shows, removed
    lines included (by their old number)."""
    if finding.old_line is not None:
        return finding.source == "llm" and finding.old_line in changed.removed_lines
    allowed = changed.added_lines if finding.source == "rules" else changed.visible_lines
    return finding.line in allowed


def _rank(finding: Finding) -> tuple[int, int, int]:
    """Which of two findings on one topic to keep: the more severe, then the rule listed first."""
    return (-finding.severity, policy.ORDER.get(finding.rule, len(policy.ORDER)), finding.line)


def one_per_topic(findings: Iterable[Finding]) -> list[Finding]:
    """On each line, one rule finding per topic: another rule never repeats what one says there."""
    best: dict[tuple[str, int, str], Finding] = {}
    others: list[Finding] = []
    for finding in findings:
        if finding.source != "rules":
            others.append(finding)
            continue
        key = (finding.file, finding.line, policy.policy(finding.rule).topic)
        if key not in best or _rank(finding) < _rank(best[key]):
            best[key] = finding
    return [*best.values(), *others]


def grouped(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule per file: anchored at its most severe place, listing every line."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    others: list[Finding] = []
    for finding in findings:
        if finding.source == "rules":
            groups.setdefault((finding.rule, finding.file), []).append(finding)
        else:
            others.append(finding)
    out = list(others)
    for items in groups.values():
        anchor = min(items, key=_rank)
        places = tuple(sorted({f.line: f.severity for f in sorted(items, key=_rank, reverse=True)}.items()))
        lines = tuple(line for line, _ in places)
        out.append(anchor if len(lines) == 1 else dataclasses.replace(anchor, places=places))
    return out


def across_files(findings: Iterable[Finding], line_text: Callable[[str, int], str]) -> list[Finding]:
    """One finding for a rule's match of the same code in several files (a setting copied into
    every variant's config, a loader pasted into each module): anchored in the first file, listing
    the others. Matches that read differently, or that the rule explains differently, stay apart."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    out: list[Finding] = []
    for finding in findings:
        if finding.source != "rules" or finding.old_line is not None or finding.rule == HYGIENE_RULE:
            out.append(finding)
            continue
        code = " ".join(line_text(finding.file, finding.line).split())
        key = (finding.rule, finding.variant, finding.severity, finding.role, finding.rationale, code)
        groups.setdefault(key, []).append(finding)
    for items in groups.values():
        anchor, *others = sorted(items, key=lambda f: (f.file, f.line))
        if not others:
            out.append(anchor)
            continue
        out.append(dataclasses.replace(anchor, also=tuple((f.file, f.lines) for f in others)))
    return out


def _counted(finding: Finding) -> Finding:
    """A finding standing for several places says how many in its title: `(3 places)`, `(4 places
    in 2 files)`."""
    places = len(finding.lines) + sum(len(lines) for _, lines in finding.also)
    if places == 1:
        return finding
    where = f" in {len(finding.also) + 1} files" if finding.also else ""
    return dataclasses.replace(finding, title=f"{finding.title} ({places} places{where})")


def hygiene_line(items: list[Finding]) -> Finding:
    """The one low line that stands for a file's folded findings (example or script code)."""
    first = min(items, key=lambda f: f.line)
    by_rule: dict[str, list[int]] = {}
    for item in sorted(items, key=lambda f: (policy.ORDER.get(f.rule, len(policy.ORDER)), f.line)):
        by_rule.setdefault(item.rule, []).append(item.line)
    listed = "; ".join(
        f"{rule} (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, sorted(set(lines))))})"
        for rule, lines in by_rule.items()
    )
    rules_word = "rules" if len(by_rule) > 1 else "rule"
    return Finding(
        rule=HYGIENE_RULE,
        source="rules",
        persona=first.persona,
        severity=Severity.LOW,
        file=first.file,
        line=first.line,
        title=f"Hygiene notes in {first.role or 'script'} code ({len(by_rule)} {rules_word})",
        rationale=f"Folded from {listed}. Code that people run or copy is worth hardening, but it does not "
        "serve production traffic, so these never fail a build.",
        suggestion="See `archbot rules RULE-ID` for each; fix what will be copied into production code.",
        role=first.role,
        places=tuple(sorted({f.line: Severity.LOW for f in items}.items())),
        folded=tuple(sorted((rule, line, severity) for (rule, line), severity in _strongest(items).items())),
    )


def _strongest(items: list[Finding]) -> dict[tuple[str, int], Severity]:
    """Each rule's place once, at its most severe (one rule may match one line twice)."""
    strongest: dict[tuple[str, int], Severity] = {}
    for item in items:
        key = (item.rule, item.line)
        strongest[key] = max(strongest.get(key, item.severity), item.severity)
    return strongest


def _pragma_for(finding: Finding, line_text: Callable[[str, int], str]) -> Pragma | None:
    """`# archbot: ignore[id] reason` on the finding's line, or alone on the line above it."""
    candidates = [(finding.line, line_text(finding.file, finding.line))]
    above = line_text(finding.file, finding.line - 1) if finding.line > 1 else ""
    if above.lstrip().startswith("#"):
        candidates.append((finding.line - 1, above))
    for number, text in candidates:
        pragma = pragma_on(text, number)
        if pragma is not None and (finding.rule in pragma.ids or "*" in pragma.ids):
            return pragma
    return None


def _disabled(finding: Finding, config: Config) -> bool:
    if finding.rule in config.rules.disable or not policy.enabled(
        finding.rule, config.rules.enable, finding.variant
    ):
        return True
    return any(
        _glob(glob, finding.file) and (finding.rule in ids or "*" in ids)
        for glob, ids in config.rules.ignore.items()
    )


def _with_severity(finding: Finding, config: Config) -> Finding:
    override = config.rules.severity.get(finding.rule)
    if override is None:
        return finding
    return dataclasses.replace(finding, severity=Severity.parse(override))


def _no_reason(finding: Finding, pragma: Pragma) -> Finding:
    return Finding(
        rule=NO_REASON_RULE,
        source="rules",
        persona=finding.persona,
        severity=Severity.LOW,
        file=finding.file,
        line=pragma.line,
        title="Suppression without a reason",
        rationale=f"`# archbot: ignore[{', '.join(sorted(pragma.ids))}]` silences "
        f"{finding.rule} without saying why; the next reader cannot tell a judged "
        "exception from a hidden defect.",
        suggestion="Add the reason after the bracket: `# archbot: ignore[rule-id] reason`.",
    )


def _fingerprinted(
    findings: list[Finding], line_text: Callable[[str, int], str], seen: dict[tuple[str, str, str], int]
) -> list[Finding]:
    out = [_with_fingerprint(f, line_text, seen) for f in sorted(findings, key=lambda f: (f.file, f.line))]
    return sorted(out, key=lambda f: (-f.severity, f.file, f.line, f.rule))


def _with_fingerprint(
    finding: Finding, line_text: Callable[[str, int], str], seen: dict[tuple[str, str, str], int]
) -> Finding:
    """`seen` counts earlier findings of the same rule on the same text: the occurrence number."""
    text = line_text(finding.file, finding.line)
    key = (finding.rule, finding.file, " ".join(text.split()))
    occurrence = seen.get(key, 0)
    seen[key] = occurrence + 1
    return dataclasses.replace(finding, fingerprint=fingerprint(finding, text, occurrence))
