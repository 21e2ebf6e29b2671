"""What reaches the user: inline suppressions, peer-tool pragmas, config overrides, fingerprints."""

from __future__ import annotations

import json
from collections.abc import Callable

from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]

HEADER = "import requests\nfrom openai import OpenAI\n\nclient = OpenAI(timeout=30)\n\n\n"


def findings(out: str) -> list[tuple[str, int, str, str]]:
    report = json.loads(out)
    return [(f["file"], f["line"], f["rule"], f["severity"]) for f in report["findings"]]


def review(run_archbot: RunArchbot, *extra: str) -> list[tuple[str, int, str, str]]:
    result = run_archbot("review", "--format", "json", "--fail-on", "never", *extra)
    assert (result.code, result.err) == (0, "")
    return findings(result.out)


def test_unsuppressed_baseline(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("llm/health.py", HEADER + 'def ping():\n    return requests.get("http://vllm:8000/health")\n')
    assert review(run_archbot) == [("llm/health.py", 8, "http-call-no-timeout", "medium")]


def test_pragma_on_the_same_line_suppresses(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "llm/health.py",
        HEADER + "def ping():\n"
        '    return requests.get("http://vllm:8000/health")  '
        "# archbot: ignore[http-call-no-timeout] the load balancer kills it after 5 s\n",
    )
    assert review(run_archbot) == []


def test_pragma_on_the_comment_line_above_suppresses(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "llm/health.py",
        HEADER + "def ping():\n"
        "    # archbot: ignore[http-call-no-timeout] liveness probe, bounded by the kubelet\n"
        '    return requests.get("http://vllm:8000/health")\n',
    )
    assert review(run_archbot) == []


def test_pragma_for_another_rule_does_not_suppress(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "llm/health.py",
        HEADER + "def ping():\n"
        '    return requests.get("http://vllm:8000/health")  '
        "# archbot: ignore[llm-no-max-tokens] wrong rule\n",
    )
    assert review(run_archbot) == [("llm/health.py", 8, "http-call-no-timeout", "medium")]


def test_pragma_without_reason_is_reported(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "llm/health.py",
        HEADER + "def ping():\n"
        "    # archbot: ignore[http-call-no-timeout]\n"
        '    return requests.get("http://vllm:8000/health")\n',
    )
    assert review(run_archbot) == [("llm/health.py", 8, "suppression-without-reason", "low")]


def test_nosec_b615_suppresses_hf_unpinned_revision(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", "rules:\n  enable: [hf-unpinned-revision]\n")  # named ids: opt-in
    repo.stage(
        "training/encoder.py",
        "from transformers import AutoModel, AutoTokenizer\n\n"
        'tokenizer = AutoTokenizer.from_pretrained("acme/encoder-base")  # nosec B615\n'
        'model = AutoModel.from_pretrained("acme/encoder-base")\n',
    )
    assert review(run_archbot) == [("training/encoder.py", 4, "hf-unpinned-revision", "medium")]


def test_noqa_s113_suppresses_http_call_no_timeout(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "llm/health.py",
        HEADER + "def ping():\n"
        '    requests.get("http://vllm:8000/health")  # noqa: S113\n'
        '    requests.get("http://vllm:8000/ready")  # noqa: E501\n',
    )
    assert review(run_archbot) == [("llm/health.py", 9, "http-call-no-timeout", "medium")]


LEAKY = (
    "import requests\nfrom openai import OpenAI\n\n"
    'client = OpenAI(api_key="Qm7vTz2KpX9wLc4RbN8sHd1J", timeout=30)\n\n\n'
    'def ping():\n    return requests.get("http://vllm:8000/health")\n'
)


def test_config_disable(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", "rules:\n  disable: [http-call-no-timeout]\n")
    repo.stage("llm/client.py", LEAKY)
    assert review(run_archbot) == [("llm/client.py", 4, "hardcoded-llm-api-key", "critical")]


def test_config_severity_override(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", "rules:\n  severity:\n    http-call-no-timeout: high\n")
    repo.stage("llm/client.py", LEAKY)
    assert review(run_archbot) == [
        ("llm/client.py", 4, "hardcoded-llm-api-key", "critical"),
        ("llm/client.py", 8, "http-call-no-timeout", "high"),
    ]


def test_config_ignore_per_path_glob(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write(".archbot.yml", 'rules:\n  ignore:\n    "scripts/**": [http-call-no-timeout]\n')
    repo.stage("llm/client.py", LEAKY)
    repo.stage("scripts/client.py", LEAKY)
    assert review(run_archbot) == [
        ("llm/client.py", 4, "hardcoded-llm-api-key", "critical"),
        ("scripts/client.py", 4, "hardcoded-llm-api-key", "critical"),
        ("llm/client.py", 8, "http-call-no-timeout", "medium"),
    ]


FEATURE = (
    HEADER
    + "def ping():\n"
    + '    return requests.get("http://vllm:8000/health")\n\n\n'
    + "def ready():\n"
    + '    return requests.get("http://vllm:8000/health")\n'
)


def fingerprints(run_archbot: RunArchbot, *extra: str) -> dict[str, list[int]]:
    result = run_archbot("review", "--format", "json", "--fail-on", "never", *extra)
    return {f["fingerprint"]: f["lines"] for f in json.loads(result.out)["findings"]}


def test_fingerprints_survive_lines_inserted_above(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("README.md", "# gateway\n")
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "feature")
    repo.stage("llm/health.py", FEATURE)
    repo.commit("health checks")
    before = fingerprints(run_archbot, "--base", "main")

    shifted = FEATURE.replace(
        HEADER, HEADER + '"""Health checks for the model servers."""\n\nTIMEOUT = 5\n\n'
    )
    repo.stage("llm/health.py", shifted)
    repo.commit("document the module")
    after = fingerprints(run_archbot, "--base", "main")

    # One rule, one file: one finding listing both places, its fingerprint unmoved by the shift.
    assert list(before.values()) == [[8, 12]]
    assert list(after.values()) == [[12, 16]]
    assert set(after) == set(before)
