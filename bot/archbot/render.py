"""Report -> text | markdown | json. Untrusted text (diff, model output) is neutralised here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

from archbot.models import FileRoute, Finding, PersonaAssignment, Report, Severity

COMMENT_MARKER = "<!-- archbot:review -->"
MAX_COMMENT_CHARS = 65_536
# A rule's why and fix are shown by their first sentence; a longer one by its first clause.
WHY_CHARS, FIX_CHARS = 120, 180
_ICONS = {Severity.CRITICAL: "🔴", Severity.HIGH: "🟠", Severity.MEDIUM: "🟡", Severity.LOW: "⚪"}
_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[33m",
    Severity.MEDIUM: "\033[36m",
    Severity.LOW: "\033[2m",
}
_RESET = "\033[0m"
_CODE_SPAN = re.compile(r"`([^`\n]*)`")
# Each alternative starts only where its run of characters starts (the lookbehinds), so a long
# field costs linear time instead of one backtracking scan per position.
_URLISH = re.compile(
    r"(?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]*:/{1,3}|www\.)[^\s`()\[\]<>]*"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+",
    re.I,
)
# Invisible and direction-changing characters (bidi overrides and isolates, zero-width and other
# format characters, controls): shown as their code point, so posted text reads as it is stored.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0e\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
)
# Escaped in untrusted text: emphasis, code, brackets (links and images need `[`), `#` (issue
# references), `!` and `<` (HTML, comments: our marker must never appear verbatim), tables,
# strikethrough and entities. Parentheses are harmless once `[` is escaped.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|<>~&])")
LinkFor = Callable[[str, int], "str | None"]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    counts = report.summary
    parts = ", ".join(f"{counts[name]} {name}" for name in counts)
    return f"{plural(len(report.findings), 'finding')}: {parts}"


# --- text ---------------------------------------------------------------------------------


def text(report: Report, colour: bool = False, quiet: bool = False) -> str:
    if not report.has_ml_changes:
        return _with_notices(["archbot: no ML/LLM-related changes"], report)
    paint = (lambda sev, s: f"{_COLOURS[sev]}{s}{_RESET}") if colour else (lambda sev, s: s)
    if quiet:
        lines = [
            f"{f.location}: {paint(f.severity, f.severity.label)} [{f.rule}] {plain(f.title)}"
            for f in report.findings
        ]
        lines.append(f"archbot: {summary_line(report)}")
        return _with_notices(lines, report)
    lines = []
    for persona in report.personas:
        reasons = "; ".join(plain(r) for r in persona.reasons[:4])
        files = ", ".join(persona.files[:5]) + (" …" if len(persona.files) > 5 else "")
        lines.append(f"archbot: {persona.name} reviewed {files}")
        if reasons:
            lines.append(f"  why: {reasons}")
    for severity in sorted(Severity, reverse=True):
        group = [f for f in report.findings if f.severity == severity]
        if not group:
            continue
        lines += ["", paint(severity, f"{severity.label.upper()} ({len(group)})")]
        for finding in group:
            lines.append(f"  {finding.location}  {plain(finding.title)}  [{finding.rule}]")
            if finding.other_lines:
                lines.append(f"      also: lines {', '.join(map(str, finding.other_lines))}")
            if finding.also:
                lines.append(f"      also in: {other_files(finding, plain)}")
            lines.append(f"      why: {plain(finding.rationale)}")
            lines.append(f"      fix: {plain(finding.suggestion)}")
    if not report.findings:
        lines += ["", "No findings."]
    if report.possible:
        lines += [
            "",
            f"WORTH A LOOK ({len(report.possible)}): the persona review was not sure; never fails a build",
        ]
        lines += [
            f"  {f.location}  {plain(f.title)}  [{f.rule}, {f.confidence:.2f}]" for f in report.possible
        ]
    for skipped in report.skipped:
        lines.append(f"skipped {skipped.path}: {skipped.reason}")
    status = llm_status(report)
    if status is not None:
        lines.append(status)
    lines += ["", f"archbot: {summary_line(report)}"]
    return _with_notices(lines, report)


def _with_notices(lines: list[str], report: Report) -> str:
    return "\n".join([*lines, *(f"notice: {plain(n)}" for n in report.notices)]) + "\n"


def plain(value: str) -> str:
    """Untrusted text on one terminal line: no control characters or escape sequences."""
    return "".join(c if c.isprintable() else " " for c in " ".join(visible(value).split()))


def visible(value: str) -> str:
    """`value` with every invisible or direction-changing character written as its code point."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", value)


