"""A change to one file of a large repository costs what that file needs, not the repository: the
repository model parses and reads only the few files the rules ask about, and every search of
the whole repository goes through git's word screen (`Repository.containing`)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from archbot.repo import model
from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]
MODULES = 5_000

HELPER = '''"""Helpers {n}."""
from pkg.base import Base


class Worker{n}(Base):
    def run(self, value):
        return value + {n}


def helper_{n}(value):
    return Worker{n}().run(value)
'''

# Calls the changed file's sync query function from async code: the one-hop caller search has
# to find this file among all the others.
VIEWS = '''"""Views."""
from app.service import load_rows


async def page(request):
    return load_rows(request.user)
'''

SERVICE = '''"""Answers questions about a user's rows."""

from django.db import models
from openai import OpenAI

from pkg.mod_0001 import helper_1

client = OpenAI(timeout=30, max_retries=2)


class Row(models.Model):
    user = models.CharField(max_length=64)


def load_rows(user_id):
    return Row.objects.filter(user=user_id).count()


async def answer(question: str) -> str:
    result = client.chat.completions.create(
        model=MODEL_NAME,
        messages=[{"role": "user", "content": f"{question} {helper_1(2)}"}],
        max_tokens=300,
    )
    return result.choices[0].message.content or ""
'''


def large_repository(repo: GitRepo) -> None:
    """`MODULES` tracked Python files in one commit, streamed to `git fast-import` and read into
    the index (the working tree stays empty: the reviews read the index and commits)."""
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": '"""Base."""\n\n\nclass Base:\n    def run(self, value):\n        return value\n',
        "pkg/views.py": VIEWS,
        "app/__init__.py": "",
        "app/service.py": '"""Service."""\n',
    }
    files.update({f"pkg/mod_{n:04d}.py": HELPER.format(n=n) for n in range(MODULES - len(files))})
    stream = [b"commit refs/heads/main\ncommitter Dev <dev@example.test> 0 +0000\ndata 0\n"]
    for path, text in files.items():
        data = text.encode()
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.path, input=b"".join(stream), check=True)
    repo.git("read-tree", "main")


@pytest.fixture
def repositories(monkeypatch: pytest.MonkeyPatch) -> list[model.Repository]:
    """Every repository model the reviews build."""
    built: list[model.Repository] = []

    class Recorded(model.Repository):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            built.append(self)

    monkeypatch.setattr(model, "Repository", Recorded)
    return built


def findings(result: Run) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["file"], f["line"]) for f in json.loads(result.out)["findings"]]


def test_one_file_of_a_large_repository_parses_and_reads_a_few_files(
    repo: GitRepo, run_archbot: RunArchbot, repositories: list[model.Repository]
) -> None:
    large_repository(repo)
    repo.stage("app/service.py", SERVICE.replace("MODEL_NAME", '"gpt-4o-2024-08-06"'))
    staged = run_archbot("review", "--no-llm", "--format", "json", "--fail-on", "never")
    repo.git("commit", "-q", "-m", "the service")  # the index as it is: the working tree has only this file
    ranged = run_archbot("review", "--base", "HEAD~1", "--no-llm", "--format", "json", "--fail-on", "never")

    for result in (staged, ranged):
        # The caller in pkg/views.py was found: the search reached across the repository.
        assert ("blocking-call-in-async", "app/service.py", 16) in findings(result)
        assert "pkg/views.py:6" in result.out
    assert len(repositories) == 2
    for built in repositories:
        assert len(built.python_files) == MODULES
        # pkg/mod_0001.py (the imported helper) and pkg/views.py (the caller); nothing else.
        assert (built.parsed, built.read) == (2, 2)


# A repository with many YAML files that are not manifests, and the two manifests the rules on a
# changed Deployment look up: the Service selecting it and the autoscaler targeting it.
EXPERIMENT = "name: experiment {n}\nmodel: distilbert-base-uncased\nlearning_rate: 0.{n}\n"
WORKFLOW = "name: ci {n}\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
SERVICE_MANIFEST = """apiVersion: v1
kind: Service
metadata:
  name: tgi
spec:
  selector:
    app: tgi
  ports:
    - port: 80
      targetPort: 8080
"""
AUTOSCALER = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: tgi
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: tgi}
  minReplicas: 2
  maxReplicas: 8
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: tgi
spec:
  replicas: 1
  selector:
    matchLabels: {app: tgi}
  template:
    metadata:
      labels: {app: tgi}
    spec:
      containers:
        - name: tgi
          image: ghcr.io/huggingface/text-generation-inference:2.4.0
          resources:
            requests: {cpu: "4", memory: 16Gi}
            limits: {cpu: "4", memory: 16Gi}
          startupProbe:
            httpGet: {path: /health, port: 8080}
            failureThreshold: 60
            periodSeconds: 10
          livenessProbe:
            httpGet: {path: /health, port: 8080}
"""


def test_the_manifest_lookups_read_only_yaml_files_naming_a_kind(
    repo: GitRepo, run_archbot: RunArchbot, repositories: list[model.Repository]
) -> None:
    for n in range(150):
        repo.write(f"configs/exp_{n:03d}.yaml", EXPERIMENT.format(n=n))
        repo.write(f".github/workflows/ci_{n:03d}.yml", WORKFLOW.format(n=n))
    repo.write("deploy/service.yaml", SERVICE_MANIFEST)
    repo.write("deploy/hpa.yml", AUTOSCALER)
    repo.commit("init")
    repo.stage("deploy/inference.yaml", DEPLOYMENT)

    result = run_archbot(
        "review", "--no-llm", "--format", "json", "--fail-on", "never", "--persona", "ml-architecture-expert"
    )

    # The Service was found (high, not medium) and the autoscaler too (no single-replica finding).
    assert findings(result) == [("k8s-serving-no-readiness-probe", "deploy/inference.yaml", 14)]
    assert "A Service selects this pod." in result.out
    (built,) = repositories
    assert len(built.glob("*.yaml")) + len(built.glob("*.yml")) == 303
    # deploy/service.yaml and deploy/hpa.yml; none of the 300 others.
    assert built.read == 2
