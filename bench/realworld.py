"""Measure archbot on the real-world cases of ../shared/realworld, each in a full checkout.

For each case: clone its repository's mirror (/work/.mirror/OWNER+NAME/repo, `git clone --shared`,
one clone per repository, reused across its cases), check out the case's commit and run
`archbot review --base SHA^ --head SHA --format json` there, so archbot sees the whole repository as
a user's run does. A mirror may lack a few large blobs (media): those paths are left out of the
checkout (sparse checkout); where even that fails, the case runs in a `--no-checkout` clone and
archbot reads the commit from git. A case whose mirror is absent falls back to
the rebuilt two-commit repository of its changed files (.realworld/CASE/before, after) and says so.

Printed per part, TUNE and CHECK (the held-out repositories of the brief), then over all cases:
routing accuracy on defect and ml cases, non-ml silence, the defect entries found per category some
rule covers, and every finding on ml cases (to judge whether each is worth a reviewer's time).

Usage: python bench/realworld.py [CASES_DIR] [--mirrors DIR] [--only PREFIX,...] [--verbose]
       CASES_DIR: the built cases, one folder each with case.yaml (default .realworld)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARCHBOT = Path(sys.executable).parent / "archbot"
DEFAULT_MIRRORS = Path("/work/.mirror")
DEFAULT_CASES = ROOT / ".realworld"
# The held-out part of the cases (the brief's TUNE/CHECK split): measured, never tuned on.
CHECK_PREFIXES = ("peft-", "ragflow-", "kserve-", "lm-eval-", "bentoml-", "litgpt-")
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
    "trust-remote-code": {"trust-remote-code"},
    "missing-seed": {"training-no-seed", "eval-no-seed", "seed-not-passed", "shuffle-without-seed"},
    "k8s-no-resource-limits": {"k8s-serving-no-resources"},
    "k8s-no-probes": {"k8s-serving-no-readiness-probe", "k8s-serving-no-liveness-or-startup-probe"},
    "llm-no-retry": {"llm-client-no-retry", "llm-retries-disabled", "retry-unbounded", "retry-no-backoff"},
    "llm-call-in-loop": {"llm-call-in-loop", "embedding-call-per-item"},
    "llm-no-error-handling": {"llm-call-no-error-handling", "llm-error-swallowed"},
    "hardcoded-model-name": {"llm-model-hardcoded", "llm-model-alias-unpinned"},
    "unpinned-ml-dependency": {"unpinned-ml-dependency", "hf-unpinned-revision"},
    "unpinned-model-revision": {"hf-unpinned-revision"},
}
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


def part(case_id: str) -> str:
    return "CHECK" if case_id.startswith(CHECK_PREFIXES) else "TUNE"


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=False
    )


class Checkouts:
    """One `git clone --shared` per repository, reused for its cases; a `--no-checkout` clone for a
    commit whose checkout fails."""

    def __init__(self, mirrors: Path, scratch: Path) -> None:
        self._mirrors = mirrors
        self._scratch = scratch
        self._clones: dict[str, Path] = {}

    def mirror(self, repo: str) -> Path | None:
        path = self._mirrors / repo.replace("/", "+") / "repo"
        return path if (path / "HEAD").is_file() else None

    def at(self, repo: str, commit: str) -> tuple[Path, str]:
        """A clone of `repo` at `commit` and how it was made ('checkout' or 'no-checkout')."""
        mirror = self.mirror(repo)
        assert mirror is not None
        clone = self._clones.get(repo)
        if clone is None:
            clone = self._scratch / repo.replace("/", "+")
            done = git(self._scratch, "clone", "-q", "--shared", "--no-checkout", str(mirror), str(clone))
            if done.returncode != 0:
                raise RuntimeError(f"git clone {mirror} failed: {done.stderr.strip()}")
            self._clones[repo] = clone
        if self._checkout(clone, commit):
            return clone, "checkout"
        bare = self._scratch / f"{repo.replace('/', '+')}-{commit[:12]}"
        if not bare.exists():
            done = git(self._scratch, "clone", "-q", "--shared", "--no-checkout", str(mirror), str(bare))
            if done.returncode != 0:
                raise RuntimeError(f"git clone {mirror} failed: {done.stderr.strip()}")
        return bare, "no-checkout"

    @staticmethod
    def _checkout(clone: Path, commit: str) -> bool:
        """Check `commit` out; blobs the mirror lacks (large media) are left out by a sparse
        checkout of everything else. False when the checkout fails all the same."""
        listed = git(clone, "ls-tree", "-r", "-z", commit).stdout.split("\0")
        entries = [entry.split("\t", 1) for entry in listed if "\t" in entry]
        blobs = [(meta.split()[2], path) for meta, path in entries if meta.split()[1] == "blob"]
        checked = subprocess.run(
            ["git", "cat-file", "--batch-check"],
            cwd=clone,
            input="".join(f"{sha}\n" for sha, _ in blobs),
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
        missing = [path for (_, path), line in zip(blobs, checked, strict=False) if line.endswith(" missing")]
        if missing:
            patterns = "/*\n" + "".join(f"!/{path}\n" for path in missing)
            sparse = subprocess.run(
                ["git", "sparse-checkout", "set", "--no-cone", "--stdin"],
                cwd=clone,
                input=patterns,
                capture_output=True,
                text=True,
                check=False,
            )
            if sparse.returncode != 0:
                return False
        else:
            git(clone, "sparse-checkout", "disable")
        if git(clone, "checkout", "-q", "-f", "--detach", commit).returncode != 0:
            return False
        git(clone, "clean", "-q", "-f", "-d", "-x")
        return True


def archbot_env(cache: Path) -> dict[str, str]:
    """The environment of a rules-only run: no API keys, no hook or Action context, own cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "PRE_COMMIT", "GITHUB_"))}
    return env | GIT_ENV | {"ARCHBOT_CACHE_DIR": str(cache)}


