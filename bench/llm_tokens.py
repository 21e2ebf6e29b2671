"""What the persona review sends, measured against the local recording server.

For the `examples/` diffs (reviewed with `--diff` in this repository) and the real-world cases
(reviewed with `--base SHA^ --head SHA` in a full checkout from the mirror in /work/.mirror, when
there is one, else with `--diff` in the case's after/ directory), each reviewed twice with an empty
cache and then a warm one. Prints per case and in total:

- tokens per changed line: request tokens (system + user turn, about 4 characters a token, the
  recording server's own count) over the changed (added and removed) lines of the files sent;
- context share: the part of the user turn that is not the changed lines' own text;
- calls per review, and calls on the repeat (must be 0);
- cost per review: request tokens at the model's input price plus OUTPUT_TOKENS an answer at its
  output price (the stand-in answers briefly; a real answer with findings is about this long),
  without prompt-cache discounts, so the figure is an upper bound on the input side.

The first measurement of a tree is kept in bench/llm_tokens_baseline.json (`--record`); later runs
print their cost beside it. `--show NAME` prints instead the requests one case's review sends, as
the recording server received them (model, system text, each turn).

Usage: python bench/llm_tokens.py [--record] [--cases GLOB] [--limit N] [--show NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = Path("/work/.mirror")
BASELINE = ROOT / "bench" / "llm_tokens_baseline.json"
OUTPUT_TOKENS = 1000
# USD per million tokens (input, output) for the models archbot's personas use; the same figures
# for every tree measured, so before and after compare.
PRICES = {"claude-opus-5-5": (4.0, 20.0), "claude-sonnet-5-5": (2.0, 10.0), "claude-haiku-5-5": (0.10, 0.50)}
sys.path.insert(0, str(ROOT / "tests"))

from anthropic_server import AnthropicServer  # noqa: E402
from archbot import diff  # noqa: E402
from archbot.cli import main  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    cwd: Path
    args: tuple[str, ...]
    diff_text: str


@dataclasses.dataclass(frozen=True)
class Figures:
    changed: int
    calls: int
    repeat_calls: int
    request_tokens: int
    user_tokens: int
    changed_tokens: int
    cost: float


# How the request names each file it shows (in the JSON-escaped request body).
_FILE_HEADER = re.compile(r"(?:^|\\n)file: (.+?) \((?:added|modified|deleted|renamed|copied)")


def tokens(text: str) -> int:
    return len(text) // 4


def run(case: Case) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        previous = Path.cwd()
        os.chdir(case.cwd)
        try:
            main(["review", "--llm", *case.args, "--fail-on", "never", "--format", "json"])
        finally:
            os.chdir(previous)


@contextlib.contextmanager
def recording(cache: Path) -> Iterator[AnthropicServer]:
    server = AnthropicServer()
    server.start()
    os.environ.update(ANTHROPIC_BASE_URL=server.url, ANTHROPIC_API_KEY="bench", ARCHBOT_CACHE_DIR=str(cache))
    try:
        yield server
    finally:
        server.stop()


def measure(case: Case, cache: Path) -> Figures | None:
    with recording(cache) as server:
        run(case)
        first = server.messages()
        run(case)
        repeat = len(server.messages()) - len(first)
    if not first:
        return None
    sent = {m.group(1) for r in first for m in _FILE_HEADER.finditer(json.dumps(r.body["messages"]))}
    changed_lines = [
        line.text
        for f in diff.parse(case.diff_text)
        if json.dumps(f.path)[1:-1] in sent
        for hunk in f.hunks
        for line in hunk.lines
        if line.kind != " "
    ]
    user = sum(tokens(json.dumps(r.body["messages"])) for r in first)
    request = sum(tokens(json.dumps(r.body["system"])) for r in first) + user
    cost = 0.0
    for recorded in first:
        price_in, price_out = PRICES.get(recorded.body["model"], (0.0, 0.0))
        size = tokens(json.dumps(recorded.body["system"])) + tokens(json.dumps(recorded.body["messages"]))
        cost += (size * price_in + OUTPUT_TOKENS * price_out) / 1e6
    changed_tokens = min(sum(tokens(text) + 1 for text in changed_lines), user)
    return Figures(len(changed_lines), len(first), repeat, request, user, changed_tokens, cost)


def example_cases() -> list[Case]:
    return [
        Case(p.name, ROOT, ("--diff", str(p)), p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "examples").glob("*.diff"))
    ]


@contextlib.contextmanager
def realworld_cases(pattern: str, scratch: Path) -> Iterator[list[Case]]:
    """Each case in a clone of its repository when the mirror is here (a range review reads the
    commits, not the working tree: the clone needs none), else in its after/ tree."""
    directory = ROOT / ".realworld"
    cases: list[Case] = []
    checkouts: dict[str, Path] = {}
    for case_dir in sorted(directory.iterdir()) if directory.is_dir() else ():
        diff_path = case_dir / "change.diff"
        if not diff_path.is_file() or not fnmatch.fnmatch(case_dir.name, pattern):
            continue
        text = diff_path.read_text(encoding="utf-8", errors="replace")
        meta = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
        mirror = MIRRORS / meta["source"]["repo"].replace("/", "+") / "repo"
        commit = meta["source"]["commit"]
        if mirror.is_dir():
            checkout = checkouts.get(str(mirror))
            if checkout is None:
                checkout = scratch / mirror.parent.name
                subprocess.run(
                    ["git", "clone", "-q", "--shared", "--no-checkout", str(mirror), str(checkout)],
                    check=True,
                )
                checkouts[str(mirror)] = checkout
            cases.append(Case(case_dir.name, checkout, ("--base", f"{commit}^", "--head", commit), text))
        else:
            cases.append(Case(case_dir.name, case_dir / "after", ("--diff", str(diff_path)), text))
    yield cases


def show(case: Case, cache: Path) -> None:
    """Each request of one review as sent."""
    with recording(cache) as server:
        run(case)
    for number, recorded in enumerate(server.messages(), start=1):
        body = recorded.body
        print(f"=== request {number}: model {body['model']}, max_tokens {body['max_tokens']}")
        print("--- system")
        print("\n\n".join(block["text"] for block in body["system"]))
        for turn in body["messages"]:
            content = turn["content"]
            text = content if isinstance(content, str) else "\n".join(c.get("text", "") for c in content)
            print(f"--- {turn['role']}")
            print(text)


def report(rows: Sequence[tuple[str, Figures]], skipped: int) -> dict[str, float]:
    changed = sum(f.changed for _, f in rows)
    user = sum(f.user_tokens for _, f in rows)
    totals = {
        "reviews": len(rows),
        "tokens_per_changed_line": sum(f.request_tokens for _, f in rows) / max(changed, 1),
        "context_share": 1 - sum(f.changed_tokens for _, f in rows) / max(user, 1),
        "calls_per_review": sum(f.calls for _, f in rows) / max(len(rows), 1),
        "repeat_calls": sum(f.repeat_calls for _, f in rows),
        "cost_per_review_usd": sum(f.cost for _, f in rows) / max(len(rows), 1),
        "max_cost_usd": max((f.cost for _, f in rows), default=0.0),
    }
    print(
        f"\n{totals['reviews']} reviews ({skipped} with nothing routed): "
        f"{totals['tokens_per_changed_line']:.1f} request tokens per changed line, "
        f"context share {totals['context_share']:.0%}, {totals['calls_per_review']:.2f} calls per review, "
        f"{totals['repeat_calls']} calls on repeats, ${totals['cost_per_review_usd']:.4f} per review "
        f"(max ${totals['max_cost_usd']:.4f})"
    )
    return totals


def main_bench(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", action="store_true", help="keep these figures as the baseline")
    parser.add_argument("--cases", default="*", help="real-world case names to include (a glob)")
    parser.add_argument("--limit", type=int, default=0, help="at most N real-world cases")
    parser.add_argument("--show", metavar="NAME", help="print the requests of one case instead")
    options = parser.parse_args(argv)
    rows: list[tuple[str, Figures]] = []
    skipped = 0
    with tempfile.TemporaryDirectory() as scratch, realworld_cases(options.cases, Path(scratch)) as cases:
        if options.show:
            named = [c for c in example_cases() + cases if c.name == options.show]
            if not named:
                raise SystemExit(f"no case named {options.show}")
            show(named[0], Path(scratch) / "cache")
            return
        chosen = example_cases() + (cases[: options.limit] if options.limit else cases)
        for case in chosen:
            figures = measure(case, Path(scratch) / "cache" / case.name)
            if figures is None:
                skipped += 1
                print(f"{case.name:34} no persona review (nothing routed)")
                continue
            rows.append((case.name, figures))
            print(
                f"{case.name:34} changed={figures.changed:5} calls={figures.calls} "
                f"repeat={figures.repeat_calls} tokens={figures.request_tokens:6} "
                f"({figures.request_tokens / max(figures.changed, 1):6.1f}/line) "
                f"context={1 - figures.changed_tokens / max(figures.user_tokens, 1):4.0%} "
                f"cost=${figures.cost:.4f}"
            )
    totals = report(rows, skipped)
    per_case = {name: round(f.cost, 6) for name, f in rows}
    if options.record:
        BASELINE.write_text(json.dumps({"totals": totals, "cost": per_case}, indent=2) + "\n")
        print(f"recorded as the baseline in {BASELINE.relative_to(ROOT)}")
    elif BASELINE.is_file():
        baseline = json.loads(BASELINE.read_text())
        common = [n for n in per_case if n in baseline["cost"]]
        before = sum(baseline["cost"][n] for n in common)
        after = sum(per_case[n] for n in common)
        print(
            f"baseline: ${baseline['totals']['cost_per_review_usd']:.4f} per review, "
            f"{baseline['totals']['tokens_per_changed_line']:.1f} tokens per changed line, "
            f"context share {baseline['totals']['context_share']:.0%}, "
            f"{baseline['totals']['calls_per_review']:.2f} calls per review; on the {len(common)} "
            f"reviews both measured, cost is {after / max(before, 1e-9):.2f}x the baseline's"
        )


if __name__ == "__main__":
    main_bench(sys.argv[1:])
