"""Measure how `archbot review` scales with the size of a change: 1k, 10k and 100k changed lines.

Each size is a fresh git repository whose staged change adds ML/LLM Python modules (LLM clients,
RAG ingestion, async handlers — with the defects the rules look for) and Kubernetes manifests for
model servers, about 70% Python and 30% YAML by lines. For each, the script runs the installed
`archbot review` (rules only, JSON output) in a child process and prints its wall time, the CPU
time it and its workers used (what the wall time would be on one idle core; on a loaded machine
the wall time grows, the CPU time does not), its peak resident memory and the findings it
reported, then the time per 1k changed lines, which stays flat when review time grows linearly.

Then one changed file in a repository of 5,000 tracked Python modules, whose sync query function
is called from async code in another module: the review's wall time, and how many repository
files the repository model parsed and read (the rest stay behind git's word screen).

Target: 100k changed lines reviewed in under 10 s on this machine; the one-file review parses and
reads a handful of files, not the repository.

Usage: python bench/scale.py [SIZE ...]   (default: 1000 10000 100000)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARCHBOT = Path(sys.executable).parent / "archbot"
SIZES = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]

PYTHON_MODULE = '''"""Answer service {n}: retrieval, generation and background ingestion."""

import asyncio
import json
import time

import requests
from openai import AsyncOpenAI, OpenAI

client = OpenAI()
aclient = AsyncOpenAI(timeout=20)
MODEL = "gpt-4o-mini"


def embed_all_{n}(texts: list[str]) -> list[list[float]]:
    vectors = []
    for text in texts:
        response = client.embeddings.create(model="text-embedding-3-small", input=text)
        vectors.append(response.data[0].embedding)
    return vectors


async def answer_{n}(question: str, context: list[str]) -> dict:
    prompt = "\\n".join(context) + "\\n\\nQuestion: " + question
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{{"role": "user", "content": prompt}}],
    )
    text = completion.choices[0].message.content or ""
    return json.loads(text)


async def answer_fast_{n}(question: str) -> str:
    completion = await aclient.chat.completions.create(
        model=MODEL,
        messages=[{{"role": "user", "content": question}}],
        max_tokens=300,
    )
    return completion.choices[0].message.content or ""


async def fan_out_{n}(questions: list[str]) -> list[str]:
    return await asyncio.gather(*(answer_fast_{n}(q) for q in questions))


def call_model_server_{n}(payload: dict) -> dict:
    for attempt in range(3):
        try:
            response = requests.post("http://vllm:8000/v1/completions", json=payload)
            return response.json()
        except requests.RequestException:
            time.sleep(1)
    return {{}}


class Scorer{n}:
    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.history: list[float] = []

    def score(self, values: list[float]) -> float:
        total = 0.0
        for value in values:
            total += value * self.threshold
        self.history.append(total)
        return total

    def reset(self) -> None:
        self.history.clear()
'''

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: model-server-{n}
  labels:
    app: model-server-{n}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: model-server-{n}
  template:
    metadata:
      labels:
        app: model-server-{n}
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:latest
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--port", "8000"]
          ports:
            - containerPort: 8000
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              nvidia.com/gpu: 1
---
apiVersion: v1
kind: Service
metadata:
  name: model-server-{n}
spec:
  selector:
    app: model-server-{n}
  ports:
    - port: 80
      targetPort: 8000
"""


def build(root: Path, changed_lines: int) -> int:
    """Write modules and manifests until about `changed_lines` lines; return the exact count."""
    python_lines = len(PYTHON_MODULE.format(n=0).splitlines())
    yaml_lines = len(MANIFEST.format(n=0).splitlines())
    total = n = 0
    while total < changed_lines:
        if total < 0.7 * changed_lines:
            path, text, lines = root / "services" / f"answer_{n}.py", PYTHON_MODULE.format(n=n), python_lines
        else:
            path, text, lines = root / "deploy" / f"model-server-{n}.yaml", MANIFEST.format(n=n), yaml_lines
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        total += lines
        n += 1
    return total


