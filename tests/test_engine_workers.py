"""Large changes are reviewed by forked workers: the report must be the one a single process gives."""

from __future__ import annotations

import json
from collections.abc import Callable

from archbot.rules import engine
from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

MODULE = '''"""Generation client {n}."""

import requests


def generate_{n}(prompts: list[str]) -> list[dict]:
    replies = []
    for prompt in prompts:
        replies.append(requests.post("http://tgi.internal:8080/generate", json={{"inputs": prompt}}).json())
    return replies
'''
BROKEN = "import requests\n\ndef broken(:\n"


def test_a_change_past_the_worker_threshold_keeps_every_finding_and_notice_in_order(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    count = 2 * engine.PARALLEL_FROM + 1
    for n in range(count):
        repo.write(f"gen/client_{n:03}.py", MODULE.format(n=n))
    repo.write("gen/client_050_broken.py", BROKEN)
    repo.git("add", "-A")

    result = run_archbot(
        "review", "--format", "json", "--fail-on", "never", "--no-llm", "--persona", "llm-ml-engineer"
    )

    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    # The same call in every file (in a loop over prompts: a batch): one finding per rule, listing
    # every other file in order.
    others = [{"file": f"gen/client_{n:03}.py", "lines": [9]} for n in range(1, count)]
    assert [(f["file"], f["line"], f["rule"], f["severity"], f["also"]) for f in report["findings"]] == [
        ("gen/client_000.py", 9, "http-call-no-timeout", "high", others),
        ("gen/client_000.py", 9, "llm-client-no-retry", "medium", others),
    ]
    assert report["notices"] == [
        "gen/client_050_broken.py: not valid Python (line 3); only text rules ran on it"
    ]
