"""Measure archbot on the real-world cases of ../shared/realworld (built into .realworld/).

For each case: rebuild the commit as two commits in a scratch repository (before/, then after/),
run `archbot review --base HEAD~1 --format json`, and print routing accuracy on defect and ml cases,
how many non-ml cases were silent, the defect entries found for categories the rules cover, and
every finding on ml cases (to judge whether each is worth a reviewer's time).

Usage: python bench/realworld.py [CASES_DIR] [--verbose]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARCHBOT = Path(sys.executable).parent / "archbot"
# Categories some rule covers. `prompt-injection-risk`, `unbounded-context` and `other` are "beyond
# any static rule" (../shared/realworld/README.md): they measure the persona review, not the rules.
CATEGORY_RULES = {
    "llm-no-timeout": {"llm-timeout-disabled", "llm-client-no-timeout", "http-call-no-timeout"},
    "blocking-call-in-async": {
        "sync-llm-client-in-async",
        "blocking-sleep-in-async",
        "blocking-call-in-async",
    },
    "unsafe-deserialization": {"unsafe-model-deserialization", "trust-remote-code"},
    "missing-seed": {"training-no-seed", "eval-no-seed"},
    "llm-no-retry": {"llm-client-no-retry", "llm-retries-disabled", "retry-unbounded", "retry-no-backoff"},
    "llm-call-in-loop": {"llm-call-in-loop", "embedding-call-per-item"},
    "llm-no-error-handling": {"llm-call-no-error-handling", "llm-error-swallowed"},
    "hardcoded-model-name": {"llm-model-hardcoded", "llm-model-alias-unpinned"},
    "unpinned-ml-dependency": {"unpinned-ml-dependency", "hf-unpinned-revision"},
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def rebuild(case: Path, scratch: Path) -> None:
    env_args = ["-c", "user.email=bench@example.test", "-c", "user.name=bench"]
    git(scratch, "init", "-q", "-b", "main")
    before = case / "before"
    if before.is_dir():
        shutil.copytree(before, scratch, dirs_exist_ok=True, copy_function=shutil.copyfile)
    git(scratch, "add", "-A")
    git(scratch, *env_args, "commit", "-q", "--allow-empty", "-m", "before")
    for path in (case / "before").rglob("*") if before.is_dir() else ():
        if path.is_file() and not (case / "after" / path.relative_to(before)).exists():
            (scratch / path.relative_to(before)).unlink()
    if (case / "after").is_dir():
        shutil.copytree(case / "after", scratch, dirs_exist_ok=True, copy_function=shutil.copyfile)
    git(scratch, "add", "-A")
    git(scratch, *env_args, "commit", "-q", "--allow-empty", "-m", "after")


def review(case: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        rebuild(case, scratch)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "PRE_COMMIT"))}
        env["ARCHBOT_CACHE_DIR"] = str(scratch / ".cache")
        result = subprocess.run(
            [
                str(ARCHBOT),
                "review",
                "--base",
                "HEAD~1",
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            cwd=scratch,
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode != 0:
            return {"error": result.stderr.strip()}
        report: dict[str, object] = json.loads(result.stdout)
        return report


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    args = [a for a in argv if not a.startswith("--")]
    cases_dir = Path(args[0]) if args else ROOT / ".realworld"
    if not cases_dir.is_dir():
        print(f"no cases in {cases_dir}: build them first (see ../shared/realworld/README.md)")
        return 2
    routed = routed_ok = silent = non_ml = covered = found = 0
    ml_findings: list[str] = []
    misses: list[str] = []
    for case in sorted(p for p in cases_dir.iterdir() if (p / "case.yaml").is_file()):
        meta = yaml.safe_load((case / "case.yaml").read_text())
        report = review(case)
        if "error" in report:
            print(f"{case.name}: archbot failed: {report['error']}")
            continue
        personas = [p["name"] for p in report["personas"]]  # type: ignore[index]
        findings = report["findings"]  # type: ignore[index]
        if meta["kind"] == "non-ml":
            non_ml += 1
            quiet = not personas and not findings
            silent += quiet
            if not quiet or verbose:
                print(f"{case.name} [non-ml] personas={personas} findings={len(findings)}")  # type: ignore[arg-type]
            continue
        routed += 1
        top_ok = bool(personas) and personas[0] in meta.get("personas", [])
        routed_ok += top_ok
        if not top_ok or verbose:
            print(f"{case.name} [{meta['kind']}] expected={meta.get('personas')} got={personas}")
        for entry in meta.get("expected", []) if meta["kind"] == "defect" else []:
            rules = CATEGORY_RULES.get(entry["category"])
            if rules is None:
                continue
            covered += 1
            hit = any(
                f["rule"] in rules and f["file"] == entry["file"] and abs(f["line"] - entry["line"]) <= 3
                for f in findings
            )  # type: ignore[union-attr]
            found += hit
            if not hit:
                misses.append(f"{case.name}: {entry['category']} {entry['file']}:{entry['line']}")
        if meta["kind"] == "ml":
            for f in findings:  # type: ignore[union-attr]
                ml_findings.append(f"{case.name}: {f['file']}:{f['line']} {f['severity']} {f['rule']}")
    print()
    print(
        f"routing: {routed_ok}/{routed} defect+ml cases routed to an expected persona first"
        f" ({100 * routed_ok / max(routed, 1):.0f}%)"
    )
    print(f"non-ml: {silent}/{non_ml} silent ({100 * silent / max(non_ml, 1):.0f}%)")
    print(f"defects with a covering rule found: {found}/{covered} ({100 * found / max(covered, 1):.0f}%)")
    for miss in misses:
        print(f"  missed {miss}")
    print(f"findings on ml cases: {len(ml_findings)}")
    for line in ml_findings:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
