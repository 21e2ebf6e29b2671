"""Manifests as rules read them: templates read without rendering (a templated value is unknown,
never missing), pod templates found under any kind, findings anchored at the key to fix."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from archbot.rules.manifests import Presence, get, manifest, workloads
from archbot.rules.templating import TEMPLATED, detemplate
from conftest import GitRepo, places
from test_rules_infra import review

Found = list[tuple[str, str, int, str]]


def all_findings(report: dict[str, object]) -> Found:
    return sorted((f["rule"], f["file"], f["line"], f["severity"]) for f in places(report))


CASES: dict[str, Found] = {
    # A chart (Chart.yaml): resources written by `toYaml` (with `nindent`, and with `indent` at
    # column 0 inside an `if`) and probes written by `include` are unknown, not missing; templated
    # images, replicas and env values are not judged; `_helpers.tpl` is not a manifest. Sidecars
    # (no port declared, no model server) beside the container that serves need no probes: the
    # api's cache and the embedder's log shipper.
    "manifests/helm-chart": [
        ("k8s-serving-no-liveness-or-startup-probe", "charts/rag/templates/api.yaml", 14, "medium"),
        ("k8s-serving-no-readiness-probe", "charts/rag/templates/api.yaml", 14, "medium"),
        # requests but no limits: reported at `resources:`
        ("k8s-serving-no-resources", "charts/rag/templates/embedder.yaml", 33, "medium"),
    ],
    # Pod templates of custom resources (an operator's config, RayService worker groups) are
    # checked; a PyTorchJob runs to completion; a YAML file that is not a Kubernetes object
    # (no apiVersion/kind) is not one even with a `containers:` list; a preset without `resources:`
    # leaves them to the objects it is merged into.
    "manifests/custom-resources": [
        ("k8s-image-unpinned", "deploy/llm-platform.yaml", 39, "medium"),
        ("k8s-serving-no-resources", "deploy/llm-platform.yaml", 13, "medium"),
        ("k8s-serving-no-resources", "deploy/llm-platform.yaml", 40, "high"),  # a GPU worker
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_manifest_case(case: str, repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    report = review(repo, run_archbot, case)

    assert all_findings(report) == sorted(CASES[case])
    assert report["notices"] == []


def test_a_template_that_stays_unreadable_says_so(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    repo.stage("deploy/broken.yaml", "kind: Deployment\nspec: {{ .Values.spec }}\n  replicas: [1\n")

    report = review(repo, run_archbot, "manifests/custom-resources")

    assert "deploy/broken.yaml: not valid YAML once its template directives were set aside (line 3)" in str(
        report["notices"]
    )


def test_directive_lines_are_blanked_and_expressions_become_placeholders() -> None:
    text = textwrap.dedent(
        """\
        {{- if .Values.enabled }}
        metadata:
          name: {{ .Release.Name }}-api
          labels:
            {{- include "app.labels" . | nindent 4 }}
        spec:
          image: "repo/app:{{ .Values.tag }}"
        {{ toYaml .Values.extra | indent 2 }}
          {{- $name := .Values.name }}
          {{- /* a comment */}}
        {{- end }}
        """
    )

    result = detemplate(text)

    assert result.text.split("\n") == [
        "",
        "metadata:",
        f"  name: {TEMPLATED}-api",
        "  labels:",
        "",
        "spec:",
        f'  image: "repo/app:{TEMPLATED}"',
        "",
        "",
        "",
        "",
        "",
    ]
    # include with nindent 4 writes at column 4; toYaml with indent 2 at column 2.
    assert result.outputs == ((4, 4), (7, 2))


def test_named_templates_are_blanked_whole() -> None:
    text = (
        '{{- define "x" -}}\nkey: {{ .Values.x }}\n{{- if .a }}\nother: 1\n{{- end }}\n{{- end }}\nafter: 2\n'
    )

    assert detemplate(text).text == "\n\n\n\n\n\nafter: 2\n"


def test_jinja_directives_and_github_expressions() -> None:
    text = "{% if gpu %}\nlimits: {nvidia.com/gpu: {{ gpus }}}\n{% endif %}\nenv: ${{ secrets.TOKEN }}\n"

    result = detemplate(text)

    assert result.text == f"\nlimits: {{nvidia.com/gpu: {TEMPLATED}}}\n\nenv: ${{{{ secrets.TOKEN }}}}\n"
    assert result.outputs == ()


def test_directive_without_indent_writes_at_its_own_column() -> None:
    text = 'a:\n  b: 1\n  {{ include "more" . }}\n'

    assert detemplate(text).outputs == ((2, 2),)


POD = """\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1.0
{body}
"""


def _container(body: str) -> tuple[object, yaml.Node]:
    template = detemplate(POD.format(body=textwrap.indent(textwrap.dedent(body), " " * 10)))
    found = manifest(yaml.compose_all(template.text), template.outputs)
    (workload,) = workloads(found)
    return found, workload.containers[0].node


@pytest.mark.parametrize(
    ("body", "path", "expected"),
    [
        ("resources: {requests: {cpu: 1}}", ("resources", "requests", "cpu"), Presence.PRESENT),
        ("resources: {requests: {cpu: 1}}", ("resources", "limits", "memory"), Presence.MISSING),
        ("ports: []", ("resources",), Presence.MISSING),
        ("resources:\n  {{- toYaml .Values.r | nindent 12 }}", ("resources", "limits"), Presence.UNKNOWN),
        ("resources: {{ toYaml .Values.r }}", ("resources", "limits", "memory"), Presence.UNKNOWN),
        (
            "resources:\n  limits:\n    memory: {{ .Values.m }}",
            ("resources", "limits", "memory"),
            Presence.PRESENT,
        ),
        ('{{- include "probes" . | nindent 10 }}', ("readinessProbe",), Presence.UNKNOWN),
        # A directive deeper in the container (inside `env:`) adds env entries, not probes.
        (
            'env:\n  - name: A\n    value: b\n  {{- include "env" . | nindent 12 }}',
            ("readinessProbe",),
            Presence.MISSING,
        ),
        # ...and one after `env:` at the container's column does add container keys.
        (
            'env:\n  - name: A\n    value: b\n{{- include "probes" . | nindent 10 }}',
            ("readinessProbe",),
            Presence.UNKNOWN,
        ),
        (
            "resources:\n  {{- if .Values.gpu }}\n  limits: {nvidia.com/gpu: 1}\n  {{- end }}",
            ("resources", "limits"),
            Presence.PRESENT,
        ),
    ],
)
def test_presence_in_templated_containers(body: str, path: tuple[str, ...], expected: Presence) -> None:
    found, container = _container(body)

    assert found.presence(container, *path) is expected  # type: ignore[attr-defined]


def test_pod_templates_are_found_under_any_kind() -> None:
    text = textwrap.dedent(
        """\
        apiVersion: example.com/v1
        kind: ModelServer
        metadata: {name: m, labels: {app: m}}
        spec:
          predictor:
            template:
              metadata: {labels: {app: predictor}}
              spec:
                containers: [{name: server, image: "srv:1"}]
          transformers:
            - containers: [{name: pre, image: "pre:1"}]
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: isvc}
        spec:
          predictor:
            model: {modelFormat: {name: sklearn}, storageUri: "gs://models/iris"}
        """
    )

    found = list(workloads(manifest(yaml.compose_all(text))))

    assert [(w.kind, [c.name for c in w.containers], w.labels) for w in found] == [
        ("ModelServer", ["server"], {"app": "predictor"}),
        ("ModelServer", ["pre"], {"app": "m"}),
        ("InferenceService", ["predictor.model"], {}),
    ]
    assert get(found[0].pod, "containers") is not None