def llm_status(report: Report) -> str | None:
    """The persona review in one line of words: what it used and cost, or why it failed."""
    usage = report.llm
    if not usage.used:
        return f"persona review failed: {usage.error}; rules only" if usage.error else None
    cached = " (cached)" if usage.cached else ""
    failed = f"; some calls failed: {usage.error}" if usage.error else ""
    return (
        f"persona review: {usage.model}, {plural(usage.calls, 'call')}, "
        f"{usage.input_tokens} in / {usage.output_tokens} out tokens, "
        f"${usage.cost_usd:.4f}{cached}{failed}"
    )


# --- markdown -----------------------------------------------------------------------------


def md_text(value: str) -> str:
    """Untrusted text as inert Markdown: one line, code spans kept as code, everything else
    escaped; links, images, HTML, mentions and autolinks cannot become active."""
    value = " ".join(visible(value).split())
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(value):
        out.append(_md_escape(value[position : match.start()]))
        out.append(md_code(match.group(1)))
        position = match.end()
    out.append(_md_escape(value[position:]))
    return "".join(out)


def md_code(value: str) -> str:
    """Untrusted text as one code span. An HTML comment opener is broken up too: inert in a code
    span, but a second verbatim marker in the body would fool anything searching for ours."""
    body = " ".join(visible(value).replace("`", "'").replace("<!--", "<!\u200b--").split()) or " "
    return f"`{body}`"


