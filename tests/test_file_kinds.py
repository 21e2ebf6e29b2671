"""Every file kind recognised from its name, and Helm charts from the repository around them."""

from __future__ import annotations

import json

import pytest

from archbot.classify import LOCK_FILES, PYTHON_LOCK_FILES, FileKind, file_kind, is_lock_file, worth_reading
from archbot.rules.manifests import is_batch, is_partial
from conftest import GitRepo


@pytest.mark.parametrize(
    "path",
    [
        "Dockerfile",
        "dockerfile",
        "DOCKERFILE",
        "serving/Dockerfile",
        "Dockerfile.gpu",
        "docker/Dockerfile.cuda12.4",
        "Dockerfile_cuda",
        "Dockerfile-dev",
        "serving.dockerfile",
        "images/vllm.Dockerfile",
        "Containerfile",
        "Containerfile.rocm",
        "Containerfile-ubi9",
        "api.containerfile",
    ],
)
def test_every_dockerfile_name_is_a_dockerfile(path: str) -> None:
    assert file_kind(path) == "dockerfile"
    assert worth_reading(path)


@pytest.mark.parametrize("name", sorted(LOCK_FILES))
def test_every_lock_file_is_one_and_not_read_for_signals(name: str) -> None:
    assert is_lock_file(f"services/api/{name}")
    assert not worth_reading(f"services/api/{name}")


@pytest.mark.parametrize("path", ["uv.lock.md", "docs/lockfiles.md", "package.json", "go.mod", "Cargo.toml"])
def test_names_near_a_lock_file_are_not_one(path: str) -> None:
    assert not is_lock_file(path)


def test_python_lock_files_are_lock_files() -> None:
    assert set(PYTHON_LOCK_FILES) <= set(LOCK_FILES)


@pytest.mark.parametrize(
    "path",
    [
        "Dockerfile.md",
        "docs/Dockerfile.rst",
        ".dockerignore",
        "Dockerfile.dockerignore",
        "dockerfiles/README",
    ],
)
def test_names_near_a_dockerfile_are_not_one(path: str) -> None:
    assert file_kind(path) != "dockerfile"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("app/llm.py", "python"),
        ("stubs/llm.pyi", "python"),
        ("notebooks/eval.ipynb", "notebook"),
        ("deploy/vllm.yaml", "yaml"),
        ("deploy/vllm.yml", "yaml"),
        ("environment.yml", "conda"),
        ("requirements.txt", "requirements"),
        ("requirements/serving.in", "requirements"),
        ("constraints.txt", "requirements"),
        ("pyproject.toml", "pyproject"),
        (".env", "env"),
        (".env.production", "env"),
        ("web/src/llm.js", "javascript"),
        ("web/src/Chat.jsx", "javascript"),
        ("scripts/seed.mjs", "javascript"),
        ("config/babel.cjs", "javascript"),
        ("web/src/llm.ts", "typescript"),
        ("web/src/Chat.tsx", "typescript"),
        ("web/src/worker.mts", "typescript"),
        ("web/src/worker.cts", "typescript"),
        ("cmd/gateway/main.go", "go"),
        ("crates/embed/src/lib.rs", "rust"),
        ("web/dist/app.min.js", "other"),
        ("web/types/openai.d.ts", "other"),
        ("README.md", "other"),
    ],
)
def test_kinds_by_name(path: str, kind: FileKind) -> None:
    assert file_kind(path) == kind


CHART = frozenset(
    [
        "charts/rag/Chart.yaml",
        "charts/rag/values.yaml",
        "charts/rag/templates/deployment.yaml",
        "Chart.yaml",
    ]
)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("charts/rag/Chart.yaml", "helm"),
        ("charts/rag/templates/deployment.yaml", "helm"),
        ("charts/rag/templates/gpu/worker.yml", "helm"),
        ("charts/rag/templates/_helpers.tpl", "helm"),
        ("charts/rag/values.yaml", "helm-values"),
        ("charts/rag/values-production.yaml", "helm-values"),
        ("templates/service.yaml", "helm"),  # the repository root is a chart
        ("values.yaml", "helm-values"),
        # Not in a chart: no Chart.yaml beside `templates/` or the values file.
        ("charts/other/templates/deployment.yaml", "yaml"),
        ("config/values.yaml", "yaml"),
        ("docs/templates/page.tpl", "other"),
        ("charts/rag/ci/values-test.yaml", "yaml"),
    ],
)
def test_helm_charts_are_known_by_their_chart_yaml(path: str, kind: FileKind) -> None:
    assert file_kind(path, CHART.__contains__) == kind


def test_without_the_repository_chart_files_are_plain_yaml() -> None:
    assert file_kind("charts/rag/templates/deployment.yaml") == "yaml"
    assert file_kind("charts/rag/values.yaml") == "yaml"


@pytest.mark.parametrize(
    ("kind", "batch"),
    [
        ("Job", True),
        ("CronJob", True),
        ("PyTorchJob", True),
        ("TFJob", True),
        ("MPIJob", True),
        ("RayJob", True),
        ("JobSet", True),
        ("TrainJob", True),
        ("TrainingRuntime", True),
        ("ClusterTrainingRuntime", True),
        ("Workflow", True),
        ("WorkflowTemplate", True),
        ("ClusterWorkflowTemplate", True),
        ("CronWorkflow", True),
        ("Pipeline", True),
        ("PipelineRun", True),
        ("Task", True),
        ("TaskRun", True),
        ("SparkApplication", True),
        ("ScheduledSparkApplication", True),
        ("Deployment", False),
        ("StatefulSet", False),
        ("RayService", False),
        ("InferenceService", False),
        ("ServingRuntime", False),
    ],
)
def test_batch_kinds(kind: str, batch: bool) -> None:
    assert is_batch(kind) is batch


@pytest.mark.parametrize(
    ("kind", "partial"),
    [
        ("LLMInferenceServiceConfig", True),
        ("PodTemplate", True),
        ("ClusterServingRuntimeTemplate", True),
        ("WorkspacePreset", True),
        ("PodDefault", True),
        ("PodDefaults", True),
        ("NotebookProfile", True),
        ("ServerConfiguration", True),
        ("WorkflowTemplate", False),  # a batch kind: not checked at all
        ("Deployment", False),
        ("LLMInferenceService", False),
    ],
)
def test_partial_kinds(kind: str, partial: bool) -> None:
    assert is_partial(kind) is partial


def test_a_dockerfile_under_any_name_is_reviewed(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    names = ["Dockerfile_cuda", "Dockerfile-dev", "serving.dockerfile", "Containerfile"]
    for n, name in enumerate(names):
        # Each its own base image: four findings, not one for the same line in four files.
        image = f"FROM acme/torch-{n}\nRUN pip install --no-cache-dir vllm==0.6.3\n"
        repo.stage(f"images/{name}", image)

    result = run_archbot(
        "review", "--format", "json", "--fail-on", "never", "--persona", "ai-architect-agent"
    )

    assert result.code == 0
    assert sorted(f"{f['file']}:{f['line']} {f['rule']}" for f in json.loads(result.out)["findings"]) == [
        f"images/{name}:1 dockerfile-base-image-unpinned" for name in sorted(names)
    ]