LARGE_REPOSITORY_MODULES = 5_000
HELPER = """from pkg.base import Base


class Worker{n}(Base):
    def run(self, value):
        return value + {n}


def helper_{n}(value):
    return Worker{n}().run(value)
"""
VIEWS = """from app.service import load_rows


async def page(request):
    return load_rows(request.user)
"""
SERVICE = """from django.db import models
from openai import OpenAI

from pkg.mod_0001 import helper_1

client = OpenAI(timeout=30, max_retries=2)


class Row(models.Model):
    user = models.CharField(max_length=64)


def load_rows(user_id):
    return Row.objects.filter(user=user_id).count()


async def answer(question: str) -> str:
    result = client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        messages=[{"role": "user", "content": f"{question} {helper_1(2)}"}],
        max_tokens=300,
    )
    return result.choices[0].message.content or ""
"""
# Runs the review with every repository model it builds counted; the counts go to stderr.
COUNTED_REVIEW = """
import json, sys
from archbot.repo import model
built = []
class Counted(model.Repository):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        built.append(self)
model.Repository = Counted
from archbot.cli import main
code = main(sys.argv[1:])
counts = {"parsed": sum(r.parsed for r in built), "read": sum(r.read for r in built)}
print(json.dumps(counts), file=sys.stderr)
sys.exit(code)
"""


def build_large_repository(root: Path) -> None:
    """`LARGE_REPOSITORY_MODULES` tracked modules, committed; then one changed module staged."""
    (root / "pkg").mkdir()
    (root / "app").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "base.py").write_text("class Base:\n    def run(self, value):\n        return value\n")
    (root / "pkg" / "views.py").write_text(VIEWS)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "service.py").write_text("")
    for n in range(LARGE_REPOSITORY_MODULES - 5):
        (root / "pkg" / f"mod_{n:04d}.py").write_text(HELPER.format(n=n))
    git(root, "add", "-A")
    git(root, "-c", "user.name=bench", "-c", "user.email=bench@example.test", "commit", "-q", "-m", "base")
    (root / "app" / "service.py").write_text(SERVICE)
    git(root, "add", "-A")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def review(root: Path, counted: bool = False) -> tuple[float, float, int, int, dict[str, int]]:
    """Wall seconds, CPU seconds (with its workers and git), peak RSS in MiB and findings of one
    `archbot review` child process, and (`counted`) what its repository model parsed and read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "PRE_COMMIT", "GITHUB_"))}
    env["ARCHBOT_CACHE_DIR"] = str(root / ".cache")
    # Output goes to files, not pipes: wait4 (for the child's peak RSS) must not wait on a full pipe.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        command = ["review", "--no-llm", "--format", "json", "--fail-on", "never"]
        program = [sys.executable, "-c", COUNTED_REVIEW] if counted else [str(ARCHBOT)]
        child = subprocess.Popen(
            [*program, *command],
            cwd=root,
            stdout=out,
            stderr=err,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise SystemExit(f"archbot exited {code}: {err.read().decode().strip()}")
        out.seek(0)
        report = json.loads(out.read())
        err.seek(0)
        counts = json.loads(err.read().decode().strip().splitlines()[-1]) if counted else {}
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss // 1024, len(report["findings"]), counts


def main() -> int:
    print(
        f"{'changed lines':>13}  {'files':>6}  {'time':>8}  {'CPU':>8}  {'per 1k lines':>12}  "
        f"{'peak RSS':>9}  findings"
    )
    for size in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            git(root, "init", "-q", "-b", "main")
            lines = build(root, size)
            git(root, "add", "-A")
            files = sum(1 for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
            elapsed, cpu, peak_mib, findings, _ = review(root)
        per_k_ms = elapsed / (lines / 1000) * 1000
        print(
            f"{lines:>13,}  {files:>6}  {elapsed:>7.2f}s  {cpu:>7.2f}s  {per_k_ms:>10.1f}ms  "
            f"{peak_mib:>6} MiB  {findings}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        git(root, "init", "-q", "-b", "main")
        build_large_repository(root)
        elapsed, cpu, peak_mib, findings, counts = review(root, counted=True)
    print(
        f"one changed file in a {LARGE_REPOSITORY_MODULES:,}-module repository: {elapsed:.2f}s "
        f"({cpu:.2f}s CPU), "
        f"{peak_mib} MiB, {findings} findings; the repository model parsed {counts['parsed']} and read "
        f"{counts['read']} of its files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