def _md_escape(value: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _URLISH.finditer(value):
        parts.append(_escape_plain(value[position : match.start()]))
        parts.append(md_code(match.group(0)))
        position = match.end()
    parts.append(_escape_plain(value[position:]))
    return "".join(parts)


def _escape_plain(value: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", value)
    return escaped.replace("@", "@\u200b")


def markdown(
    report: Report,
    link: LinkFor | None = None,
    extra_sections: tuple[str, ...] = (),
    hidden: str = "",
    max_chars: int = MAX_COMMENT_CHARS,
) -> str:
    """The PR comment, for a busy author: the counts, one sentence per persona, one line per
    critical or high finding, each rule's why and fix once (collapsed), and the medium and low
    findings under their rule (collapsed). `hidden` is a line of our own (the state comment)
    placed right under the marker; the body is cut to `max_chars` (a comment's limit by default;
    a job summary may hold more)."""
    lines = [COMMENT_MARKER, *([hidden] if hidden else []), "## archbot review", ""]
    if not report.has_ml_changes:
        lines.append("No ML/LLM-related changes in this diff: nothing to review.")
        return "\n".join([*lines, *extra_sections, ""])
    lines += [_md_counts(report), ""]
    lines += [_md_persona(persona) for persona in report.personas]
    lines.append("")
    top = [f for f in report.findings if f.severity >= Severity.HIGH]
    for severity, heading in ((Severity.CRITICAL, "Critical"), (Severity.HIGH, "High")):
        group = [f for f in top if f.severity == severity]
        if group:
            lines += [f"### {_ICONS[severity]} {heading} ({len(group)})", ""]
            lines += [_md_occurrence(f, link) for f in group]
            lines.append("")
    if not top:
        lines += ["No critical or high findings.", ""]
    explained = _explained(top)
    if explained:
        lines += ["<details><summary>Why these matter and how to fix them</summary>", ""]
        lines += [f"- {entry}" for entry in explained.values()]
        lines += ["", "</details>", ""]
    rest = [f for f in report.findings if f.severity < Severity.HIGH]
    if rest:
        lines += [f"<details><summary>Medium and low ({len(rest)})</summary>", ""]
        lines += _md_medium_low(rest, explained)
        lines += ["", "</details>", ""]
    lines += _md_possible(report, link)
    lines += list(extra_sections)
    lines += _md_footer(report)
    body = "\n".join(lines) + "\n"
    if len(body) > max_chars:
        cut = body[: max_chars - 200].rsplit("\n- ", 1)[0]
        body = cut + "\n\n_The review was truncated to fit one comment; see the job summary._\n"
    return body


def _md_possible(report: Report, link: LinkFor | None) -> list[str]:
    """Persona findings the model was not sure of: collapsed, one line each, never inline."""
    if not report.possible:
        return []
    lines = [f"<details><summary>Worth a look ({len(report.possible)})</summary>", ""]
    lines += [
        f"- {_md_location(f, link)} **{md_text(f.title)}** {md_code(f.rule)} — {md_text(f.rationale)} "
        f"**Fix:** {md_text(f.suggestion)} (confidence {f.confidence:.2f})"
        for f in report.possible
    ]
    return [*lines, "", "</details>", ""]


def _md_counts(report: Report) -> str:
    counts = report.summary
    parts = [
        f"{_ICONS[severity]} **{counts[severity.label]} {severity.label}**"
        if severity >= Severity.HIGH and counts[severity.label]
        else f"{counts[severity.label]} {severity.label}"
        for severity in sorted(Severity, reverse=True)
    ]
    files = {path for f in report.findings for path in (f.file, *(other for other, _ in f.also))}
    where = f" in {plural(len(files), 'file')}" if files else ""
    return " · ".join(parts) + where


def _md_persona(persona: PersonaAssignment) -> str:
    """One sentence: who reviewed which files, the strongest signals that chose them, and the files
    it took over from a persona that `personas.max` left out."""
    shown = ", ".join(md_code(f) for f in persona.files[:2])
    more = f" and {len(persona.files) - 2} more" if len(persona.files) > 2 else ""
    folded = {path for path, _ in persona.folded}
    own = (reason.split(": ", 1) for reason in persona.reasons)
    signals = list(dict.fromkeys(r[-1] for r in own if r[0] not in folded))[:2]
    notes = [", ".join(_md_signal(s) for s in signals)] if signals else []
    notes += [
        f"{md_code(path)} is {md_text(owner)}'s, folded in by `personas.max`"
        for path, owner in persona.folded
    ]
    why = f" ({'; '.join(notes)})" if notes else ""
    return f"**{persona.name}** reviewed {shown}{more}{why}.  "


def _md_signal(signal: str) -> str:
    kind, _, value = signal.rpartition(" ")
    return f"{md_text(kind)} {md_code(value)}" if kind else md_text(signal)


def _md_location(finding: Finding, link: LinkFor | None) -> str:
    where = finding.location
    target = link(finding.file, finding.line) if link and finding.old_line is None else None
    shown = f"[{md_code(where)}]({target})" if target else md_code(where)
    others = finding.other_lines
    if others:
        shown = f"{shown} (also line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))})"
    if finding.also:
        shown = f"{shown} (also in {other_files(finding, md_code)})"
    return shown


# The other files named where a finding stands for the same code in many (filter.across_files).
_FILES_NAMED = 5


def other_files(finding: Finding, show: Callable[[str], str]) -> str:
    """`b.py:3, c.py:3,9 and 12 more files`: the other files of a finding, the first few named,
    each place shown by `show` (`plain` in a terminal, `md_code` in Markdown)."""
    named = [show(f"{path}:{','.join(map(str, lines))}") for path, lines in finding.also[:_FILES_NAMED]]
    more = len(finding.also) - len(named)
    return ", ".join(named) + (f" and {more} more file{'s' * (more > 1)}" if more else "")


def _md_occurrence(finding: Finding, link: LinkFor | None) -> str:
    """One line: where, what is wrong there, and the rule (explained once, further down)."""
    said = occurrence_detail(finding) or finding.title
    return f"- {_md_location(finding, link)} {md_text(said)} {md_code(finding.rule)}"


def occurrence_detail(finding: Finding) -> str:
    """What a rule finding says about this occurrence: its rationale without the rule's general
    why (rules write `detail + why`); any other rationale, shortened to its first statement."""
    if finding.source != "rules":
        return ""
    general = rule_text(finding.rule)
    rationale = " ".join(finding.rationale.split())
    if general is not None and rationale.endswith(general[0]):
        return rationale[: -len(general[0])].strip()
    return first_clause(rationale, WHY_CHARS)


def rule_text(rule_id: str) -> tuple[str, str] | None:
    """(why, fix) of a registered rule, each on one line."""
    from archbot.filter import META_RULES
    from archbot.rules.registry import all_rules

    spec = all_rules().get(rule_id) or META_RULES.get(rule_id)
    return (spec.rationale, spec.suggestion) if spec is not None else None


def _why_and_fix(finding: Finding) -> str:
    """The rule's why (its first statement) and fix (its first sentence) for a rule finding; the
    finding's own for a persona finding, whose rationale is particular to it."""
    general = rule_text(finding.rule) if finding.source == "rules" else None
    why, fix = general if general is not None else (finding.rationale, finding.suggestion)
    return (
        f"{md_text(first_clause(why, WHY_CHARS))} **Fix:** {md_text(first_clause(fix, FIX_CHARS, ('; ',)))}"
    )


def _reference_key(finding: Finding) -> str:
    return (
        finding.rule if finding.source == "rules" else finding.fingerprint or f"{finding.file}:{finding.line}"
    )


def _explained(findings: Sequence[Finding]) -> dict[str, str]:
    """Reference entries by key: each rule once; each persona finding with its place."""
    entries: dict[str, str] = {}
    for finding in findings:
        key = _reference_key(finding)
        if key in entries:
            continue
        head = f"**{md_text(finding.title)}** {md_code(finding.rule)}"
        if finding.source != "rules":
            head += f" at {md_code(finding.location)}"
        entries[key] = f"{head}: {_why_and_fix(finding)}"
    return entries


def _md_medium_low(findings: Sequence[Finding], explained: Mapping[str, str]) -> list[str]:
    """Each rule (at each severity) once, explained unless it was above, with its places below it."""
    groups: dict[tuple[Severity, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.severity, _reference_key(finding)), []).append(finding)
    lines: list[str] = []
    for (severity, key), group in groups.items():
        first = group[0]
        if key in explained:
            lines.append(f"- {_ICONS[severity]} **{md_text(first.title)}** {md_code(first.rule)} (see above)")
        else:
            lines.append(f"- {_ICONS[severity]} {_explained([first])[key]}")
        if first.source == "rules":
            lines += [f"  - {md_code(f'{f.file}:{line}')}" for f in group for line in f.lines]
            lines += [f"  - also in {other_files(f, md_code)}" for f in group if f.also]
    return lines


def first_clause(text: str, longest: int, separators: tuple[str, ...] = ("; ", ": ", " — ")) -> str:
    """The first sentence of `text`; when it is longer than `longest`, its first clause (up to a
    separator outside code spans and parentheses), if that is a statement of 40 characters or more."""
    sentence = _first_sentences(text, 1)
    if len(sentence) <= longest:
        return sentence
    depth = 0
    code = False
    for index, char in enumerate(sentence):
        if char == "`":
            code = not code
        elif not code and char in "()":
            depth += 1 if char == "(" else -1
        elif not code and depth == 0 and index >= 40 and sentence.startswith(separators, index):
            return sentence[:index].rstrip() + "."
    return sentence


def inline_body(finding: Finding, file_lines: Sequence[str] = ()) -> str:
    """An inline review comment: title, what is wrong on this line, the fix in one sentence, and a
    ```suggestion``` block when the fix is mechanical (suggest.py). `file_lines` is the
    post-change file; without it there is no suggestion."""
    from archbot import suggest

    detail = occurrence_detail(finding) or first_clause(finding.rationale, WHY_CHARS)
    general = rule_text(finding.rule) if finding.source == "rules" else None
    fix = first_clause(general[1] if general is not None else finding.suggestion, FIX_CHARS, ("; ",))
    parts = [
        f"{_ICONS[finding.severity]} **{md_text(finding.title)}** {md_code(finding.rule)}",
        "",
        f"{md_text(detail)} **Fix:** {md_text(fix)}",
    ]
    line = file_lines[finding.line - 1] if 0 < finding.line <= len(file_lines) else None
    fixed = suggest.suggestion(finding.rule, line, file_lines) if line is not None else None
    # A suggestion is code to commit as it stands: never one carrying invisible characters.
    if fixed is not None and visible(fixed) != fixed:
        fixed = None
    if fixed is not None and finding.source == "rules" and finding.end_line in (None, finding.line):
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", fixed)), default=0))
        parts += ["", f"{fence}suggestion", fixed, fence]
    return "\n".join(parts)


def _first_sentences(text: str, count: int) -> str:
    """The first `count` sentences of `text` (a sentence ends at `. ` outside a code span)."""
    text = " ".join(text.split())
    sentences: list[str] = []
    position = 0
    for match in re.finditer(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])\s+(?=[A-Z`(])", text):
        if text[position : match.start()].count("`") % 2 == 1:
            continue
        sentences.append(text[position : match.start()])
        position = match.end()
        if len(sentences) == count:
            return " ".join(sentences)
    return text


def _md_footer(report: Report) -> list[str]:
    lines = ["<details><summary>Details</summary>", ""]
    for skipped in report.skipped:
        lines.append(f"- skipped {md_code(skipped.path)}: {md_text(skipped.reason)}")
    status = llm_status(report)
    if status is not None:
        lines.append(f"- {md_text(status)}")
    else:
        lines.append("- persona review: off (rules only)")
    if report.redactions:
        lines.append(f"- {plural(report.redactions, 'secret')} redacted before the persona review")
    for notice in report.notices:
        lines.append(f"- notice: {md_text(notice)}")
    lines.append("- To silence a finding, add `# archbot: ignore[rule-id] reason` on its line.")
    lines += ["", "</details>"]
    return lines


# --- json ---------------------------------------------------------------------------------


def to_json(report: Report) -> dict[str, object]:
    routes = {r.path: r for r in report.routes}
    return {
        "version": 1,
        "source": {
            "kind": report.source.kind,
            "base": report.source.base,
            "head": report.source.head,
        },
        "personas": [p.to_json() for p in report.personas],
        "files": {
            "reviewed": list(report.reviewed),
            "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
            "roles": {r.path: {**r.to_json(), **_routing_json(r.path, routes)} for r in report.roles},
        },
        "findings": [f.to_json() for f in report.findings],
        "summary": report.summary,
        "llm": report.llm.to_json(),
        "notices": list(report.notices),
        **({"possible": [f.to_json() for f in report.possible]} if report.possible else {}),
    }


def _routing_json(path: str, routes: Mapping[str, FileRoute]) -> dict[str, object]:
    """A file's routing as `archbot route --format json` shows it, under `routing`."""
    return {"routing": routes[path].to_json()} if path in routes else {}


def json_text(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


# --- GitHub workflow commands --------------------------------------------------------------

_ANNOTATION_LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "warning"}


def command_data(value: str) -> str:
    """GitHub workflow-command escaping for the message part."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _command_property(value: str) -> str:
    return command_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotations(report: Report) -> str:
    """`::error` / `::warning` workflow commands for critical and high findings, then the total."""
    lines = []
    for finding in report.findings:
        level = _ANNOTATION_LEVELS.get(finding.severity)
        if level is None:
            continue
        end = finding.end_line if finding.end_line is not None else finding.line
        properties = ",".join(
            (
                f"file={_command_property(finding.file)}",
                f"line={finding.line}",
                f"endLine={end}",
                f"title={_command_property(f'archbot {finding.rule}: {plain(finding.title)}')}",
            )
        )
        message = f"{plain(finding.rationale)} Fix: {plain(finding.suggestion)}"
        lines.append(f"::{level} {properties}::{command_data(message)}")
    lines.append(f"archbot: {summary_line(report)}")
    return "\n".join(lines) + "\n"
