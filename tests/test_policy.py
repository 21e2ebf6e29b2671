"""The role policy (policy.py) as a user meets it: which rules speak in which kind of code and how
loudly, the hygiene line, one finding per rule per file, one finding per topic per line, and the
scope that keeps a change with no ML/LLM code silent. Every registered rule has an entry."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from archbot import diff, filter, models, policy
from archbot.config import Config, RulesConfig
from archbot.models import Finding, Severity
from archbot.rules.registry import all_rules
from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

LIBRARY_PYPROJECT = (
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
    '[project]\nname = "ranker"\nversion = "1.0"\ndependencies = ["torch>=2.3", "openai"]\n'
)
APP_PYPROJECT = LIBRARY_PYPROJECT.replace('"openai"]', '"openai", "fastapi>=0.110"]')
# Shaped like a legacy OpenAI key (the gitleaks pattern), assembled so no scanner flags this file.
OPENAI_KEY = "sk-" + "Ab3dE" * 4 + "T3Blbk" + "FJ" + "Zx9Yw" * 4
# An ML module (it imports openai) with a missing HTTP timeout (line 7) and a disabled LLM
# client timeout (line 4).
CLIENT = (
    "import openai\n"
    "import requests\n\n"
    "client = openai.OpenAI(timeout=None)\n\n\n"
    'def health():\n    return requests.get("http://ranker.internal/health")\n'
)
EXEC = (
    "from anthropic import Anthropic\n\n"
    "client = Anthropic(timeout=60)\n\n\n"
    "def run(question):\n"
    '    message = client.messages.create(model="claude-sonnet-4-5-20250929", max_tokens=100,\n'
    '                                     messages=[{"role": "user", "content": question}])\n'
    "    exec(message.content[0].text)\n"
)
TRUST = (
    "from transformers import AutoModel\n\n"
    "REVISION = 'v2.1'  # a tag: it can move\n"
    "model = AutoModel.from_pretrained('acme/ranker', revision=REVISION, trust_remote_code=True)\n"
)
CLI_PYPROJECT = LIBRARY_PYPROJECT + '\n[project.scripts]\nranker = "ranker.cli:main"\n'


# Every rule's row, pinned: a change to where a rule speaks is a deliberate change of this table.
ROWS = {
    "hardcoded-llm-api-key": "committed secret",
    "llm-output-exec": "code execution",
    "k8s-secret-literal-env": "security",
    "trust-remote-code": "security",
    "unsafe-model-deserialization": "security",
    "user-input-in-system-prompt": "security",
    "blocking-call-in-async": "event loop",
    "blocking-sleep-in-async": "event loop",
    "sync-llm-client-in-async": "event loop",
    "llm-unbounded-gather": "robustness",
    "retry-unbounded": "robustness",
    "llm-error-swallowed": "robustness",
    "llm-output-json-unvalidated": "robustness",
    "inference-without-eval-mode": "correctness",
    "embedding-model-mismatch": "correctness",
    "training-no-zero-grad": "training loop",
    "loss-accumulated-with-graph": "training loop",
    "validation-without-eval-mode": "training loop",
    "llm-timeout-disabled": "reliability",
    "llm-client-no-timeout": "reliability",
    "http-call-no-timeout": "reliability",
    "llm-client-no-retry": "retries of a client called in bulk",
    "llm-retries-disabled": "reliability",
    "retry-no-backoff": "reliability",
    "llm-no-max-tokens": "application",
    "llm-cache-no-ttl": "reliability",
    "llm-call-in-loop": "reliability",
    "embedding-call-per-item": "reliability",
    "llm-prompt-logged": "reliability",
    "llm-call-no-error-handling": "application",
    "training-no-seed": "hygiene",
    "eval-no-seed": "hygiene",
    "seed-not-passed": "hygiene",
    "shuffle-without-seed": "hygiene",
    "llm-model-alias-unpinned": "model choice",
    "llm-model-hardcoded": "model choice",
    "hf-unpinned-revision": "hub revision",
    "unpinned-ml-dependency": "dependency pins",
    "dockerfile-base-image-unpinned": "deployment",
    "k8s-image-unpinned": "deployment",
    "k8s-gpu-resources-invalid": "deployment",
    "k8s-serving-no-resources": "deployment",
    "k8s-serving-no-readiness-probe": "deployment",
    "k8s-serving-no-liveness-or-startup-probe": "deployment",
    "k8s-probes-identical": "deployment",
    "k8s-serving-single-replica-no-hpa": "deployment",
}
# Row -> role -> treatment, pinned.
TREATMENTS = {
    "committed secret": dict.fromkeys(models.ROLE_NAMES, "report"),
    "code execution": {
        **dict.fromkeys(("service", "library", "infra", "test", "example", "script"), "report"),
        **dict.fromkeys(("docs", "generated", "vendored"), "drop"),
    },
}
SHIPPED = {
    "service": "report",
    "library": "report",
    "infra": "report",
    "test": "drop",
    "example": "fold",
    "script": "fold",
    "docs": "drop",
    "generated": "drop",
    "vendored": "drop",
}
# Hardening and hygiene: nothing in examples (they leave these to their readers).
# Hardening: nothing in examples or scripts (whoever runs them chooses it); a script keeps its seeds.
HARDENING = {**SHIPPED, "example": "drop", "script": "drop"}
TREATMENTS["correctness"] = SHIPPED
TREATMENTS["hygiene"] = {**SHIPPED, "example": "drop"}
for row in ("robustness", "security", "deployment", "hub revision", "event loop"):
    TREATMENTS[row] = HARDENING
TREATMENTS["reliability"] = {**HARDENING, "library": "lower"}
TREATMENTS["training loop"] = {**SHIPPED, "script": "report"}
# Variant -> its row, for the rules whose variants have rows of their own.
VARIANTS = {
    "hardcoded-llm-api-key": {"own": "a literal secret of no hosted service"},
    "hf-unpinned-revision": {"named": "hub revision of a named id"},
    "llm-client-no-retry": {"batch": "reliability"},
    "llm-client-no-timeout": {"component": "component default timeout"},
    "llm-output-exec": {"untraced": "code execution, input untraced"},
    "retry-unbounded": {"transient": "application"},
    "training-no-seed": {"entry-point": "hygiene"},
    "trust-remote-code": {"named": "remote code of a named model"},
    "unsafe-model-deserialization": {
        "own-file": "an artifact of no outside source",
        "run-time": "an artifact of no outside source",
        "in-house": "an artifact of no outside source, in a package no one else installs",
    },
}
TREATMENTS["code execution, input untraced"] = HARDENING
# Variants that are a team's policy, off unless `rules.enable` lists their rule.
OPT_IN_VARIANTS = {
    "hf-unpinned-revision": frozenset(["named"]),
    "training-no-seed": frozenset(["entry-point"]),
}
TREATMENTS["remote code of a named model"] = {**HARDENING, "library": "drop"}
TREATMENTS["hub revision of a named id"] = {**HARDENING, "library": "drop"}
TREATMENTS["component default timeout"] = {**HARDENING, "library": "drop"}
# A single call without retries: a library's client (called in bulk), not a service's request.
TREATMENTS["retries of a client called in bulk"] = {
    **dict.fromkeys(models.ROLE_NAMES, "drop"),
    "library": "lower",
}
TREATMENTS["an artifact of no outside source"] = {
    **dict.fromkeys(models.ROLE_NAMES, "drop"),
    "library": "report",
}
TREATMENTS["a literal secret of no hosted service"] = {**TREATMENTS["committed secret"], "test": "drop"}
TREATMENTS["an artifact of no outside source, in a package no one else installs"] = dict.fromkeys(
    models.ROLE_NAMES, "drop"
)


def test_persona_findings_are_never_folded() -> None:
    row = policy.policy("llm-ml-engineer").row
    assert (row.name, dict(row.treatments)) == (
        "persona review",
        {**SHIPPED, "example": "lower", "script": "lower"},
    )


TREATMENTS["application"] = {**HARDENING, "library": "drop"}
TREATMENTS["model choice"] = {**HARDENING, "library": "drop"}
TREATMENTS["dependency pins"] = {**HARDENING, "library": "drop"}


# Rules that speak beyond the files whose own code is ML/LLM-related.
SCOPES = {
    "hardcoded-llm-api-key": "any",
    "trust-remote-code": "any",
    "unsafe-model-deserialization": "change",
}


def test_every_registered_rule_has_a_policy_entry() -> None:
    registered = set(all_rules())
    assert sorted(registered - set(policy.POLICY)) == []
    assert sorted(set(policy.POLICY) - registered) == []


@pytest.mark.parametrize("rule", sorted(ROWS))
def test_the_policy_of_each_rule(rule: str) -> None:
    entry = policy.POLICY[rule]
    assert entry.row.name == ROWS[rule]
    assert dict(entry.row.treatments) == TREATMENTS[ROWS[rule]]
    assert entry.scope == SCOPES.get(rule, "ml")
    assert {variant: row.name for variant, row in entry.variants.items()} == VARIANTS.get(rule, {})
    for row in entry.variants.values():
        assert dict(row.treatments) == TREATMENTS[row.name]
    assert entry.opt_in_variants == OPT_IN_VARIANTS.get(rule, frozenset())


def test_the_rules_that_judge_a_call_by_its_options() -> None:
    """Their gap stays when a change only gives the call other values (carried.py); the others
    read those values (a request body's seed, a prompt) and speak when they change."""
    assert sorted(spec.id for spec in all_rules().values() if spec.subject == "call") == [
        "hf-unpinned-revision",
        "http-call-no-timeout",
        "llm-client-no-timeout",
        "llm-no-max-tokens",
        "llm-retries-disabled",
        "llm-timeout-disabled",
        "llm-unbounded-gather",
        "retry-no-backoff",
        "trust-remote-code",
    ]


def test_the_rules_that_judge_a_call_by_its_surroundings() -> None:
    """Their gap closes around the call (a retry wrapper, the client's construction, a batch in
    place of the loop, the work moved off the event loop), so it stays when the call is given
    other arguments (carried.py)."""
    assert sorted(spec.id for spec in all_rules().values() if spec.subject == "surroundings") == [
        "blocking-call-in-async",
        "blocking-sleep-in-async",
        "embedding-call-per-item",
        "llm-call-in-loop",
        "llm-client-no-retry",
        "retry-unbounded",
        "sync-llm-client-in-async",
    ]


def test_the_policy_repeats_the_schema_names() -> None:
    assert policy.ROLE_NAMES == models.ROLE_NAMES
    assert policy.HYGIENE_RULE == models.HYGIENE_RULE


def test_rules_explain_where_they_speak(run_archbot: RunArchbot) -> None:
    result = run_archbot("rules", "llm-client-no-timeout")

    assert result.code == 0
    assert (
        "Where it speaks (role policy, row 'reliability'):\n"
        "    service, infra: reported\n"
        "    library: one severity lower\n"
        "    test, example, script, docs, generated, vendored: not reported\n"
        "    only in files whose own code is ML/LLM-related\n"
        "Its 'component' findings (row 'component default timeout'):\n"
        "    service, infra: reported\n"
        "    library, test, example, script, docs, generated, vendored: not reported\n"
    ) in result.out
    variant = run_archbot("rules", "hf-unpinned-revision")
    assert variant.code == 0
    assert (
        "Where it speaks (role policy, row 'hub revision'):\n"
        "    service, library, infra: reported\n"
        "    test, example, script, docs, generated, vendored: not reported\n"
        "    only in files whose own code is ML/LLM-related\n"
        "Its 'named' findings (row 'hub revision of a named id'):\n"
        "    off by default (a team's policy): rules: {enable: [hf-unpinned-revision]} turns them on\n"
        "    service, infra: reported\n"
        "    library, test, example, script, docs, generated, vendored: not reported\n"
    ) in variant.out
    hygiene = run_archbot("rules", "hygiene")
    assert hygiene.code == 0
    assert hygiene.out.startswith("hygiene: Hygiene notes in example or script code\n")
    assert "Where it speaks" not in hygiene.out


# The config of a team that enables the opt-in policy rules.
ENABLE_ALL = "rules:\n  enable: ['*']\n"


def review(run_archbot: RunArchbot, *extra: str) -> dict[str, object]:
    result = run_archbot("review", "--format", "json", "--fail-on", "never", *extra)
    assert (result.code, result.err) == (0, "")
    report: dict[str, object] = json.loads(result.out)
    return report


def found(report: dict[str, object]) -> list[tuple[str, str, str, list[int]]]:
    return [
        (f["file"], f["rule"], f["severity"], f["lines"])
        for f in report["findings"]  # type: ignore[attr-defined]
    ]


def edited(
    repo: GitRepo, run_archbot: RunArchbot, path: str, before: str, after: str, message: str
) -> tuple[list[tuple[str, str, str, list[int]]], list[tuple[str, str, str, list[int]]]]:
    """What a review says of `path` staged as `before`, and of the commit that makes it `after`."""
    repo.stage(path, before)
    added = found(review(run_archbot))
    repo.commit("before")
    repo.stage(path, after)
    repo.commit(message)
    return added, found(review(run_archbot, "--base", "HEAD~1"))


def test_severity_follows_the_role(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """The same missing timeouts: as written in a service, one step lower in a library, not
    reported in a script (its runner waits on it) or a test."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/client.py", CLIENT)
    repo.stage("service/client.py", CLIENT)
    repo.stage("scripts/client.py", CLIENT)
    repo.stage("tests/test_client.py", CLIENT)

    report = review(run_archbot)

    assert found(report) == [
        ("service/client.py", "llm-timeout-disabled", "high", [4]),
        ("ranker/client.py", "llm-timeout-disabled", "medium", [4]),
        ("service/client.py", "http-call-no-timeout", "medium", [8]),
        ("ranker/client.py", "http-call-no-timeout", "low", [8]),
    ]


# A shipped module with a self-check run as a program: its `__main__` block (lines 12-14).
CLIENT_WITH_SELF_CHECK = (
    CLIENT
    + "\n\n"
    + 'if __name__ == "__main__":\n'
    + "    probe = openai.OpenAI(timeout=None)\n"
    + '    print(requests.get("http://ranker.internal/health").status_code, probe)\n'
)


def test_a_shipped_modules_main_block_is_script_code(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """The block a module runs only as a program is judged as a script's code: the same missing
    timeouts are reported above it and not in it; `archbot route` says which lines it holds. A
    committed secret there is reported as anywhere."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/client.py", CLIENT_WITH_SELF_CHECK)
    repo.stage(
        "ranker/keys.py",
        'if __name__ == "__main__":\n'
        '    OPENAI_API_KEY = "sk-proj-Hq8ZJewM2MsfG7wzAbcg2CPoZwfFv6MIA1UmCko"\n',
    )

    report = review(run_archbot)
    route = run_archbot("route")

    assert found(report) == [
        ("ranker/keys.py", "hardcoded-llm-api-key", "critical", [2]),
        ("ranker/client.py", "llm-timeout-disabled", "medium", [4]),
        ("ranker/client.py", "http-call-no-timeout", "low", [8]),
    ]
    assert (
        "ranker/client.py -> llm-ml-engineer\n  role: library (in a distributable package: pyproject.toml"
        " builds a package; lines 12-13: its `__main__` block, script code (run only as a program))\n"
    ) in route.out


# A data-preparation script: two streaming datasets shuffled without a seed (lines 3 and 4).
STREAMS = (
    "from datasets import load_dataset\n\n"
    'web = load_dataset("acme/web", split="train", streaming=True).shuffle(buffer_size=100)\n'
    'code = load_dataset("acme/code", split="train", streaming=True).shuffle(buffer_size=100)\n'
)


def test_a_scripts_unseeded_shuffles_fold_into_one_hygiene_line(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """What changes a script's results (here an unseeded shuffle) is noted in one low line per
    file; shipped code reports it."""
    repo.stage("scripts/prepare.py", STREAMS)
    repo.stage("app/prepare.py", STREAMS)

    report = review(run_archbot)

    (hygiene,) = [f for f in report["findings"] if f["rule"] == "hygiene"]  # type: ignore[attr-defined]
    assert (hygiene["file"], hygiene["lines"], hygiene["severity"]) == ("scripts/prepare.py", [3, 4], "low")
    assert hygiene["title"] == "Hygiene notes in script code (1 rule)"
    assert hygiene["folded"] == [
        {"rule": "shuffle-without-seed", "line": 3, "severity": "low"},
        {"rule": "shuffle-without-seed", "line": 4, "severity": "low"},
    ]
    assert ("app/prepare.py", "shuffle-without-seed", "low", [3, 4]) in found(report)


def test_a_hygiene_line_lists_each_rules_place_once(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """Two matches of one rule on one line (an unseeded forest, fitted in a module that seeds
    nothing: line 5) are one place of the hygiene line."""
    repo.stage(
        "scripts/fit_forest.py",
        "from sklearn.ensemble import RandomForestRegressor\n\n\n"
        "def main(X, y):\n    return RandomForestRegressor().fit(X, y)\n\n\n"
        'if __name__ == "__main__":\n    main([[0]], [0])\n',
    )

    (hygiene,) = review(run_archbot)["findings"]  # type: ignore[misc]
    assert (hygiene["rule"], hygiene["lines"]) == ("hygiene", [5])
    assert hygiene["folded"] == [{"rule": "training-no-seed", "line": 5, "severity": "low"}]


def test_the_hygiene_line_never_fails_a_build(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("scripts/prepare.py", STREAMS)

    result = run_archbot("review", "--fail-on", "low", "--quiet")

    assert result.code == 0
    first = result.out.splitlines()[0]
    assert first == "scripts/prepare.py:3: low [hygiene] Hygiene notes in script code (1 rule)"


# A script loading Hub data and a model: the revisions are unpinned (lines 4 and 5).
LOADER = (
    "from datasets import load_dataset\n"
    "from transformers import AutoModel\n\n"
    'data = load_dataset("glue", "mrpc")\n'
    'model = AutoModel.from_pretrained("google-bert/bert-base-cased")\n'
)


def test_a_rewritten_line_carries_its_old_hygiene_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A renamed dataset (line 3) or a new argument (line 4) on a script's unseeded shuffle brings
    no new hygiene note; a shuffle the change adds (line 5) does; shipped code keeps its findings on
    rewritten lines."""
    repo.stage("scripts/prepare.py", STREAMS)
    repo.stage("app/prepare.py", STREAMS)
    repo.commit("before")
    rewritten = STREAMS.replace("acme/web", "acme/web-v2").replace(
        '"acme/code", split="train"', '"acme/code", split="train", trust_remote_code=False'
    )
    added = 'docs = load_dataset("acme/docs", split="train", streaming=True).shuffle(buffer_size=100)\n'
    repo.stage("scripts/prepare.py", rewritten + added)
    repo.stage("app/prepare.py", rewritten)
    repo.commit("rename the web dataset")

    report = review(run_archbot, "--base", "HEAD~1")

    assert [f for f in found(report) if f[1] in ("hygiene", "shuffle-without-seed")] == [
        ("app/prepare.py", "shuffle-without-seed", "low", [3, 4]),
        ("scripts/prepare.py", "hygiene", "low", [5]),
    ]


# A gateway module before the change: an unbounded HTTP call (line 6), a sleep in sync code (line 10),
# a coroutine, and a helper with an unbounded call (line 18) that the change moves to another module.
GATEWAY = (
    "import time\n\nimport openai\nimport requests\n\n"
    "def fetch(url):\n    return requests.get(url)\n\n\n"
    "def pause():\n    time.sleep(1)\n\n\n"
    "async def serve(client):\n    return await client.models.list()\n\n\n"
    "def probe(url):\n    return requests.get(url)\n"
)
GATEWAY_AFTER = (
    "import logging\nimport time\n\nimport openai\nimport requests\n\n"
    "def fetch(url):\n    try:\n        return requests.get(url)\n"
    "    except requests.RequestException:\n        logging.exception(url)\n        raise\n\n\n"
    "async def serve(client):\n    time.sleep(1)\n    return await client.models.list()\n\n\n"
    "def refresh(url, token):\n    return requests.get(url, headers={'Authorization': token})\n"
)
PROBES = "import openai\nimport requests\n\n\ndef probe(url):\n    return requests.get(url)\n"


def test_a_moved_line_carries_its_old_findings_silently(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A call re-indented into a `try` (line 9) or moved to another module (probes.py:6) brings no
    new finding: only what the change introduces is reported. A sleep moved into an `async def`
    (line 16) and a call whose arguments changed (line 21) speak."""
    repo.stage("app/gateway.py", GATEWAY)
    repo.commit("before")
    repo.stage("app/gateway.py", GATEWAY_AFTER)
    repo.stage("app/probes.py", PROBES)
    repo.commit("handle errors; move the probe")

    assert found(review(run_archbot, "--base", "HEAD~1")) == [
        ("app/gateway.py", "blocking-sleep-in-async", "high", [16]),
        ("app/gateway.py", "http-call-no-timeout", "medium", [21]),
    ]


# An ML module's requests without a timeout (lines 8, 17, 21 and 25).
UPLOADS = (
    "import json\n\nimport openai\nimport requests\n\n\n"
    "def upload(url, token):\n"
    "    return requests.post(\n"
    "        url,\n"
    "        headers={\n"
    '            "Authorization": token,\n'
    "        },\n"
    "    )\n\n\n"
    "def fetch(url):\n"
    "    return requests.get(url)\n\n\n"
    "def status(base):\n"
    '    return requests.get(base, params={"v": 1})\n\n\n'
    "def listing(url):\n"
    "    return json.loads(requests.get(url).text)\n\n\n"
    "def send(url, body, payload):\n"
    "    requests.post(url, data=body)\n"
    "    return requests.post(url, data=body)\n"
)


def test_a_call_given_other_values_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A header added inside a request's `headers={...}` (line 12), another address and query
    (line 22) or a keyword renamed with its value kept (line 30) edit what the call is given, not
    the call: its missing timeout was there before. A keyword added to the call itself (line 18),
    also to a call inside another's argument (line 26), a keyword swapped for another given
    another value (line 31), and a new call (line 35) speak."""
    repo.stage("app/uploads.py", UPLOADS)
    repo.commit("before")
    edited = (
        UPLOADS.replace("token,\n", 'token,\n            "X-Team": "ml",\n')
        .replace("get(url)", "get(url, verify=False)")
        .replace('get(base, params={"v": 1})', 'get(f"{base}/status", params={"v": 2})')
        .replace("    requests.post(url, data=body)", "    requests.post(url, json=body)")
        .replace("return requests.post(url, data=body)", "return requests.post(url, json=payload)")
    )
    repo.stage("app/uploads.py", edited + "\n\ndef models(base):\n    return requests.get(base)\n")
    repo.commit("tag uploads; add the model listing")

    assert found(review(run_archbot, "--base", "HEAD~1")) == [
        ("app/uploads.py", "http-call-no-timeout", "medium", [18, 26, 31, 35]),
    ]


# A service's Hub generation calls, through a client that does not retry (lines 7 and 11).
COMPLETIONS = (
    "from huggingface_hub import InferenceClient\n\n"
    'client = InferenceClient(model="acme/chat", timeout=30)\n\n\n'
    "def complete(prompt):\n"
    "    return client.text_generation(prompt, max_new_tokens=64)\n\n\n"
    "def headline(text):\n"
    "    return client.text_generation(text, max_new_tokens=16)\n"
)


SUMMARY = "\n\ndef summary(text):\n    return client.text_generation({given}, max_new_tokens=32)\n"


def test_a_call_given_its_callers_arguments_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """The caller's options forwarded into a call (`**options` added, line 7) keep the call and
    its gap. A call's missing retry closes around it (a wrapper, the client), so a keyword of its
    own added (line 11) or another prompt given (line 15) carries it too; a new call (line 19)
    speaks. (A library's client: its users call it in bulk.)"""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    after = COMPLETIONS.replace("complete(prompt)", "complete(prompt, **options)").replace(
        "(prompt, max_new_tokens=64)", "(prompt, max_new_tokens=64, **options)"
    )
    after = after.replace("16)", "16, stream=False)") + SUMMARY.format(given='f"Summarize: {text}"')
    after += "\n\ndef title(text):\n    return client.text_generation(text)\n"
    added, changed = edited(
        repo,
        run_archbot,
        "ranker/complete.py",
        COMPLETIONS + SUMMARY.format(given="text"),
        after,
        "forward the caller's options; stream nothing; prompt the summary",
    )

    assert added == [("ranker/complete.py", "llm-client-no-retry", "low", [7, 11, 15])]
    assert changed == [("ranker/complete.py", "llm-client-no-retry", "low", [19])]


# An OpenAI client with its timeout and retries set (lines 1-5 of the fixtures below).
BOUNDED_CLIENT = "from openai import OpenAI\n\nclient = OpenAI(timeout=30, max_retries=3)\n\n\n"


# A labelling job calling the model once per review, in turn (line 9).
LABELS = (
    BOUNDED_CLIENT + "def label(texts, model):\n"
    "    labels = []\n"
    "    for r in texts:\n"
    '        out = client.chat.completions.create(model=model, messages=[{"role": "user", "content": r}])\n'
    "        labels.append(out.choices[0].message.content)\n"
    "    return labels\n"
)


SUMMARIES = (
    "\n\ndef summarize(texts, model):\n"
    "    summaries = []\n"
    "    for text in texts:\n"
    '        summary = client.responses.create(model=model, input=f"Summarize: {text}")\n'
    "        summaries.append(summary.output_text)\n"
    "    return summaries\n"
)


def test_a_call_in_a_loop_given_other_options_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A call made once per item is batched by changing the loop around it: an option added to
    the call (line 9) leaves that as it was. A loop the change adds (line 17) speaks."""
    repo.stage(".archbot.yml", "rules:\n  enable: [llm-call-in-loop]\n")
    after = LABELS.replace("messages=[", "temperature=0, messages=[") + SUMMARIES
    added, changed = edited(
        repo, run_archbot, "jobs/labels.py", LABELS, after, "label deterministically; summarize"
    )

    assert added == [("jobs/labels.py", "llm-call-in-loop", "low", [9])]
    assert changed == [("jobs/labels.py", "llm-call-in-loop", "low", [17])]


# A service coroutine calling the model through the synchronous client, on the event loop (line 7).
COROUTINE_ANSWER = (
    BOUNDED_CLIENT + "async def answer(question):\n"
    '    reply = client.chat.completions.create(model="gpt-4o-2024-08-06", max_tokens=200, '
    'messages=[{"role": "user", "content": question}])\n'
    "    return reply.choices[0].message.content\n"
)
COROUTINE_TITLE = (
    "\n\nasync def title(text):\n"
    '    return client.completions.create(model="gpt-3.5-turbo-instruct", max_tokens=20, prompt=text)\n'
)


def test_a_blocking_call_given_other_options_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A blocking call's gap is the coroutine it runs in, not what it is given: an option added
    to it (line 7) brings nothing new; a blocking call the change adds in a coroutine (line 12)
    speaks."""
    after = COROUTINE_ANSWER.replace("max_tokens=200,", "max_tokens=200, temperature=0,") + COROUTINE_TITLE
    added, changed = edited(
        repo, run_archbot, "service/answer.py", COROUTINE_ANSWER, after, "deterministic; titles"
    )

    assert added == [("service/answer.py", "sync-llm-client-in-async", "high", [7])]
    assert changed == [("service/answer.py", "sync-llm-client-in-async", "high", [12])]


# A service's answer retried forever on any error (the loop, line 9).
RETRY_ANSWER = (
    "def answer(question):\n"
    "    while True:\n"
    "        try:\n"
    "            reply = client.chat.completions.create(\n"
    '                model="gpt-4o-2024-08-06", max_tokens=200,\n'
    '                messages=[{"role": "user", "content": question}],\n'
    "            )\n"
    "            return reply.choices[0].message.content\n"
    "        except Exception:\n"
    "            time.sleep(5)\n"
)
RETRY_FOREVER = "import time\n\n" + BOUNDED_CLIENT + RETRY_ANSWER


def test_a_retry_loop_whose_call_is_given_other_options_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A retry policy's stop condition is the loop's, not its call's: an option added to the call
    it retries (line 13) leaves the loop as it was; a loop the change adds (line 22) speaks."""
    after = RETRY_FOREVER.replace("max_tokens=200,\n", "max_tokens=200,\n                temperature=0,\n")
    after += (
        "\n\ndef title(text):\n"
        "    while True:\n"
        "        try:\n"
        "            return client.completions.create(\n"
        '                model="gpt-3.5-turbo-instruct", max_tokens=20, prompt=text)\n'
        "        except Exception:\n"
        "            time.sleep(5)\n"
    )
    added, changed = edited(repo, run_archbot, "service/answer.py", RETRY_FOREVER, after, "deterministic")

    assert [f for f in added if f[1] == "retry-unbounded"] == [
        ("service/answer.py", "retry-unbounded", "high", [9])
    ]
    assert [f for f in changed if f[1] == "retry-unbounded"] == [
        ("service/answer.py", "retry-unbounded", "high", [22])
    ]


# A package's training step: a Lightning Trainer built and run, no RNG seeded anywhere (line 5).
FIT = (
    "import lightning as L\n\n\n"
    "def train_ranker(model, data, epochs):\n"
    "    trainer = L.Trainer(\n"
    "        max_epochs=epochs,\n"
    '        accelerator="auto",\n'
    "    )\n"
    "    trainer.fit(model, data)\n"
    "    return trainer\n"
)


def test_a_module_gap_carries_when_its_call_is_given_other_arguments(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """`training-no-seed`'s "no seed anywhere in the module" is the module's gap, not the
    call's: a keyword the change gives the Trainer (line 8) leaves it as it was. A training
    function the change adds (line 15) speaks."""
    repo.write(".archbot.yml", "rules:\n  enable: [training-no-seed]\n")  # the entry point: opt-in
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    after = FIT.replace('"auto",\n', '"auto",\n        devices=1,\n')
    after += "\n\ndef train_reranker(model, data):\n    L.Trainer(max_epochs=1).fit(model, data)\n"
    added, changed = edited(repo, run_archbot, "ranker/tune.py", FIT, after, "one device; a reranker")

    assert added == [("ranker/tune.py", "training-no-seed", "low", [5])]
    assert changed == [("ranker/tune.py", "training-no-seed", "low", [15])]


# A rollout worker loading its policy and its reward model with remote code (lines 6 to 10, 11 to 14).
ROLLOUT = (
    "from transformers import AutoModelForCausalLM\n\n\n"
    "def load(path):\n"
    "    model = AutoModelForCausalLM.from_pretrained(\n"
    "        path,\n"
    '        torch_dtype="bfloat16",\n'
    "        trust_remote_code=True,\n"
    "    )\n"
    "    reward = AutoModelForCausalLM.from_pretrained(\n"
    '        "acme/reward-7b",\n'
    "        trust_remote_code=True,\n"
    "    )\n"
    "    return model, reward\n"
)


def test_remote_code_is_news_where_the_flag_or_what_it_trusts_changes(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """An option added beside the flag (line 8) gives no new trust; another repository trusted
    (line 12) does."""
    repo.write(".archbot.yml", "rules:\n  enable: [hf-unpinned-revision]\n")
    repo.stage("service/rollout.py", ROLLOUT)
    repo.commit("before")
    edited = ROLLOUT.replace(
        '        torch_dtype="bfloat16",\n', '        torch_dtype="bfloat16",\n        device_map="auto",\n'
    ).replace("reward-7b", "reward-13b")
    repo.stage("service/rollout.py", edited)
    repo.commit("shard the policy; a larger reward model")

    assert found(review(run_archbot, "--base", "HEAD~1")) == [
        ("service/rollout.py", "trust-remote-code", "high", [12]),
        ("service/rollout.py", "hf-unpinned-revision", "medium", [12]),
    ]


# A model wrapper building its Hub inference clients without a timeout (lines 7 and 8).
WRAPPER = (
    "from huggingface_hub import AsyncInferenceClient, InferenceClient\n\n\n"
    "class Model:\n"
    "    def __init__(self, name):\n"
    "        self.name = name\n"
    "        self.aclient = AsyncInferenceClient(model=name)\n"
    "        self.client = InferenceClient(model=name)\n"
)


def test_a_call_moved_into_another_statement_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """Two assignments merged into one helper's `return` (line 10) move their calls; a new call
    (line 13) speaks. (A call the change adds more often than it removes is a copy, and speaks:
    tests/test_rules_dataflow.py.)"""
    repo.stage("app/model.py", WRAPPER)
    repo.commit("before")
    repo.stage(
        "app/model.py",
        WRAPPER.split("        self.aclient")[0]
        + "        self.aclient, self.client = self._clients(name)\n\n"
        "    def _clients(self, name):\n"
        "        return AsyncInferenceClient(model=name), InferenceClient(model=name)\n\n"
        "    def _judges(self, name):\n"
        '        return InferenceClient(model=f"{name}-judge")\n',
    )
    repo.commit("build the clients in a helper")

    assert found(review(run_archbot, "--base", "HEAD~1")) == [
        ("app/model.py", "llm-client-no-timeout", "high", [13]),
    ]


# A model client's module with a fetch helper whose request has no timeout (line 9).
CLIENTS = (
    "import openai\nimport requests\n\n\n"
    "def fetch(url: str, token: str) -> bytes:\n"
    "    headers: dict[str, str] = {}\n"
    "    if token:\n"
    '        headers["Authorization"] = token\n'
    "    return requests.get(url, headers=headers).content\n\n\n"
    "def ping() -> bool:\n"
    "    return True\n"
)


def test_a_call_moved_to_another_module_carries_its_old_gap_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """The fetch helper moves to its own module, reworded (line 7): its request is the one the
    change removed from the old module. A request the new module adds (line 12) speaks."""
    repo.stage("app/clients.py", CLIENTS)
    repo.commit("before")
    repo.stage("app/clients.py", "import openai\n\n\ndef ping() -> bool:\n    return True\n")
    repo.stage(
        "app/fetching.py",
        "import openai\nimport requests\n\n\n"
        "def fetch(url: str, token: str) -> bytes:\n"
        '    headers = {"Authorization": token} if token else {}\n'
        "    response = requests.get(url, headers=headers)\n"
        "    return response.content\n\n\n"
        "def status(url: str) -> int:\n"
        "    return requests.get(url).status_code\n",
    )
    repo.commit("move fetch to its own module")

    assert found(review(run_archbot, "--base", "HEAD~1")) == [
        ("app/fetching.py", "http-call-no-timeout", "medium", [12]),
    ]


# A service's chat model with no timeout and no output cap (line 6).
BRAIN = (
    "from langchain_openai import ChatOpenAI\n\n\n"
    "class Brain:\n"
    "    def chain(self):\n"
    "        self.model_function = ChatOpenAI(model=self.model_name, temperature=0)\n"
    "        return self.model_function\n"
)


def test_a_call_kept_while_its_target_is_renamed_carries_its_old_gaps_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """The chat model's attribute renamed (line 6): the call is the one the change removed, so
    neither its missing timeout nor its missing output cap is news."""
    repo.stage(".archbot.yml", ENABLE_ALL)
    after = BRAIN.replace("model_function", "function_model")
    added, changed = edited(
        repo, run_archbot, "service/brain.py", BRAIN, after, "rename the chat model's attribute"
    )

    assert added == [
        ("service/brain.py", "llm-timeout-disabled", "high", [6]),
        ("service/brain.py", "llm-no-max-tokens", "medium", [6]),
    ]
    assert changed == []


# A service's grader on a floating model alias, kept in private members (lines 6 and 10).
GRADER = (
    "from langchain_openai import ChatOpenAI\n\n\n"
    "class Grader:\n"
    "    def grade(self, text):\n"
    '        self._judge = ChatOpenAI(model="gpt-4o", timeout=30, max_tokens=200)\n'
    "        return self._judge.invoke(text)\n\n"
    "    def rank(self, texts):\n"
    '        self._ranker = ChatOpenAI(model="gpt-4o", timeout=30, max_tokens=200)\n'
    "        return self._ranker.batch(texts)\n"
)


def test_a_member_renamed_carries_its_statements_old_findings_silently(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """`self._judge` become `self.judge` (line 6): the same code, its alias no news. Renamed
    while given another alias (line 10), the statement is another one and speaks."""
    repo.stage(".archbot.yml", ENABLE_ALL)
    renamed = GRADER.replace("_judge", "judge").replace("_ranker", "ranker")
    grade, rank = renamed.split("    def rank")
    after = grade + "    def rank" + rank.replace('"gpt-4o"', '"gpt-4.1"')
    added, changed = edited(repo, run_archbot, "service/grader.py", GRADER, after, "make the models public")

    assert [(f[1], f[3]) for f in added] == [("llm-model-alias-unpinned", [6, 10])]
    assert [(f[1], f[3]) for f in changed] == [("llm-model-alias-unpinned", [10])]


# A module naming its default chat model by a floating alias (line 1).
DEFAULTS = 'DEFAULT_CHAT_MODEL = "gpt-4o"\n'


def test_an_examples_hub_loads_and_a_librarys_default_alias_are_not_reported(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """An example or a script loads a model's current weights for whoever runs it, who chooses
    the pin; a library's alias is a default its callers override. An application's alias speaks
    (where the team enables the rule)."""
    repo.stage(".archbot.yml", ENABLE_ALL)
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/defaults.py", "import openai\n\n" + DEFAULTS)
    repo.stage("examples/train.py", LOADER)
    repo.stage("scripts/train.py", LOADER)
    repo.stage("service/app.py", "import openai\n\n" + DEFAULTS)

    assert found(review(run_archbot)) == [("service/app.py", "llm-model-alias-unpinned", "low", [3])]


# A library module loading a named default scorer (line 5), and a function dropping the revision
# its caller gave (line 9).
HUB_DEFAULTS = (
    "from transformers import AutoModel\n\n\n"
    "def default_scorer():\n"
    '    return AutoModel.from_pretrained("acme/scorer-small")\n\n\n'
    "def load_scorer(name, revision=None):\n"
    "    return AutoModel.from_pretrained(name)\n"
)


def test_a_librarys_named_hub_id_is_a_default_its_callers_override(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A Hub id a library names itself is its default, pinned or not as its maintainers choose; a
    revision its caller gave and it drops is reported there too. An application's named id is the
    model it ships: whether to pin it is the team's policy, reported where the config enables the
    rule."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/scoring.py", HUB_DEFAULTS)
    repo.stage("service/scoring.py", HUB_DEFAULTS)

    assert found(review(run_archbot)) == [
        ("ranker/scoring.py", "hf-unpinned-revision", "medium", [9]),
        ("service/scoring.py", "hf-unpinned-revision", "medium", [9]),
    ]

    repo.write(".archbot.yml", "rules:\n  enable: [hf-unpinned-revision]\n")

    assert found(review(run_archbot)) == [
        ("ranker/scoring.py", "hf-unpinned-revision", "medium", [9]),
        ("service/scoring.py", "hf-unpinned-revision", "medium", [5, 9]),
    ]


# A library module trusting the code of a model it names (line 7, through a module constant 8,
# one of two it picks 18, one of its organisation's it formats 21), of a model its caller names
# (11; or whose organisation its caller names, 24), and of a dataset's loading script it names (14).
NAMED_REMOTE = (
    "from datasets import load_dataset\nfrom transformers import AutoModel\n\n"
    'RERANKER = "acme/reranker"\n\n'
    "def default_models():\n"
    '    return AutoModel.from_pretrained("acme/embedder", trust_remote_code=True), '
    "AutoModel.from_pretrained(\n"
    "        RERANKER, trust_remote_code=True)\n\n"
    "def load_model(name):\n"
    "    return AutoModel.from_pretrained(name, trust_remote_code=True)\n\n"
    "def questions():\n"
    '    return load_dataset("acme/questions", trust_remote_code=True)\n\n'
    "def scorer(lite):\n"
    '    name = "acme/scorer-small" if lite else "acme/scorer-large"\n'
    "    return AutoModel.from_pretrained(name, trust_remote_code=True)\n\n"
    "def sized(size):\n"
    '    return AutoModel.from_pretrained(f"acme/encoder-{size}", trust_remote_code=True)\n\n'
    "def of_org(org):\n"
    '    return AutoModel.from_pretrained(f"{org}/encoder", trust_remote_code=True)\n'
)


def test_a_librarys_named_model_trusted_is_its_chosen_dependency(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A model a library names by its Hub id and trusts is a dependency its maintainers chose (and
    pin or not, as its named revisions); a model its caller names, and a dataset's loading script,
    are reported there. An application's named model is the one it ships: reported."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/models.py", NAMED_REMOTE)
    repo.stage("service/models.py", NAMED_REMOTE)

    assert [f for f in found(review(run_archbot)) if f[1] == "trust-remote-code"] == [
        ("ranker/models.py", "trust-remote-code", "high", [11, 14, 24]),
        ("service/models.py", "trust-remote-code", "high", [7, 8, 11, 14, 18, 21, 24]),
    ]


# A store that pickles its records under one file name and reads them back (line 11).
OWN_STORE = (
    "import pickle\n\n\nclass RecordStore:\n    def __init__(self, root):\n        self.root = root\n\n"
    "    def load(self):\n"
    '        with open(self.root / "records.pkl", "rb") as handle:\n'
    "            return pickle.load(handle)\n\n"
    "    def save(self, records):\n"
    '        with open(self.root / "records.pkl", "wb") as handle:\n'
    "            pickle.dump(records, handle)\n"
)


def test_a_file_a_module_writes_and_reads_back_speaks_in_a_library_only(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """An application's own cache, read back where it wrote it, is its own file; a published
    library reads it back from wherever its caller points it, a store that may come from another
    machine."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("README.md", "# Ranker\n\n    pip install ranker\n")
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/store.py", OWN_STORE)
    repo.stage("service/store.py", OWN_STORE)

    assert [f for f in found(review(run_archbot)) if f[1] == "unsafe-model-deserialization"] == [
        ("ranker/store.py", "unsafe-model-deserialization", "high", [10]),
    ]


# A loader of a path its caller passes on (line 5).
LOAD_GIVEN_PATH = "import joblib\n\n\ndef load_ranker(path):\n    return joblib.load(path)\n"


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ({"README.md": "# Ranker\n\n```\nuv add ranker\n```\n"}, [5]),
        ({".github/workflows/release.yml": "steps:\n  - run: twine upload dist/*\n"}, [5]),
        ({"docs/source/installation.mdx": "# Install\n\n```\npip install ranker\n```\n"}, [5]),
        # A server others run from the image the repository pushes: they choose what it loads.
        ({".github/workflows/image.yml": "steps:\n  - uses: docker/build-push-action@v6\n"}, [5]),
        ({"README.md": "# Ranker\n\n```\npip install -e .\n```\n"}, []),
        ({"docs/design.md": "# Design\n\n    pip install ranker\n"}, []),
    ],
)
def test_a_path_its_caller_passes_speaks_in_a_published_library_only(
    published: dict[str, str], expected: list[int], repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A library loads whatever its callers point it at, and a published one has callers in other
    projects (so does a server others run from a pushed image); a package nothing publishes or
    ships (no README or installation page installing it, no upload or image workflow) is called
    by this repository's own code, which loads its own artifacts: not reported."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    for path, text in published.items():
        repo.stage(path, text)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/restore.py", LOAD_GIVEN_PATH)

    lines = [f[3] for f in found(review(run_archbot)) if f[1] == "unsafe-model-deserialization"]

    assert lines == ([expected] if expected else [])


def test_tests_report_only_secrets_and_code_execution(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("tests/test_keys.py", f'import openai\n\nclient = openai.OpenAI(api_key="{OPENAI_KEY}")\n')
    repo.stage("tests/test_exec.py", EXEC)
    repo.stage("tests/test_trust.py", TRUST)
    repo.stage("tests/test_client.py", CLIENT)

    assert found(review(run_archbot)) == [
        ("tests/test_exec.py", "llm-output-exec", "critical", [9]),
        ("tests/test_keys.py", "hardcoded-llm-api-key", "critical", [3]),
    ]


# A known-answer test's vectors (lines 2-4: a derived shared secret beside its digest and its
# ciphertext) and a fixture's keys for hosted services (lines 5-6).
VECTORS = (
    "// HKDF test vectors\n"
    'const SHARED_SECRET = "3f9a1c07d2e85b46a0c9f1e27d3b8a5c6e0f4d19b2a7c8e3f5d6a1b0c9e8d7f6";\n'
    'const DIGEST = "b7e2a9c4d1f03e6a8c5b2d9e7f1a4c3b6d8e0f2a5c7b9d1e3f6a8c0b2d4e6f8a";\n'
    'const SEALED = "9c4e1b7a2d5f8c3e6a9b1d4f7c0e3a6b9d2f5c8e1a4b7d0f3c6e9a2b5d8f1c4e";\n'
    'const DEEPGRAM_API_KEY = "4c1e9b7d2a5f8e3c6b0d9a2f5e8c1b4d7a0f3e6c";\n'
    f'const OPENAI_API_KEY = "{OPENAI_KEY}";\n'
)


def test_a_tests_own_secret_is_its_fixture(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """In a test, a random literal under a name for no hosted service is the secret the test hands
    the code it tests (silent); a provider's key, by its shape or its name, is reported there too.
    The same own secret in the code that ships is the system's secret (reported)."""
    repo.stage("tests/vectors.test.ts", VECTORS)
    repo.stage("src/vectors.ts", VECTORS)

    assert found(review(run_archbot)) == [
        ("src/vectors.ts", "hardcoded-llm-api-key", "critical", [2, 5, 6]),
        ("tests/vectors.test.ts", "hardcoded-llm-api-key", "critical", [5, 6]),
    ]


# An `eval` of what a caller hands in (line 7), in a module that imports an LLM SDK.
UNTRACED_EVAL = (
    "import openai\n\nclient = openai.OpenAI(timeout=30)\n\n\ndef parse_row(cell):\n    return eval(cell)\n"
)


def test_an_untraced_eval_speaks_in_shipped_code_only(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A bare `eval` whose input comes from neither the model nor a request is a guess: low in a
    library, nothing in a test, an example or a script (their own data). `eval` of a reply speaks
    everywhere (test_tests_report_only_secrets_and_code_execution)."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    for path in ("ranker/rows.py", "tests/test_rows.py", "examples/rows.py", "scripts/rows.py"):
        repo.stage(path, UNTRACED_EVAL)
    repo.stage("examples/run.py", EXEC)

    report = review(run_archbot)

    assert found(report) == [
        ("examples/run.py", "llm-output-exec", "critical", [9]),
        ("ranker/rows.py", "llm-output-exec", "low", [7]),
    ]
    # It says what it knows: the value was not traced, and how to parse a literal without code.
    assert report["findings"][1]["rationale"].startswith(  # type: ignore[index]
        "bare `eval` in a module that imports an LLM SDK, of a value not traced to model output or a "
        "request; to parse a literal, `ast.literal_eval` runs no code."
    )


# A package's labeller waiting out rate limits forever (line 7).
PATIENT = (
    "import backoff\nimport openai\n\nclient = openai.OpenAI(timeout=30)\n\n\n"
    "@backoff.on_exception(backoff.expo, (openai.RateLimitError, openai.APITimeoutError))\n"
    "def label(prompt):\n"
    '    return client.responses.create(model="gpt-4o-2024-08-06", input=prompt, max_output_tokens=5)\n'
)


def test_waiting_out_transient_errors_forever_is_the_applications_choice(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """A retry with no stop on rate limits and timeouts only: a service's request waits out the
    whole outage (medium); a library leaves how long to wait to its callers."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/labels.py", PATIENT)
    repo.stage("service/labels.py", PATIENT)

    assert found(review(run_archbot)) == [("service/labels.py", "retry-unbounded", "medium", [7])]


def test_security_rules_speak_in_shipped_code_only(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """An example or a script names the model it loads for whoever runs it to choose: nothing is
    said there. (A library's named model is its chosen dependency: the test above.)"""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("service/load.py", TRUST)
    repo.stage("scripts/load.py", TRUST)
    repo.stage("examples/load.py", TRUST)
    repo.stage("docs/snippets/load.py", TRUST)

    assert found(review(run_archbot)) == [("service/load.py", "trust-remote-code", "high", [4])]


def test_dependencies_of_a_published_library_are_not_unpinned(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A published package declares ranges, rightly, with a command line or a web framework among
    its dependencies; only an application that builds no package pins (a team's policy: enabled)."""
    repo.write(".archbot.yml", "rules:\n  enable: [unpinned-ml-dependency]\n")
    repo.stage("pyproject.toml", CLI_PYPROJECT)
    repo.stage("ranker/__init__.py", "")

    assert found(review(run_archbot)) == []

    repo.stage("pyproject.toml", CLI_PYPROJECT.replace('"openai"]', '"openai", "fastapi>=0.110"]'))

    assert found(review(run_archbot)) == []

    application = APP_PYPROJECT.split("[project]", 1)[1]
    repo.stage("pyproject.toml", "[project]" + application)

    assert found(review(run_archbot)) == [("pyproject.toml", "unpinned-ml-dependency", "medium", [4])]


def test_hardening_is_left_to_an_examples_readers(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """An example's requirements and missing timeouts are its readers' to set: nothing is said,
    in scripts either (their runners set them), unless the team maps those paths to `service`
    (dependency pins are a team's policy: enabled)."""
    repo.write(".archbot.yml", "rules:\n  enable: [unpinned-ml-dependency]\n")
    repo.stage("requirements.txt", "torch==2.3.1\n")
    repo.stage("examples/rag/requirements.txt", "torch\ntransformers>=4.40\n")
    repo.stage("examples/rag/client.py", CLIENT)
    repo.stage("scripts/requirements.txt", "torch\n")

    assert found(review(run_archbot)) == []

    repo.write(
        ".archbot.yml", 'rules:\n  enable: [unpinned-ml-dependency]\nroles:\n  "examples/**": service\n'
    )

    assert found(review(run_archbot)) == [
        ("examples/rag/client.py", "llm-timeout-disabled", "high", [4]),
        ("examples/rag/client.py", "http-call-no-timeout", "medium", [8]),
        ("examples/rag/requirements.txt", "unpinned-ml-dependency", "medium", [1, 2]),
    ]


def test_one_finding_per_rule_per_file_lists_its_lines(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "llm/health.py",
        "import openai\nimport requests\n\nclient = openai.OpenAI(timeout=20)\n\n\n"
        "def ping():\n"
        '    requests.get("http://a.internal/health")\n'
        '    requests.get("http://b.internal/health")\n'
        '    return requests.post("http://vllm:8000/v1/completions", json={})\n',
    )

    report = review(run_archbot)

    (finding,) = [f for f in report["findings"] if f["rule"] == "http-call-no-timeout"]  # type: ignore[attr-defined]
    assert (finding["rule"], finding["line"], finding["severity"]) == ("http-call-no-timeout", 10, "high")
    assert finding["title"] == "Plain HTTP call without a timeout (3 places)"
    assert finding["places"] == [
        {"line": 8, "severity": "medium"},
        {"line": 9, "severity": "medium"},
        {"line": 10, "severity": "high"},
    ]


# One variant's config, copied for each size: the same call on the same line of three files, and a
# fourth file whose call reads differently.
VARIANT_CONFIG = (
    "import openai\nimport requests\n\n\ndef weights(url):\n    return requests.get(url).content\n"
)


def test_the_same_code_in_several_files_is_one_finding(repo: GitRepo, run_archbot: RunArchbot) -> None:
    for size in ("base", "large", "small"):
        repo.stage(f"llm/variants/{size}.py", VARIANT_CONFIG)
    repo.stage("llm/variants/tiny.py", VARIANT_CONFIG.replace("(url)", "(url, stream=True)"))

    report = review(run_archbot)

    findings = [f for f in report["findings"] if f["rule"] == "http-call-no-timeout"]  # type: ignore[attr-defined]
    assert [(f["file"], f["line"], f["title"], f.get("also")) for f in findings] == [
        (
            "llm/variants/base.py",
            6,
            "Plain HTTP call without a timeout (3 places in 3 files)",
            [
                {"file": "llm/variants/large.py", "lines": [6]},
                {"file": "llm/variants/small.py", "lines": [6]},
            ],
        ),
        ("llm/variants/tiny.py", 6, "Plain HTTP call without a timeout", None),
    ]
    text = run_archbot("review", "--fail-on", "never").out
    assert "      also in: llm/variants/large.py:6, llm/variants/small.py:6\n" in text
    comment = run_archbot("review", "--format", "markdown", "--fail-on", "never").out
    assert "0 critical · 0 high · 2 medium · 0 low in 4 files\n" in comment
    assert "  - also in `llm/variants/large.py:6`, `llm/variants/small.py:6`\n" in comment
    sarif = json.loads(run_archbot("review", "--format", "sarif", "--fail-on", "never").out)
    related = sarif["runs"][0]["results"][0]["relatedLocations"]
    assert [
        (r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"])
        for r in related
    ] == [
        ("llm/variants/large.py", 6),
        ("llm/variants/small.py", 6),
    ]


def finding(rule: str, line: int, severity: Severity) -> Finding:
    return Finding(rule, "rules", "llm-ml-engineer", severity, "llm/gateway.py", line, rule, "why", "fix")


# A service's answer call on a floating alias, fixed at the call, with no output cap (line 8),
# through a client with a timeout.
ANSWER = (
    "from openai import OpenAI\n\n"
    "client = OpenAI(timeout=20)\n\n\n"
    "def answer(question):\n"
    "    return client.chat.completions.create(\n"
    '        model="gpt-4o", messages=[{"role": "user", "content": question}]\n'
    "    )\n"
)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("", []),
        ("rules:\n  enable: [llm-no-max-tokens]\n", [("llm-no-max-tokens", "medium", [7])]),
        (
            "rules:\n  enable: ['*']\n  disable: [llm-model-hardcoded]\n",
            [("llm-no-max-tokens", "medium", [7]), ("llm-model-alias-unpinned", "low", [8])],
        ),
    ],
)
def test_team_policy_rules_speak_only_where_the_config_enables_them(
    repo: GitRepo, run_archbot: RunArchbot, config: str, expected: list[tuple[str, str, list[int]]]
) -> None:
    """A missing output cap, a floating alias and a model id at its call are a team's policy, not
    defects: off by default, on by `rules.enable` ("*" for all), and `rules.disable` still wins."""
    if config:
        repo.write(".archbot.yml", config)
    repo.stage("service/answer.py", ANSWER)

    assert [(f[1], f[2], f[3]) for f in found(review(run_archbot))] == expected


def test_the_opt_in_rules_are_the_team_policies() -> None:
    assert sorted(rule for rule, entry in policy.POLICY.items() if entry.opt_in) == [
        "llm-call-in-loop",
        "llm-model-alias-unpinned",
        "llm-model-hardcoded",
        "llm-no-max-tokens",
        "unpinned-ml-dependency",
    ]


def test_a_generation_loop_is_a_teams_policy(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A generation call made once per item of a collection is reported only where the team's
    config enables the rule."""
    repo.stage("jobs/labels.py", LABELS)

    assert found(review(run_archbot)) == []

    repo.write(".archbot.yml", "rules:\n  enable: [llm-call-in-loop]\n")

    assert found(review(run_archbot)) == [("jobs/labels.py", "llm-call-in-loop", "low", [9])]


def test_a_dependency_pin_is_a_teams_policy(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """An application's unversioned or lower-bounded ML packages are reported only where the
    team's config enables the rule."""
    repo.stage("requirements.txt", "fastapi==0.110.0\ntorch>=2.1.0\ntransformers\n")
    repo.stage("app/serve.py", "import torch\n\n\ndef device():\n    return torch.device('cuda')\n")

    assert found(review(run_archbot)) == []

    repo.write(".archbot.yml", "rules:\n  enable: [unpinned-ml-dependency]\n")

    assert found(review(run_archbot)) == [("requirements.txt", "unpinned-ml-dependency", "medium", [2, 3])]


# A package's fine-tuning step: a new classification head (line 5), drawn before the Trainer seeds.
HEAD_TUNE = (
    "from transformers import AutoModelForSequenceClassification, Trainer\n\n\n"
    "def tune(data, args):\n"
    "    model = AutoModelForSequenceClassification.from_pretrained(\n"
    '        "base-model",\n'
    "        num_labels=3,\n"
    "    )\n"
    "    Trainer(model=model, args=args, train_dataset=data).train()\n"
)


def test_a_training_run_without_a_seed_is_a_teams_policy(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A training function that seeds nothing (a Lightning fit, line 5 of fit.py) is reported only
    where the team's config enables the rule; a head drawn unseeded before the Hugging Face Trainer
    seeds (line 5 of tune.py) always is."""
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("ranker/__init__.py", "")
    repo.stage("ranker/tune.py", HEAD_TUNE)
    repo.stage("ranker/fit.py", FIT)

    assert found(review(run_archbot)) == [("ranker/tune.py", "training-no-seed", "low", [5])]

    repo.write(".archbot.yml", "rules:\n  enable: [training-no-seed]\n")

    assert found(review(run_archbot)) == [
        ("ranker/fit.py", "training-no-seed", "low", [5]),
        ("ranker/tune.py", "training-no-seed", "low", [5]),
    ]


def test_two_rules_never_say_the_same_thing_on_one_line() -> None:
    """On one line, one finding per topic: the more severe, then the rule listed first in the
    policy. Another topic on the same line still speaks."""
    (changed,) = diff.parse(
        "diff --git a/llm/gateway.py b/llm/gateway.py\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/llm/gateway.py\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n"
    )
    found = [
        finding("http-call-no-timeout", 1, Severity.MEDIUM),
        finding("llm-timeout-disabled", 1, Severity.HIGH),
        finding("llm-retries-disabled", 1, Severity.MEDIUM),
        finding("llm-model-hardcoded", 2, Severity.LOW),
        finding("llm-model-alias-unpinned", 2, Severity.LOW),
    ]

    config = Config(rules=RulesConfig(enable=["*"]))
    kept = filter.apply(found, {changed.path: changed}, lambda path, line: "", config, {})

    assert [(f.rule, f.line) for f in kept.findings] == [
        ("llm-timeout-disabled", 1),
        ("llm-retries-disabled", 1),
        ("llm-model-alias-unpinned", 2),
    ]


def test_general_rules_stay_silent_in_code_with_no_ml(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """An HTTP call without a timeout in a shop module is not an ML/LLM finding: scope `ml`."""
    repo.stage(
        "shop/rates.py", 'import requests\n\n\ndef rates():\n    return requests.get("http://fx.internal")\n'
    )

    result = run_archbot("review")

    assert (result.code, result.out) == (0, "archbot: no ML/LLM-related changes\n")


def test_everywhere_rules_speak_in_code_with_no_ml(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """A committed provider key is reported wherever it is: scope `any`."""
    repo.stage("shop/settings.py", f'PAYMENT_TIMEOUT = 30\nFALLBACK_KEY = "{OPENAI_KEY}"\n')

    assert found(review(run_archbot)) == [("shop/settings.py", "hardcoded-llm-api-key", "critical", [2])]


# An async entry point that sleeps on the event loop (line 8).
ASYNC_MAIN = (
    "import asyncio\n"
    "import time\n\n"
    "import openai\n\n\n"
    "async def main() -> None:\n"
    "    time.sleep(1)\n"
    "    await asyncio.sleep(0)\n"
)


def test_an_example_that_blocks_its_own_event_loop_is_not_reported(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """An example's or a script's `async def main` serves nobody else while it blocks; a service
    serves every request on that loop."""
    repo.stage("service/main.py", ASYNC_MAIN)
    repo.stage("scripts/main.py", ASYNC_MAIN)
    repo.stage("examples/main.py", ASYNC_MAIN)

    assert found(review(run_archbot)) == [("service/main.py", "blocking-sleep-in-async", "high", [8])]
    result = run_archbot("rules", "blocking-sleep-in-async")
    assert (
        "Where it speaks (role policy, row 'event loop'):\n"
        "    service, library, infra: reported\n"
        "    test, example, script, docs, generated, vendored: not reported\n"
    ) in result.out
