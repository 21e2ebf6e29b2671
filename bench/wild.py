"""Measure archbot in the wild: recent commits of public ML/LLM repositories, each in a full checkout.

For each repository: clone its mirror (/work/.mirror/OWNER+NAME/repo, `git clone --shared`, one clone
reused for all its commits, the checkout helper of bench/realworld.py), take its N most recent
non-merge commits of the default branch, check each out and run there, as a user would,
`archbot review --base SHA^ --head SHA --format json --no-llm`. Nothing of those repositories is
kept: the clones live in a temporary directory.

Printed: commits reviewed, crashes (an exit other than 0/1, or a traceback on stderr; a mirror that
lacks a blob the diff needs makes archbot exit 3 with a message, counted here too), time per
commit (mean, p95), routed share (commits with any file routed to a persona), findings per routed
commit, findings by rule, role and severity, then every finding (repo, commit, file:line, severity,
rule, role, title) so a human can judge each one.

`--skip K` passes over the K most recent commits first, so that a sample tuned on (the first 25) and
a sample measured on (the next 25) do not overlap.

Usage: python bench/wild.py [--per-repo N] [--skip K] [--repos OWNER/NAME,...] [--mirrors DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from realworld import ARCHBOT, DEFAULT_MIRRORS, Checkouts, archbot_env, git

# Recent ML/LLM repositories that are not realworld cases (the brief's wild list).
WILD_REPOS = (
    "crewAIInc/crewAI",
    "567-labs/instructor",
    "langchain-ai/langgraph",
    "explodinggradients/ragas",
    "UKPLab/sentence-transformers",
    "huggingface/smolagents",
    "pydantic/pydantic-ai",
    "openai/openai-agents-python",
    "letta-ai/letta",
    "guidance-ai/guidance",
    "microsoft/graphrag",
    "Arize-ai/phoenix",
    "huggingface/accelerate",
    "weaviate/Verba",
    "QuivrHQ/quivr",
    "run-llama/llama_deploy",
)
TITLE_CHARS = 90


def recent_commits(mirror: Path, count: int, skip: int = 0) -> list[str]:
    """The `count` most recent non-merge, non-root commits of the mirror's default branch, after
    passing over the `skip` most recent of them."""
    listed = git(mirror, "log", "--no-merges", "--format=%H %P", f"-n{skip + count + 1}", "HEAD").stdout
    commits = [line.split()[0] for line in listed.splitlines() if len(line.split()) == 2]
    return commits[skip : skip + count]


def review_commit(clone: Path, sha: str, cache: Path) -> dict[str, Any]:
    """One `archbot review` of `sha` in `clone`: exit code, seconds, stderr and the JSON report."""
    command = [str(ARCHBOT), "review", "--base", f"{sha}^", "--head", sha, "--format", "json", "--no-llm"]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=clone, capture_output=True, text=True, env=archbot_env(cache), check=False
    )
    seconds = time.perf_counter() - start
    report: dict[str, Any] | None = None
    if done.returncode in (0, 1):
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            report = None
    return {"exit": done.returncode, "seconds": seconds, "stderr": done.stderr, "report": report}


def crashed(result: dict[str, Any]) -> bool:
    return result["report"] is None or "Traceback (most recent call last)" in result["stderr"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def table(title: str, counts: Counter[str]) -> None:
    print(f"{title}:")
    for key, count in counts.most_common():
        print(f"  {count:5}  {key}")


def summarise(results: list[dict[str, Any]]) -> None:
    reviewed = [r for r in results if not crashed(r)]
    crashes = [r for r in results if crashed(r)]
    seconds = [r["seconds"] for r in results]
    routed = [r for r in reviewed if r["report"]["personas"]]
    findings = [(r, f) for r in reviewed for f in r["report"]["findings"]]
    routed_findings = sum(len(r["report"]["findings"]) for r in routed)
    repos = {r["repo"] for r in results}
    print(f"commits: {len(results)} from {len(repos)} repositories")
    tracebacks = sum("Traceback (most recent call last)" in r["stderr"] for r in crashes)
    print(f"crashes: {len(crashes)} ({tracebacks} with a traceback, the rest exited with a message)")
    for result in crashes:
        last = (result["stderr"].strip().splitlines() or [f"exit {result['exit']}"])[-1]
        print(f"  {result['repo']} {result['sha'][:10]}: exit {result['exit']}: {last}")
    mean = sum(seconds) / max(len(seconds), 1)
    print(f"time per commit: mean {mean:.2f} s, p95 {percentile(seconds, 0.95):.2f} s")
    share = 100 * len(routed) / max(len(reviewed), 1)
    print(f"routed: {len(routed)}/{len(reviewed)} commits ({share:.0f}%) have a file routed to a persona")
    print(
        f"findings: {len(findings)} ({sum(bool(r['report']['findings']) for r in reviewed)} commits), "
        f"{routed_findings / max(len(routed), 1):.2f} per routed commit"
    )
    table("by rule", Counter(f["rule"] for _, f in findings))
    table("by role", Counter(f.get("role") or "-" for _, f in findings))
    table("by severity", Counter(f["severity"] for _, f in findings))
    print("every finding (repo commit file:line severity rule role: title):")
    for result, finding in findings:
        lines = finding.get("lines") or [finding["line"]]
        where = f"{finding['file']}:{','.join(map(str, lines))}"
        folded = "".join(f" [{f['rule']}:{f['line']}]" for f in finding.get("folded", []))
        title = " ".join(finding["title"].split())[:TITLE_CHARS]
        print(
            f"  {result['repo']} {result['sha'][:10]} {where} {finding['severity']} {finding['rule']} "
            f"{finding.get('role') or '-'}: {title}{folded}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-repo", type=int, default=25, help="recent non-merge commits per repository")
    parser.add_argument("--skip", type=int, default=0, help="pass over this many most recent commits first")
    parser.add_argument("--repos", default=",".join(WILD_REPOS), help="comma-separated OWNER/NAME")
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--json", type=Path, metavar="OUT", help="save the raw results to OUT")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="archbot-wild-") as tmp:
        scratch = Path(tmp)
        checkouts = Checkouts(args.mirrors, scratch)
        for repo in [r for r in args.repos.split(",") if r]:
            mirror = checkouts.mirror(repo)
            if mirror is None:
                print(f"{repo}: no mirror in {args.mirrors}, skipped", file=sys.stderr)
                continue
            for sha in recent_commits(mirror, args.per_repo, args.skip):
                clone, how = checkouts.at(repo, sha)
                result = review_commit(clone, sha, scratch / "cache")
                results.append({"repo": repo, "sha": sha, "checkout": how, **result})
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    summarise(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
