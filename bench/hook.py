"""Measure the pre-commit hook command (`archbot review` under PRE_COMMIT=1) on two staged commits.

(1) a commit with no ML/LLM-related file (a shop module, a JS file, docs): the fast path;
(2) a 20-file ML/LLM commit (LLM clients, RAG, training, serving): the full rules review.

Each figure is the median wall time of RUNS runs (after two warm-up runs; the four commands take
turns, so load from other processes shifts all figures alike), beside `python -c pass`
and `bandit -q` on the same 20 files. Bytecode is cached in a scratch PYCACHEPREFIX, as it is in
an installed hook environment (PYTHONDONTWRITEBYTECODE is dropped for the measured processes).

Targets: (1) at most 6x `python -c pass`; (2) faster than bandit.

Usage: python bench/hook.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15

NON_ML_FILES = {
    "shop/cart.py": '''"""Shopping cart totals."""

from __future__ import annotations

import dataclasses
from decimal import Decimal


@dataclasses.dataclass
class Line:
    sku: str
    quantity: int
    unit_price: Decimal


def total(lines: list[Line], discount: Decimal = Decimal("0")) -> Decimal:
    gross = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    return max(gross - discount, Decimal("0"))
''',
    "web/static/checkout.js": """export function formatPrice(cents) {
  return (cents / 100).toFixed(2);
}
""",
    "docs/checkout.md": "# Checkout\n\nTotals are computed server side.\n",
}

ML_TEMPLATES = (
    (
        "services/assistant_{n}.py",
        '''"""Assistant endpoint {n}: answers support questions."""

import openai
from fastapi import FastAPI

app = FastAPI()
client = openai.OpenAI()


@app.post("/ask/{n}")
async def ask(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o",
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.choices[0].message.content or ""
''',
    ),
    (
        "rag/retriever_{n}.py",
        '''"""Retriever {n}: embeds the query and ranks stored chunks."""

import numpy as np
from openai import OpenAI

client = OpenAI(timeout=20.0, max_retries=3)


def rank(query: str, chunks: list[str], vectors: np.ndarray, top: int = 5) -> list[str]:
    embedded = client.embeddings.create(model="text-embedding-3-small", input=[query])
    scores = vectors @ np.asarray(embedded.data[0].embedding)
    return [chunks[i] for i in np.argsort(-scores)[:top]]
''',
    ),
    (
        "training/train_{n}.py",
        '''"""Fine-tuning job {n}."""

import torch
from transformers import AutoModelForSequenceClassification


def load(path: str) -> torch.nn.Module:
    model = AutoModelForSequenceClassification.from_pretrained("acme/classifier-{n}")
    state = torch.load(path)
    model.load_state_dict(state)
    return model


def step(model: torch.nn.Module, batch: dict[str, torch.Tensor], optimizer: torch.optim.Optimizer) -> float:
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return float(loss.item())
''',
    ),
    (
        "agents/summarizer_{n}.py",
        '''"""Summariser agent {n}."""

import anthropic

client = anthropic.Anthropic(timeout=30.0)


def summarize(text: str) -> str:
    message = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=512,
        messages=[{{"role": "user", "content": f"Summarise:\\n{{text}}"}}],
    )
    return "".join(block.text for block in message.content if block.type == "text")
''',
    ),
)


def ml_files(count: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for n in range(count):
        path, body = ML_TEMPLATES[n % len(ML_TEMPLATES)]
        files[path.format(n=n)] = body.format(n=n)
    return files


def scratch_repo(root: Path, files: dict[str, str]) -> Path:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    return root


def median_ms(commands: Sequence[tuple[Sequence[str], Path]], env: dict[str, str]) -> list[float]:
    """Median wall time of each (command, cwd). The commands take turns, run by run, so that a
    change in the machine's load (other processes) affects every figure alike."""
    for _ in range(2):
        for command, cwd in commands:
            subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(RUNS):
        for index, (command, cwd) in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
            times[index].append(time.perf_counter() - start)
    return [statistics.median(t) * 1000 for t in times]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="archbot-bench-") as scratch:
        base = Path(scratch)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {
            "PYTHONPYCACHEPREFIX": str(base / "pycache"),
            "ARCHBOT_CACHE_DIR": str(base / "cache"),
            "PRE_COMMIT": "1",
            "NO_COLOR": "1",
        }
        for name in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
            env.pop(name, None)
        plain = scratch_repo(base / "non-ml", NON_ML_FILES)
        ml = ml_files(20)
        heavy = scratch_repo(base / "ml", ml)
        hook = [str(BIN / "archbot"), "review"]
        check = subprocess.run(hook, cwd=heavy, env=env, capture_output=True, text=True, check=False)
        print(f"hook on the ML commit: exit {check.returncode}, {check.stdout.strip().splitlines()[-1]}")

        python_pass, non_ml, ml_hook, bandit = median_ms(
            [
                ([sys.executable, "-c", "pass"], plain),
                (hook, plain),
                (hook, heavy),
                ([str(BIN / "bandit"), "-q", *sorted(ml)], heavy),
            ],
            env,
        )

        fast_ratio, ml_ratio = non_ml / python_pass, ml_hook / bandit
        fast_verdict = "met" if fast_ratio <= 6 else "MISSED"
        ml_verdict = "met" if ml_ratio < 1 else "MISSED"
        print(f"median of {RUNS} runs (ms)")
        print(f"  python -c pass                      {python_pass:8.1f}")
        print(f"  (1) hook, non-ML staged commit      {non_ml:8.1f}   {fast_ratio:5.2f}x python -c pass")
        print(f"      target <= 6x python -c pass: {fast_verdict}")
        print(f"  (2) hook, 20-file ML commit         {ml_hook:8.1f}   {ml_ratio:5.2f}x bandit")
        print(f"      bandit -q on the same 20 files  {bandit:8.1f}")
        print(f"      target: faster than bandit: {ml_verdict}")


if __name__ == "__main__":
    main()
