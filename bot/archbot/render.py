"""Report -> text | markdown | json. Untrusted text (diff, model output) is neutralised here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from archbot.models import Finding, Report, Severity

COMMENT_MARKER = "<!-- archbot:review -->"
MAX_COMMENT_CHARS = 65_536
_ICONS = {Severity.CRITICAL: "🔴", Severity.HIGH: "🟠", Severity.MEDIUM: "🟡", Severity.LOW: "⚪"}
_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[33m",
    Severity.MEDIUM: "\033[36m",
    Severity.LOW: "\033[2m",
}
_RESET = "\033[0m"
_CODE_SPAN = re.compile(r"`([^`\n]*)`")
_URLISH = re.compile(r"(?:[a-z][a-z0-9+.-]*:/{1,3}|www\.)[^\s`()\[\]<>]*|[\w.+-]+@[\w-]+\.[\w.-]+", re.I)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~&])")
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
            f"{f.file}:{f.line}: {paint(f.severity, f.severity.label)} [{f.rule}] {_plain(f.title)}"
            for f in report.findings
        ]
        lines.append(f"archbot: {summary_line(report)}")
        return _with_notices(lines, report)
    lines = []
    for persona in report.personas:
        reasons = "; ".join(_plain(r) for r in persona.reasons[:4])
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
            lines.append(f"  {finding.file}:{finding.line}  {_plain(finding.title)}  [{finding.rule}]")
            lines.append(f"      why: {_plain(finding.rationale)}")
            lines.append(f"      fix: {_plain(finding.suggestion)}")
    if not report.findings:
        lines += ["", "No findings."]
    for skipped in report.skipped:
        lines.append(f"skipped {skipped.path}: {skipped.reason}")
    if report.llm.used:
        lines.append(_llm_footer(report))
    lines += ["", f"archbot: {summary_line(report)}"]
    return _with_notices(lines, report)


def _with_notices(lines: list[str], report: Report) -> str:
    return "\n".join([*lines, *(f"notice: {_plain(n)}" for n in report.notices)]) + "\n"


def _plain(value: str) -> str:
    """Untrusted text on one terminal line: no control characters or escape sequences."""
    return "".join(c if c.isprintable() else " " for c in " ".join(value.split()))


def _llm_footer(report: Report) -> str:
    usage = report.llm
    cached = " (cached)" if usage.cached else ""
    return (
        f"persona review: {usage.model}, {plural(usage.calls, 'call')}, "
        f"{usage.input_tokens} in / {usage.output_tokens} out tokens, "
        f"${usage.cost_usd:.4f}{cached}"
    )


# --- markdown -----------------------------------------------------------------------------


def md_text(value: str) -> str:
    """Untrusted text as inert Markdown: one line, code spans kept as code, everything else
    escaped; links, images, HTML, mentions and autolinks cannot become active."""
    value = " ".join(value.split())
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
    body = " ".join(value.replace("`", "'").replace("<!--", "<!\u200b--").split()) or " "
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
) -> str:
    """`hidden` is a line of our own (the state comment) placed right under the marker."""
    lines = [COMMENT_MARKER, *([hidden] if hidden else []), "## archbot review", ""]
    if not report.has_ml_changes:
        lines.append("No ML/LLM-related changes in this diff: nothing to review.")
        return "\n".join([*lines, *extra_sections, ""])
    for persona in report.personas:
        files = ", ".join(md_code(f) for f in persona.files[:8])
        more = f" and {len(persona.files) - 8} more" if len(persona.files) > 8 else ""
        reasons = "; ".join(md_text(r) for r in persona.reasons[:4])
        lines.append(
            f"**{persona.name}** reviewed {files}{more} — {reasons}"
            if reasons
            else f"**{persona.name}** reviewed {files}{more}"
        )
        lines.append("")
    top = [f for f in report.findings if f.severity >= Severity.HIGH]
    for severity, heading in ((Severity.CRITICAL, "Critical"), (Severity.HIGH, "High")):
        group = [f for f in top if f.severity == severity]
        if group:
            lines += [f"### {_ICONS[severity]} {heading} ({len(group)})", ""]
            lines += [_md_finding(f, link) for f in group]
            lines.append("")
    if not top:
        lines += ["No critical or high findings.", ""]
    rest = [f for f in report.findings if f.severity < Severity.HIGH]
    if rest:
        lines += [f"<details><summary>Medium and low ({len(rest)})</summary>", ""]
        lines += [_md_finding(f, link) for f in rest]
        lines += ["", "</details>", ""]
    lines += list(extra_sections)
    lines += _md_footer(report)
    body = "\n".join(lines) + "\n"
    if len(body) > MAX_COMMENT_CHARS:
        cut = body[: MAX_COMMENT_CHARS - 200].rsplit("\n- ", 1)[0]
        body = cut + "\n\n_The review was truncated to fit one comment; see the job summary._\n"
    return body


def _md_finding(finding: Finding, link: LinkFor | None) -> str:
    where = f"{finding.file}:{finding.line}"
    target = link(finding.file, finding.line) if link else None
    location = f"[{md_code(where)}]({target})" if target else md_code(where)
    icon = _ICONS[finding.severity]
    return (
        f"- {icon} {location} **{md_text(finding.title)}** {md_code(finding.rule)} — "
        f"{md_text(finding.rationale)} **Fix:** {md_text(finding.suggestion)}"
    )


def inline_body(finding: Finding) -> str:
    """The body of one inline review comment (critical/high findings on a line of the diff)."""
    return (
        f"{_ICONS[finding.severity]} **{md_text(finding.title)}** {md_code(finding.rule)}\n\n"
        f"{md_text(finding.rationale)}\n\n**Fix:** {md_text(finding.suggestion)}"
    )


def _md_footer(report: Report) -> list[str]:
    lines = ["<details><summary>Details</summary>", ""]
    for skipped in report.skipped:
        lines.append(f"- skipped {md_code(skipped.path)}: {md_text(skipped.reason)}")
    if report.llm.used:
        lines.append(f"- {md_text(_llm_footer(report))}")
    elif report.llm.error:
        lines.append(f"- persona review unavailable: {md_text(report.llm.error)}")
    else:
        lines.append("- persona review: off (rules only)")
    if report.redactions:
        lines.append(f"- {plural(report.redactions, 'secret')} redacted before the persona review")
    for notice in report.notices:
        lines.append(f"- notice: {md_text(notice)}")
    lines.append(f"- {md_text(summary_line(report))}")
    lines.append("- To silence a finding, add `# archbot: ignore[rule-id] reason` on its line.")
    lines += ["", "</details>"]
    return lines


# --- json ---------------------------------------------------------------------------------


def to_json(report: Report) -> dict[str, object]:
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
        },
        "findings": [f.to_json() for f in report.findings],
        "summary": report.summary,
        "llm": report.llm.to_json(),
        "notices": list(report.notices),
    }


def json_text(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


# --- GitHub workflow commands and SARIF ----------------------------------------------------

_ANNOTATION_LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "warning"}
_SARIF_LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}


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
                f"title={_command_property(f'archbot {finding.rule}: {_plain(finding.title)}')}",
            )
        )
        message = f"{_plain(finding.rationale)} Fix: {_plain(finding.suggestion)}"
        lines.append(f"::{level} {properties}::{command_data(message)}")
    lines.append(f"archbot: {summary_line(report)}")
    return "\n".join(lines) + "\n"


def sarif(report: Report, version: str) -> dict[str, object]:
    """SARIF 2.1.0 for code scanning; partialFingerprints keep alerts stable across pushes."""
    rules: dict[str, dict[str, object]] = {}
    results = []
    for finding in report.findings:
        rules.setdefault(
            finding.rule,
            {
                "id": finding.rule,
                "name": finding.rule,
                "shortDescription": {"text": _plain(finding.title)},
                "properties": {"persona": finding.persona, "source": finding.source},
            },
        )
        end = finding.end_line if finding.end_line is not None else finding.line
        results.append(
            {
                "ruleId": finding.rule,
                "level": _SARIF_LEVELS[finding.severity],
                "message": {
                    "text": f"{_plain(finding.title)}: {_plain(finding.rationale)} "
                    f"Fix: {_plain(finding.suggestion)}"
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": finding.line, "endLine": end},
                        }
                    }
                ],
                "partialFingerprints": {"archbotFingerprint/v1": finding.fingerprint},
                "properties": {"severity": finding.severity.label, "confidence": finding.confidence},
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "archbot",
                        "version": version,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }


def sarif_text(report: Report, version: str) -> str:
    return json.dumps(sarif(report, version), indent=2, ensure_ascii=False) + "\n"
