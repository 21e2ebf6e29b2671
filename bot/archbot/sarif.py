"""Report -> SARIF 2.1.0 for GitHub code scanning: results with stable fingerprints, and rules with
their help (what, why, fix, examples, from the rule's documentation), tags and a security
severity, so that code scanning shows what an alert means and how to fix it, not a bare id."""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping

from archbot.models import Finding, Report, Severity
from archbot.render import plain

if typing.TYPE_CHECKING:
    from archbot.rules import RuleDoc

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# GitHub code scanning ranks security alerts by `security-severity`: over 9.0 critical, 7.0 to 8.9
# high, 4.0 to 6.9 medium, below that low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
# Rules whose defects are security weaknesses, with the CWE each one is an instance of. GitHub
# shows `security` rules as security alerts and links `external/cwe/cwe-N` tags to the CWE.
SECURITY_CWES: Mapping[str, int] = {
    "hardcoded-llm-api-key": 798,  # use of hard-coded credentials
    "k8s-secret-literal-env": 798,
    "unsafe-model-deserialization": 502,  # deserialization of untrusted data
    "trust-remote-code": 94,  # code injection
    "llm-output-exec": 94,
    "hf-unpinned-revision": 494,  # download of code without integrity check
    "k8s-image-unpinned": 494,
    "dockerfile-base-image-unpinned": 494,
    "unpinned-ml-dependency": 1357,  # reliance on insufficiently trustworthy component
    "user-input-in-system-prompt": 1427,  # improper neutralization of input used for LLM prompting
    "llm-prompt-logged": 532,  # insertion of sensitive information into a log file
    "llm-output-json-unvalidated": 20,  # improper input validation
}
_CODE_LANGUAGES = {"python": "python", "yaml": "yaml", "dockerfile": "dockerfile", "requirements": "text"}


def log(report: Report, version: str) -> dict[str, object]:
    """The SARIF log of one review: one run, a rule per rule id that has results."""
    from archbot.rules.registry import FAMILIES

    families = {spec.id: family for family, module in FAMILIES.items() for spec in module.RULES.specs}
    rules: dict[str, dict[str, object]] = {}
    results = []
    for finding in report.findings:
        if finding.rule not in rules:
            rules[finding.rule] = _rule(finding, families.get(finding.rule))
        end = finding.end_line if finding.end_line is not None else finding.line
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": list(rules).index(finding.rule),
                "level": LEVELS[finding.severity],
                "message": {
                    "text": f"{plain(finding.title)}: {plain(finding.rationale)} "
                    f"Fix: {plain(finding.suggestion)}"
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": finding.line, "endLine": end},
                        }
                    }
                ],
                # One rule's finding stands for every place of it in the file (filter.grouped),
                # and for the same code in other files (filter.across_files).
                **(
                    {
                        "relatedLocations": [
                            {
                                "id": index,
                                "physicalLocation": {
                                    "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                                    "region": {"startLine": line},
                                },
                                "message": {"text": "the same here"},
                            }
                            for index, (path, line) in enumerate(finding.elsewhere, start=1)
                        ]
                    }
                    if finding.elsewhere
                    else {}
                ),
                "partialFingerprints": {"archbotFingerprint/v1": finding.fingerprint},
                "properties": {"severity": finding.severity.label, "confidence": finding.confidence},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "archbot",
                        "version": version,
                        "semanticVersion": version,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
            }
        ],
    }


def text(report: Report, version: str) -> str:
    return json.dumps(log(report, version), indent=2, ensure_ascii=False) + "\n"


def _rule(finding: Finding, family: str | None) -> dict[str, object]:
    """A rule's descriptor: its documentation when it is a static rule, the persona's when the
    result comes from a persona review (the rule id is then the persona's name)."""
    from archbot.rules.registry import all_rules

    spec = all_rules().get(finding.rule) if finding.source == "rules" else None
    cwe = SECURITY_CWES.get(finding.rule)
    tags = ["archbot", *([family] if family else []), *(["llm-review"] if finding.source == "llm" else [])]
    tags += ["security", f"external/cwe/cwe-{cwe}"] if cwe is not None else ["reliability"]
    if spec is None:
        what = f"Finding of the {finding.rule} persona review with Claude"
        help_text = f"{what}. Each result carries its own explanation and fix."
        severity = finding.severity
        help_markdown = help_text
    else:
        what, severity = spec.doc.what, spec.severity
        language = next((name for kind, name in _CODE_LANGUAGES.items() if kind in spec.kinds), "")
        help_text, help_markdown = _help(spec.doc, spec.id, language)
    return {
        "id": finding.rule,
        "name": "".join(part.capitalize() for part in finding.rule.replace("/", "-").split("-")),
        "shortDescription": {"text": plain(spec.title if spec else finding.title)},
        "fullDescription": {"text": plain(what)},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": "high" if finding.source == "rules" else "medium",
            "problem.severity": "error" if severity >= Severity.HIGH else "warning",
        },
    }


def _help(doc: RuleDoc, rule_id: str, language: str) -> tuple[str, str]:
    """(plain text, markdown) help of a rule, from its documentation."""
    silence = f"# archbot: ignore[{rule_id}] <reason>"
    text_help = (
        f"{doc.what}\n\nWhy it matters:\n{doc.why}\n\nFix:\n{doc.fix}\n\n"
        f"Bad:\n{doc.bad}\n\nGood:\n{doc.good}\n\nSilence one occurrence: {silence}"
    )
    markdown = (
        f"{doc.what}\n\n**Why it matters:** {' '.join(doc.why.split())}\n\n"
        f"**Fix:** {' '.join(doc.fix.split())}\n\n"
        f"**Bad:**\n\n```{language}\n{doc.bad}\n```\n\n**Good:**\n\n```{language}\n{doc.good}\n```\n\n"
        f"Silence one occurrence with `{silence}`."
    )
    return text_help, markdown