def run_archbot(cwd: Path, base: str, head: str, cache: Path) -> dict[str, Any]:
    env = archbot_env(cache)
    command = [
        str(ARCHBOT),
        "review",
        "--base",
        base,
        "--head",
        head,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        return {"error": result.stderr.strip() or f"exit {result.returncode}"}
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def rebuild(case: Path, scratch: Path) -> None:
    """The fallback: the case's changed files as two commits (before/, then after/)."""
    env_args = ["-c", "user.email=bench@example.test", "-c", "user.name=bench"]
    git(scratch, "init", "-q", "-b", "main")
    before = case / "before"
    if before.is_dir():
        shutil.copytree(before, scratch, dirs_exist_ok=True, copy_function=shutil.copyfile)
    git(scratch, "add", "-A")
    git(scratch, *env_args, "commit", "-q", "--allow-empty", "-m", "before")
    for path in before.rglob("*") if before.is_dir() else ():
        if path.is_file() and not (case / "after" / path.relative_to(before)).exists():
            (scratch / path.relative_to(before)).unlink()
    if (case / "after").is_dir():
        shutil.copytree(case / "after", scratch, dirs_exist_ok=True, copy_function=shutil.copyfile)
    git(scratch, "add", "-A")
    git(scratch, *env_args, "commit", "-q", "--allow-empty", "-m", "after")


@dataclasses.dataclass
class Tally:
    routed: int = 0
    routed_ok: int = 0
    non_ml: int = 0
    silent: int = 0
    failed: int = 0
    covered: dict[str, int] = dataclasses.field(default_factory=dict)
    found: dict[str, int] = dataclasses.field(default_factory=dict)
    misses: list[str] = dataclasses.field(default_factory=list)
    loud_non_ml: list[str] = dataclasses.field(default_factory=list)
    misrouted: list[str] = dataclasses.field(default_factory=list)
    ml_findings: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    cases: int = 0

    def add(self, case_id: str, meta: dict[str, Any], report: dict[str, Any]) -> None:
        personas = [p["name"] for p in report["personas"]]
        findings: list[dict[str, Any]] = report["findings"]
        if meta["kind"] == "non-ml":
            self.non_ml += 1
            if not personas and not findings:
                self.silent += 1
            else:
                rules = ", ".join(f"{f['rule']} {f['file']}:{f['line']}" for f in findings)
                self.loud_non_ml.append(f"{case_id}: personas={personas} findings: {rules or '-'}")
            return
        self.routed += 1
        if personas and personas[0] in meta.get("personas", []):
            self.routed_ok += 1
        else:
            self.misrouted.append(
                f"{case_id} [{meta['kind']}] expected={meta.get('personas')} got={personas}"
            )
        for entry in meta.get("expected", []) if meta["kind"] == "defect" else []:
            category: str = entry["category"]
            covering = CATEGORY_RULES.get(category)
            if covering is None:
                continue
            self.covered[category] = self.covered.get(category, 0) + 1
            hit = any(
                rule in covering and file == entry["file"] and abs(line - entry["line"]) <= 3
                for rule, file, line in places(findings)
            )
            self.found[category] = self.found.get(category, 0) + hit
            if not hit:
                self.misses.append(f"{case_id}: {category} {entry['file']}:{entry['line']}")
        if meta["kind"] == "ml":
            self.ml_findings += [
                f"{case_id}: {f['file']}:{f['line']} {f['severity']} {f['rule']}" for f in findings
            ]


def places(findings: list[dict[str, Any]]) -> Iterable[tuple[str, str, int]]:
    """(rule, file, line) of every place a finding stands for: each line of one rule's finding
    grouped over a file, and of the other files it stands for (the same code there), each finding
    folded into a hygiene line."""
    for finding in findings:
        if finding.get("folded"):
            yield from ((f["rule"], finding["file"], f["line"]) for f in finding["folded"])
        else:
            yield from (
                (finding["rule"], finding["file"], line) for line in finding.get("lines", [finding["line"]])
            )
        yield from (
            (finding["rule"], other["file"], line)
            for other in finding.get("also", [])
            for line in other["lines"]
        )


def percent(part_count: int, whole: int) -> str:
    return f"{part_count}/{whole} ({100 * part_count / max(whole, 1):.0f}%)"


def print_tally(name: str, tally: Tally, verbose: bool) -> None:
    per_case = tally.seconds / max(tally.cases, 1)
    print(f"== {name}: {tally.cases} cases, {tally.failed} failed, {per_case:.2f} s/case")
    routed = percent(tally.routed_ok, tally.routed)
    print(f"routing: {routed} defect+ml cases routed to an expected persona first")
    for line in tally.misrouted if verbose else ():
        print(f"  {line}")
    print(f"non-ml silence: {percent(tally.silent, tally.non_ml)}")
    for line in tally.loud_non_ml:
        print(f"  loud {line}")
    covered, found = sum(tally.covered.values()), sum(tally.found.values())
    print(f"defects with a covering rule found: {percent(found, covered)}")
    for category in sorted(tally.covered):
        print(f"  {category:24} {tally.found[category]}/{tally.covered[category]}")
    for miss in tally.misses:
        print(f"  missed {miss}")
    print(f"findings on ml cases: {len(tally.ml_findings)}")
    for line in tally.ml_findings:
        print(f"  {line}")
    print()


def load_cases(cases_dir: Path, only: Iterable[str]) -> list[tuple[str, dict[str, Any], Path]]:
    prefixes = tuple(only)
    cases = []
    for case in sorted(p for p in cases_dir.iterdir() if (p / "case.yaml").is_file()):
        if prefixes and not case.name.startswith(prefixes):
            continue
        meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
        cases.append((case.name, meta, case))
    return cases


def review_case(
    case: Path, meta: dict[str, Any], checkouts: Checkouts, scratch: Path
) -> tuple[dict[str, Any], str]:
    source = meta["source"]
    commit = source["commit"]
    if checkouts.mirror(source["repo"]) is not None:
        clone, how = checkouts.at(source["repo"], commit)
        return run_archbot(clone, f"{commit}^", commit, scratch / "cache"), how
    if not (case / "after").is_dir() and not (case / "before").is_dir():
        return {"error": f"no mirror of {source['repo']} and no before/after files in {case}"}, "missing"
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        rebuild(case, Path(tmp))
        return run_archbot(Path(tmp), "HEAD~1", "HEAD", scratch / "cache"), "rebuilt"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--only", default="", help="comma-separated case id prefixes")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.cases.is_dir():
        print(f"no cases in {args.cases}")
        return 2
    cases = load_cases(args.cases, [p for p in args.only.split(",") if p])
    tallies = {"TUNE": Tally(), "CHECK": Tally()}
    modes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="archbot-realworld-") as tmp:
        scratch = Path(tmp)
        checkouts = Checkouts(args.mirrors, scratch)
        for case_id, meta, case in cases:
            tally = tallies[part(case_id)]
            start = time.perf_counter()
            report, how = review_case(case, meta, checkouts, scratch)
            tally.seconds += time.perf_counter() - start
            tally.cases += 1
            modes[how] = modes.get(how, 0) + 1
            if "error" in report:
                tally.failed += 1
                print(f"{case_id}: archbot failed ({how}): {report['error']}")
                continue
            tally.add(case_id, meta, report)
            if args.verbose:
                print(f"{case_id} [{meta['kind']}] {how}: {len(report['findings'])} findings")
    print(f"cases reviewed: {', '.join(f'{n} {how}' for how, n in sorted(modes.items()))}\n")
    for name, tally in tallies.items():
        print_tally(name, tally, args.verbose)
    overall = Tally()
    for tally in tallies.values():
        for field in dataclasses.fields(Tally):
            value = getattr(tally, field.name)
            total = getattr(overall, field.name)
            if isinstance(value, dict):
                for key, count in value.items():
                    total[key] = total.get(key, 0) + count
            elif isinstance(value, list):
                total.extend(value)
            else:
                setattr(overall, field.name, total + value)
    print(
        f"== ALL: routing {percent(overall.routed_ok, overall.routed)}, "
        f"non-ml silence {percent(overall.silent, overall.non_ml)}, "
        f"defects found {percent(sum(overall.found.values()), sum(overall.covered.values()))}, "
        f"ml findings {len(overall.ml_findings)}, failed {overall.failed}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
