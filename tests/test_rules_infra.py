"""Infrastructure rules (Kubernetes manifests, Dockerfiles, dependency files) on realistic fixtures.

Each case is a directory `tests/data/rules/<rule-id>/<case>/` (or `rules-infra/` for text rules of
the core families proven on infrastructure files) holding `base/` (committed first, when present)
and `head/` (staged). The staged change is reviewed through the CLI and the rule's exact
(file, line, severity) findings are compared with the list written here, so a calibration guard
that starts firing, or a finding that moves off its changed line, fails its test.

The review is forced to one persona: Kubernetes manifests and Dockerfiles do not all reach the
default routing threshold, and these tests are about the rules, not routing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import secret_corpus
from archbot import policy
from archbot.rules.registry import FAMILIES
from conftest import GitRepo, places

DATA = Path(__file__).parent / "data"

Expected = list[tuple[str, int, str]]

CASES: dict[str, Expected] = {
    # Negatives: valueFrom, TOKENIZERS_PARALLELISM "false", MAX_TOTAL_TOKENS "8192", a placeholder,
    # an empty value, SECRET_NAME and HF_TOKEN_PATH (settings, not secrets), a model id.
    # Init containers and Jobs are checked too: a committed secret is one wherever it sits.
    # The HF token (line 19) and the OpenAI key (line 25) are provider key shapes: reported once, by
    # hardcoded-llm-api-key (one finding per topic per line, filter.one_per_topic).
    "rules/k8s-secret-literal-env/manifests": [
        ("deploy/rag-api.yaml", 27, "high"),  # *_PASSWORD literal
        ("deploy/rag-api.yaml", 60, "high"),  # *_API_KEY literal in a Job
    ],
    # Negatives: an init container and a Job/CronJob without resources; a sidecar with requests
    # and a memory limit but no CPU limit.
    "rules/k8s-serving-no-resources/workloads": [
        ("deploy/chat.yaml", 22, "high"),  # vLLM without requests.cpu: anchored at `requests:`
        ("deploy/chat.yaml", 46, "medium"),  # plain container without any
        ("deploy/chat.yaml", 85, "high"),  # KServe predictor model without resources
        # Negative: a ModelMesh InferenceService (line 98) runs in its ServingRuntime's pods.
    ],
    # Only the replicas line and one container's image changed: neither the untouched model server
    # nor the bumped container is reported (its gap was there before the change: carried.py).
    "rules/k8s-serving-no-resources/untouched-container": [],
    # Negatives: GPU requests equal to limits; a non-server container on a GPU runtime class; a
    # request-only GPU in an init container and in a Job.
    "rules/k8s-gpu-resources-invalid/gpu-placement": [
        ("deploy/llm-servers.yaml", 16, "high"),  # requests nvidia.com/gpu, no limit
        ("deploy/llm-servers.yaml", 39, "high"),  # GPU nodeSelector/toleration: anchored at `limits:`
    ],
    # The Service selecting `app: tgi` was committed earlier (found in the repository).
    # Negatives: init container, DaemonSet, CronJob, a container with a readinessProbe.
    "rules/k8s-serving-no-readiness-probe/service-selects": [
        ("deploy/inference.yaml", 17, "high"),
        ("deploy/inference.yaml", 34, "medium"),  # no Service selects the StatefulSet
    ],
    # Negatives: a startupProbe, a liveness budget of exactly 300 s, an init container, a Job, a
    # container suppressed with a reason (it exits on failure).
    "rules/k8s-serving-no-liveness-or-startup-probe/probes": [
        ("deploy/servers.yaml", 14, "medium"),  # 30 + 3 x 10 s before the model is up
        ("deploy/servers.yaml", 55, "medium"),  # no livenessProbe
    ],
    # Negatives: different HTTP paths, different exec commands, a liveness budget twice
    # readiness's (a longer period, 47; a larger failureThreshold, 54), the same tcpSocket port
    # (28: the kernel completes the handshake however busy the server is).
    "rules/k8s-probes-identical/probes": [
        ("deploy/servers.yaml", 19, "medium"),  # same httpGet path and port (5 x 10 s against 3 x 10 s)
        ("deploy/servers.yaml", 62, "medium"),  # readiness's period written by a template: unknown
    ],
    # Negatives: a digest, a release tag, a variable image, a registry port that is not a tag,
    # an unpinned image in an untouched manifest line (deploy/legacy.yaml).
    "rules/k8s-image-unpinned/images": [
        ("deploy/stack.yaml", 11, "medium"),  # init container without a tag
        ("deploy/stack.yaml", 15, "medium"),
        ("deploy/stack.yaml", 17, "medium"),  # :latest
        ("deploy/stack.yaml", 19, "medium"),  # registry:5000/... has no tag
        ("deploy/stack.yaml", 42, "medium"),  # CronJob container
        # Negatives: tool images an init container runs (alpine/curl, busybox:latest), `latest`
        # under a path naming a release, an image in a registry on the local machine.
        ("deploy/stack.yaml", 63, "medium"),  # busybox as a serving pod's own container
        ("deploy/stack.yaml", 65, "medium"),  # a path that names no release
        # Negative: an image the node holds already (`imagePullPolicy: Never`, 78); one pulled if
        # missing is reported.
        ("deploy/stack.yaml", 80, "medium"),
        # Negative: a template's image for whoever deploys it to name (`your-registry/...`, 93).
    ],
    # Helm values. Negatives: an empty tag (the chart's appVersion), `latest` with a digest, a
    # release tag, a `latest` that is no image's tag, a repository on the local machine, one
    # whose path names a release, one whose registry is a placeholder to fill in.
    "rules/k8s-image-unpinned/helm-values": [
        ("charts/rag/values.yaml", 4, "medium"),
        ("charts/rag/values.yaml", 16, "medium"),  # image: name:latest
    ],
    # Negatives: an HPA committed earlier, a KEDA ScaledObject in the same file, a non-server
    # Deployment, three replicas, a StatefulSet.
    "rules/k8s-serving-single-replica-no-hpa/replicas": [
        ("deploy/servers.yaml", 6, "low"),  # replicas: 1
        ("deploy/servers.yaml", 49, "low"),  # replicas unset, reported on `kind:`
    ],
    # Negatives: a stage alias, an ARG default with a tag, `${VAR:-stage}`, a digest, scratch,
    # --platform with a tag, a tag written as a build argument (`:${GATEWAY_VERSION}`, the build
    # chooses it; its default `latest` is a fallback), an image the repository publishes (its
    # release workflow's IMAGE_NAME) or builds (`docker build -t` in its Makefile), an image in a
    # registry on the local machine (serving/dev.Dockerfile), `latest` under a repository path
    # naming a release (serving/hpu.Dockerfile), a template's base whose registry is a placeholder
    # (serving/template.Dockerfile).
    "rules/dockerfile-base-image-unpinned/images": [
        ("serving/Dockerfile", 6, "medium"),  # ARG default `python` has no tag
        ("serving/Dockerfile", 10, "medium"),
        ("serving/extras/tools.Dockerfile", 2, "medium"),  # a name the builds only start with
        ("serving/gaudi-nightly.Dockerfile", 1, "medium"),  # `ubuntu22.04` names no release
        ("serving/gateway.Dockerfile", 3, "medium"),  # :latest written
        ("training/Dockerfile.gpu", 1, "medium"),  # :latest
    ],
    # A stage that only fetches and unpacks files for later stages hands on those files, whatever
    # its base (server/Dockerfile:2). A stage that builds, and the final stage, are reported.
    "rules/dockerfile-base-image-unpinned/stages": [
        ("server/Dockerfile", 10, "medium"),  # a script piped from curl runs there
        ("server/Dockerfile", 13, "medium"),  # pip builds wheels on a floating python
        ("server/Dockerfile", 17, "medium"),  # the final image
    ],
    # BuildKit heredoc bodies belong to the instruction that opened them. Negatives: Python and
    # SQL lines starting with `from`/`FROM` in RUN and COPY bodies (`<<'PY'`, `<<"EOF2"`, two
    # heredocs on one line, `<<-` with tab-indented terminator), `1<<4` and a `<<<` here-string.
    "rules/dockerfile-base-image-unpinned/heredocs": [
        ("Dockerfile", 21, "medium"),  # the instruction after the last body is read again
    ],
    # A RUN heredoc run as a shell script (`RUN <<EOF`, `RUN bash -eux <<'SH'`) is commands.
    # Negatives: a body fed to python3, a body with a python shebang, a COPY body (file content).
    "rules/unpinned-ml-dependency/heredocs": [
        ("Dockerfile", 5, "medium"),  # transformers
        ("Dockerfile", 7, "medium"),  # peft on a continuation line of the body
        ("Dockerfile", 10, "medium"),  # uv pip install accelerate>=0.33 fed to bash
    ],
    # Negatives: ==, ~=, bounded ranges, a VCS URL at a full commit, -r, non-ML packages, conda
    # `=` and `name version` specs, conda channels, optional dependencies, pip install of
    # `.`, a local wheel, `pkg @ url`, -c constraints, pip itself.
    "rules/unpinned-ml-dependency/application": [
        ("docker/Dockerfile", 4, "medium"),  # transformers, accelerate>=0.33
        ("docker/Dockerfile", 5, "medium"),  # bitsandbytes on a continuation line
        ("docker/Dockerfile", 11, "medium"),  # uv pip install vllm
        ("environment.yml", 8, "medium"),  # conda pytorch
        ("environment.yml", 11, "medium"),  # scikit-learn>=1.4
        ("environment.yml", 15, "medium"),  # pip: transformers
        ("pyproject.toml", 6, "medium"),  # anthropic>=0.34
        ("pyproject.toml", 9, "medium"),  # torch
        ("requirements.txt", 4, "medium"),  # torch
        ("requirements.txt", 5, "medium"),  # lower bound only
        ("requirements.txt", 9, "medium"),  # > only
        ("requirements.txt", 10, "medium"),  # lower bound with a marker
        ("requirements.txt", 12, "medium"),  # VCS at a branch
        ("requirements.txt", 14, "medium"),  # editable VCS without a commit
        ("requirements.txt", 17, "medium"),  # specifier on a continuation line
    ],
    "rules/unpinned-ml-dependency/lock-file": [],  # uv.lock in the repository
    "rules/unpinned-ml-dependency/pip-compile": [],  # requirements.in compiled by pip-compile
    "rules/unpinned-ml-dependency/library": [],  # build-system and no scripts
    # -c constraints and --require-hashes skip their own file only.
    "rules/unpinned-ml-dependency/hashes-and-constraints": [
        ("requirements-dev.txt", 2, "medium"),
    ],
    # Negatives: caret, tilde, exact versions, a bounded table version, python, dev groups.
    "rules/unpinned-ml-dependency/poetry": [
        ("pyproject.toml", 10, "medium"),  # "*"
        ("pyproject.toml", 12, "medium"),  # >=
        ("pyproject.toml", 15, "medium"),  # git branch
        ("pyproject.toml", 17, "medium"),  # table version >=
    ],
    # Negatives: ${VAR}, a placeholder token, a masked key in a comment, an empty ENV value, an
    # empty `.env` value followed by another assignment.
    "rules-infra/hardcoded-llm-api-key/config": [
        (".env", 2, "critical"),
        ("Dockerfile", 2, "critical"),  # ARG default
        ("Dockerfile", 3, "critical"),  # ENV
        ("deploy/llm-config.yaml", 7, "critical"),
    ],
    # One secret per file kind. Negatives: environment lookups (process.env, os.environ.get,
    # std::env::var), placeholders (`sk-your-key-here`, `{{ .Values.langsmithKey }}`), names about
    # a credential or about tokens as text (`hfTokenSecretName`, `secret_name`, `maxTokens`,
    # `MAX_TOTAL_TOKENS`, TOKENIZERS_PARALLELISM), an ARG without a default, an empty value, a
    # request header read into `token`.
    "rules-infra/hardcoded-llm-api-key/every-kind": [
        (".env.local", 1, "high"),  # a random literal under COHERE_API_KEY
        ("app/settings.py", 6, "critical"),  # an OpenAI-style key in a dict literal
        ("app/settings.py", 9, "high"),  # a random module constant GROQ_API_KEY
        ("charts/rag/values.yaml", 5, "critical"),  # Helm values HF_TOKEN: hf_...
        ("charts/rag/values.yaml", 9, "critical"),  # a name/value pair in Helm values
        ("cmd/gateway/main.go", 8, "high"),  # const anthropicAPIKey string = "..."
        ("cmd/gateway/main.go", 11, "critical"),  # os.Setenv("OPENAI_API_KEY", "sk-...")
        ("crates/embed/src/lib.rs", 1, "high"),  # const COHERE_API_KEY: &str = "..."
        ("images/Dockerfile.serving", 3, "critical"),  # ENV HF_TOKEN=hf_... on a continued ENV
        ("web/src/embed.js", 3, "critical"),
        ("web/src/llm.ts", 3, "critical"),  # apiKey: "sk-proj-..."
    ],
    # The switch as a setting. Negatives: a comment, `false`, a key that only mentions it, a
    # mapping that pins the revision to a commit beside the switch (line 17).
    "rules-infra/trust-remote-code/settings": [
        ("charts/llm/values.yaml", 3, "high"),  # Helm values trustRemoteCode: true
        ("charts/llm/values.yaml", 12, "high"),  # an env entry's value
        ("charts/llm/values.yaml", 21, "high"),  # the pin belongs to another mapping (`loader:`)
        ("serving/.env", 2, "high"),
        ("serving/Dockerfile", 2, "high"),  # ENV NAME value
    ],
    # Negatives: the flag in a Dockerfile comment and in a YAML comment, and with a revision
    # pinned to a commit among the same arguments, after it or before it (deploy/vision.yaml:22 and
    # 31, serving/Dockerfile.pinned).
    "rules-infra/trust-remote-code/serving": [
        ("deploy/vision.yaml", 15, "high"),  # container args
        ("serving/Dockerfile", 5, "high"),  # exec-form ENTRYPOINT continuation
        ("serving/Dockerfile.tgi", 2, "high"),  # shell-form CMD
    ],
}


def stage_case(repo: GitRepo, case: Path) -> None:
    for part in ("base", "head"):
        tree = case / part
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            repo.stage(path.relative_to(tree).as_posix(), path.read_bytes())
        if part == "base" and tree.is_dir():
            repo.commit("base")


def review(repo: GitRepo, run_archbot, case: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    stage_case(repo, DATA / case)
    return review_staged(run_archbot)


def review_staged(run_archbot) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result = run_archbot(
        "review", "--format", "json", "--fail-on", "never", "--persona", "ml-architecture-expert"
    )
    assert (result.code, result.err) == (0, "")
    report: dict[str, object] = json.loads(result.out)
    return report


def findings_for(rule: str, report: dict[str, object]) -> Expected:
    findings = places(report)
    return sorted((f["file"], f["line"], f["severity"]) for f in findings if f["rule"] == rule)


def test_every_infra_rule_has_a_case() -> None:
    infra = {"kubernetes", "containers", "dependencies"}
    rules = {spec.id for name in infra for spec in FAMILIES[name].RULES.specs}
    assert {case.split("/")[1] for case in CASES if case.startswith("rules/")} == rules


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule_case(case: str, repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    rule = case.split("/")[1]
    if policy.policy(rule).opt_in:
        repo.write(".archbot.yml", f"rules:\n  enable: [{rule}]\n")
    report = review(repo, run_archbot, case)

    assert findings_for(case.split("/")[1], report) == sorted(CASES[case])


def test_github_expressions_are_not_helm_templates(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    repo.stage(
        ".github/workflows/evals.yml",
        "name: evals\n"
        "on: [push]\n"
        "jobs:\n"
        "  run:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        "      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n"
        "    steps:\n"
        "      - run: python -m evals --model acme/support-7b --trust-remote-code\n",
    )

    report = review_staged(run_archbot)

    assert report["notices"] == []
    assert findings_for("trust-remote-code", report) == [(".github/workflows/evals.yml", 9, "high")]


def test_a_rewritten_manifest_line_reports_only_what_it_brings(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """Image lines rewritten in place (carried.py): a new tag or digest of the same image, with or
    without another edit beside it, does not bring the container's missing probes and resources
    (they were missing before); what the rewrite itself brings is reported: a tag moved to
    `latest`, a plain container turned into a model server (its missing resources now weigh high)."""
    report = review(repo, run_archbot, "rules-infra/image-version-bump")

    assert sorted((f["rule"], f["file"], f["line"], f["severity"]) for f in places(report)) == [
        ("k8s-image-unpinned", "deploy/search.yaml", 24, "medium"),
        ("k8s-serving-no-resources", "deploy/search.yaml", 27, "high"),
    ]


def test_a_requirement_rewritten_with_its_old_specifier_is_not_unpinned(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A package renamed (a typo fixed) or given an extra keeps the specifier of the line it
    replaces: the change did not unpin it. A line that drops a pin, or a requirement the change
    adds, is reported."""
    repo.write(".archbot.yml", "rules:\n  enable: [unpinned-ml-dependency]\n")
    before = "fastapi==0.110.0\nsentence-transformer\ntransformers==4.44.2\nopenai>=1.0\n"
    repo.stage("requirements.txt", before)
    repo.commit("before")
    repo.stage(
        "requirements.txt",
        "fastapi==0.110.0\nsentence-transformers\ntransformers\nopenai[datalib]>=1.0\nvllm\n",
    )

    assert findings_for("unpinned-ml-dependency", review_staged(run_archbot)) == [
        ("requirements.txt", 3, "medium"),
        ("requirements.txt", 5, "medium"),
    ]


_PINNED_SHA = "4f3b1c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"


def test_a_new_config_written_from_the_projects_others_carries_their_remote_code_switch(
    repo: GitRepo,
    run_archbot,  # type: ignore[no-untyped-def]
) -> None:
    """A configuration line the project's other configurations already hold, with the same finding
    (carried.py: a new experiment's config copied from the last one, an entry added to a registry
    beside its siblings), repeats the project's choice; the first switch of its kind, and a copy of
    a pinned one left unpinned, are reported, in each file the change adds it to."""
    vision = "model:\n  name: acme/vision-7b\n  trust_remote_code: true\n  dtype: bfloat16\n"
    repo.stage("experiments/configs/v1/vision_small.yaml", vision)
    repo.stage(
        "experiments/registry.yaml",
        "- name: acme/vision-7b\n  args:\n    trust_remote_code: true\n",
    )
    repo.stage(
        "serving/configs/base.yaml",
        f"model:\n  name: acme/chat-7b\n  trust-remote-code: yes\n  revision: {_PINNED_SHA}\n",
    )
    repo.commit("before")
    large = vision.replace("dtype: bfloat16", "dtype: float16")
    repo.stage("experiments/configs/v2/vision_large.yaml", large)
    repo.stage(
        "experiments/registry.yaml",
        "- name: acme/vision-7b\n  args:\n    trust_remote_code: true\n"
        "- name: acme/vision-13b\n  args:\n    trust_remote_code: true\n",
    )
    repo.stage("serving/configs/large.yaml", "model:\n  name: acme/chat-13b\n  trust-remote-code: yes\n")
    repo.stage("agents/configs/planner.yaml", "model:\n  name: acme/plan-3b\n  trust_remote_code: on\n")
    repo.stage("agents/configs/critic.yaml", "model:\n  name: acme/critic-3b\n  trust_remote_code: on\n")

    assert findings_for("trust-remote-code", review_staged(run_archbot)) == [
        ("agents/configs/critic.yaml", 3, "high"),
        ("agents/configs/planner.yaml", 3, "high"),
        ("serving/configs/large.yaml", 3, "high"),
    ]


def test_a_kustomize_patch_leaves_what_it_omits_to_its_base(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A file a kustomization merges as a patch (`patches:` entries, `patchesStrategicMerge:`
    items, named relative to the kustomization, from a folder above it too) holds only what it
    changes: the resources, probes and replicas it leaves out are the base's. A workload the same
    kustomization lists as a resource is whole, and its gaps are reported."""
    server = (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: {name}\n"
        "spec:\n"
        "  template:\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: {name}\n"
        "          image: vllm/vllm-openai:v0.6.3\n"
        "          env:\n"
        "            - name: MAX_MODEL_LEN\n"
        "              value: '8192'\n"
    )
    repo.stage(
        "deploy/overlays/prod/kustomization.yaml",
        "resources:\n  - ../../base\n  - router.yaml\n"
        "patches:\n  - path: patches/chat-server.yaml\n    target:\n      kind: Deployment\n"
        "patchesStrategicMerge:\n  - ../shared/embed-server.yaml\n",
    )
    repo.stage("deploy/overlays/prod/patches/chat-server.yaml", server.format(name="chat-server"))
    repo.stage("deploy/overlays/shared/embed-server.yaml", server.format(name="embed-server"))
    repo.stage("deploy/overlays/prod/router.yaml", server.format(name="router"))

    report = review_staged(run_archbot)

    assert sorted((f["rule"], f["file"], f["line"]) for f in places(report)) == [
        ("k8s-serving-no-liveness-or-startup-probe", "deploy/overlays/prod/router.yaml", 9),
        ("k8s-serving-no-readiness-probe", "deploy/overlays/prod/router.yaml", 9),
        ("k8s-serving-no-resources", "deploy/overlays/prod/router.yaml", 9),
        ("k8s-serving-single-replica-no-hpa", "deploy/overlays/prod/router.yaml", 2),
    ]


# The start of a Deployment of two replicas named `{name}`, up to its pod template.
DEPLOYMENT_HEAD = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n  template:\n"
)


def test_a_sidecar_beside_the_serving_container_needs_no_probes(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A container that declares no port and is no model server, in a pod whose other container
    declares a port or is a model server, takes none of the pod's traffic: its missing probes are
    not reported. Alone in a pod no Service selects it takes no traffic at all, and needs no
    readiness; a liveness probe still restarts it when it hangs."""
    pod = DEPLOYMENT_HEAD + "    spec:\n      containers:\n{containers}"
    shipper = (
        "        - name: log-shipper\n"
        "          image: timberio/vector:0.39.0-debian\n"
        "          resources:\n"
        "            requests: {cpu: 50m, memory: 64Mi}\n"
        "            limits: {memory: 64Mi}\n"
    )
    gateway = (
        "        - name: gateway\n"
        "          image: ghcr.io/acme/gateway:1.4.2\n"
        "          ports:\n"
        "            - containerPort: 8080\n"
        "          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n"
        "          livenessProbe: {httpGet: {path: /live, port: 8080}}\n"
        "          resources:\n"
        "            requests: {cpu: 500m, memory: 1Gi}\n"
        "            limits: {memory: 1Gi}\n"
    )
    embedder = (
        "        - name: embedder\n"
        "          image: ghcr.io/huggingface/text-embeddings-inference:cpu-1.5\n"
        "          startupProbe: {httpGet: {path: /health, port: 80}, failureThreshold: 60}\n"
        "          readinessProbe: {httpGet: {path: /health, port: 80}}\n"
        "          livenessProbe: {tcpSocket: {port: 80}}\n"
        "          resources:\n"
        "            requests: {cpu: '2', memory: 4Gi}\n"
        "            limits: {memory: 4Gi}\n"
    )
    repo.stage("deploy/gateway.yaml", pod.format(name="gateway", containers=gateway + shipper))
    repo.stage("deploy/embedder.yaml", pod.format(name="embedder", containers=embedder + shipper))
    repo.stage("deploy/shipper.yaml", pod.format(name="shipper", containers=shipper))

    report = review_staged(run_archbot)

    assert sorted((f["rule"], f["file"], f["line"]) for f in places(report)) == [
        ("k8s-serving-no-liveness-or-startup-probe", "deploy/shipper.yaml", 10),
    ]


def test_a_container_the_service_does_not_target_is_a_sidecar(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """The Service selecting the pod sends its traffic to the API's named port: the metrics
    exporter beside it, with a port of its own, needs no probes (the Service's port named for
    metrics carries scrapes, not traffic). Where the Service targets a port no container
    declares, any container may listen on it, and both are reported."""
    deployment = (
        DEPLOYMENT_HEAD + "    metadata:\n"
        "      labels: {{app: {name}}}\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: api\n"
        "          image: ghcr.io/acme/rag-api:2.1.0\n"
        "          ports:\n"
        "            - {{name: http, containerPort: 8000}}\n"
        "          resources:\n"
        "            requests: {{cpu: 500m, memory: 1Gi}}\n"
        "            limits: {{memory: 1Gi}}\n"
        "        - name: exporter\n"
        "          image: ghcr.io/acme/perf-exporter:0.3.1\n"
        "          ports:\n"
        "            - {{name: metrics, containerPort: 9090}}\n"
        "          resources:\n"
        "            requests: {{cpu: 50m, memory: 64Mi}}\n"
        "            limits: {{memory: 64Mi}}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  name: {name}\n"
        "spec:\n"
        "  selector: {{app: {name}}}\n"
        "  ports:\n"
        "    - {{port: 80, targetPort: {target}}}\n"
        "    - {{name: metrics, port: 9090, targetPort: metrics}}\n"
    )
    repo.stage("deploy/api.yaml", deployment.format(name="api", target="http"))
    repo.stage("deploy/search.yaml", deployment.format(name="search", target="8080"))

    report = review_staged(run_archbot)

    assert sorted((f["rule"], f["file"], f["line"], f["severity"]) for f in places(report)) == [
        ("k8s-serving-no-liveness-or-startup-probe", "deploy/api.yaml", 12, "medium"),
        ("k8s-serving-no-liveness-or-startup-probe", "deploy/search.yaml", 12, "medium"),
        ("k8s-serving-no-liveness-or-startup-probe", "deploy/search.yaml", 19, "medium"),
        ("k8s-serving-no-readiness-probe", "deploy/api.yaml", 12, "high"),
        ("k8s-serving-no-readiness-probe", "deploy/search.yaml", 12, "high"),
        ("k8s-serving-no-readiness-probe", "deploy/search.yaml", 19, "high"),
    ]


def test_a_proxy_that_points_at_a_model_server_is_not_one(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """An auth proxy in front of a model server's UI names the server in its arguments (a service
    account, the upstream's address): it runs no model, so its liveness probe restarting it after
    100 s is right, not a crash loop of slow weight loading. The model server it points at, run
    by its command, is judged as one."""
    proxy = (
        DEPLOYMENT_HEAD.format(name="chat-ui") + "    spec:\n"
        "      containers:\n"
        "        - name: oauth-proxy\n"
        "          image: quay.io/openshift/origin-oauth-proxy:4.14\n"
        "          args:\n"
        "            - -upstream=http://vllm-server:8000\n"
        "            - -openshift-service-account=vllm-chat-ui\n"
        "          ports:\n"
        "            - containerPort: 4180\n"
        "          readinessProbe: {httpGet: {path: /oauth/healthz, port: 4180}}\n"
        "          livenessProbe: {httpGet: {path: /oauth/healthz, port: 4180}, initialDelaySeconds: 10,"
        " periodSeconds: 30, failureThreshold: 3}\n"
        "          resources:\n"
        "            requests: {cpu: 100m, memory: 128Mi}\n"
        "            limits: {memory: 128Mi}\n"
    )
    server = proxy.replace("chat-ui", "vllm-server").replace(
        "          image: quay.io/openshift/origin-oauth-proxy:4.14\n"
        "          args:\n"
        "            - -upstream=http://vllm-server:8000\n"
        "            - -openshift-service-account=vllm-vllm-server\n",
        "          image: ghcr.io/acme/runtime:2.3.0\n"
        "          command: [python3, -m, vllm.entrypoints.openai.api_server]\n",
    )
    repo.stage("deploy/chat-ui.yaml", proxy)
    repo.stage("deploy/vllm-server.yaml", server)

    report = review_staged(run_archbot)

    assert sorted((f["rule"], f["file"], f["line"]) for f in places(report)) == [
        ("k8s-serving-no-liveness-or-startup-probe", "deploy/vllm-server.yaml", 16),
    ]


def test_a_column_of_digests_is_the_tables_data(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A table of hex digests keyed by name (a tool manifest's frozen schema hashes) holds values
    computed alike for a list of things: a name that happens to hold a credential word
    (`vault_secret_read`) is one more row, not a key. The same digest under a credential name on
    its own, and a column where most names are credentials, are reported."""

    def digest(name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()

    tools = [
        "search_docs",
        "vault_secret_read",
        "upload_file",
        "session_token_refresh",
        "list_models",
        "rank",
    ]
    rows = "".join(f'    "{tool}": "{digest(tool)}",\n' for tool in tools)
    repo.stage("tests/test_manifest.py", f"SCHEMA_DIGESTS = {{\n{rows}}}\n")
    keys = ["search_api_key", "maps_api_key", "mail_api_key", "build_id", "worker_token"]
    repo.stage("deploy/service.yaml", "".join(f"{key}: {digest(key)}\n" for key in keys))
    repo.stage("deploy/signing.yaml", f"name: signer\nsigning_secret: {digest('signer')}\n")

    assert findings_for("hardcoded-llm-api-key", review_staged(run_archbot)) == [
        ("deploy/service.yaml", 1, "high"),
        ("deploy/service.yaml", 2, "high"),
        ("deploy/service.yaml", 3, "high"),
        ("deploy/service.yaml", 5, "high"),
        ("deploy/signing.yaml", 2, "high"),
    ]


def test_a_digest_named_as_one_is_no_credential(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A value whose name says it is a one-way digest of the credential (a secrets scanner's
    baseline under `hashed_secret`, a user table's `password_hash`) is not the credential; the
    same digest under the credential's own name is reported."""
    digest = hashlib.sha1(b"baseline").hexdigest()
    entry = {"type": "Secret Keyword", "filename": "app/config.py", "hashed_secret": digest, "line_number": 3}
    baseline = {"version": "1.5.0", "results": {"app/config.py": [entry]}}
    repo.stage(".secrets.baseline", json.dumps(baseline, indent=2) + "\n")
    repo.stage("deploy/users.yaml", f"admin:\n  password_hash: {digest}\n  api_secret: {digest}\n")

    assert findings_for("hardcoded-llm-api-key", review_staged(run_archbot)) == [
        ("deploy/users.yaml", 3, "high"),
    ]


def test_a_credential_in_text_the_code_holds_is_the_texts(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A name and a random literal, or a looser key shape known by that name (`sk-...`), inside a
    string the code hands on (a redactor's test input, a parser's) are that text's; the same
    assignment in code, and a key whose shape identifies it inside such a string, are reported."""
    token = secret_corpus.chars(secret_corpus.ALNUM, 24)
    anthropic = next(s.value for s in secret_corpus.CORPUS if s.kind == "anthropic")
    repo.stage(
        "src/__tests__/scrub.test.ts",
        f"it('scrubs a JSON body', () => {{\n"
        f"  expect(scrub('{{\"client_secret\":\"{token}\"}}')).toBe('x');\n}});\n"
        f"it('scrubs a key', () => {{\n  expect(scrub('{{\"api_key\":\"{anthropic}\"}}')).toBe('x');\n}});\n",
    )
    repo.stage(
        "tests/test_scrub.py",
        f"def test_env_line():\n    assert scrub('api_key=\"{token}\"') == 'x'\n\n\n"
        f"def test_openai_line():\n    assert scrub('OPENAI_API_KEY = \"sk-{token}\" (rotated)') == 'x'\n",
    )
    repo.stage("src/settings.ts", f'export const client_secret = "{token}";\n')

    assert findings_for("hardcoded-llm-api-key", review_staged(run_archbot)) == [
        ("src/__tests__/scrub.test.ts", 5, "critical"),
        ("src/settings.ts", 1, "high"),
    ]


def test_a_credential_in_code_quoted_as_data_is_the_datas(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A dataset of programs, or a fixture holding a grader's source, quotes code inside its
    strings: a random literal under a credential name there (between escaped quotes, or given by
    `=` where JSON itself only writes `"name": value`) is the program's, not this repository's
    setting. A key with a provider's shape is a key wherever it
    sits; the same name and literal as the data file's own setting, and in a notebook's code, are
    reported."""
    token = secret_corpus.chars(secret_corpus.ALNUM, 32)
    anthropic = next(s.value for s in secret_corpus.CORPUS if s.kind == "anthropic")
    program = f'const std::string grader_secret = "{token}";\nint main() {{ return 0; }}'
    repo.stage(
        "tests/data/graders.jsonl",
        json.dumps({"task": "sum", "checker": program})
        + "\n"
        + json.dumps({"task": "chat", "client": f'client = Anthropic(api_key="{anthropic}")'})
        + "\n",
    )
    signature = f"def fetch(host='ftp.example.org', ftp_password='{token}'):\n    return host\n"
    repo.stage("benchmarks/tasks.json", json.dumps([{"id": "ftp", "prompt": signature}], indent=1) + "\n")
    repo.stage("deploy/settings.json", json.dumps({"grader_secret": token}, indent=2) + "\n")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook = {"cells": [{**cell, "source": [f'grader_secret = "{token}"\n']}], "metadata": {}}
    repo.stage("notebooks/grade.ipynb", json.dumps(notebook, indent=1) + "\n")

    assert findings_for("hardcoded-llm-api-key", review_staged(run_archbot)) == [
        ("deploy/settings.json", 2, "high"),
        ("notebooks/grade.ipynb", 9, "high"),
        ("tests/data/graders.jsonl", 2, "critical"),
    ]


def test_a_credential_of_a_service_on_this_machine(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A random literal under a credential name that names no hosted service, in a file whose every
    service address is this machine's, is the credential of a service the developer runs locally;
    a provider's name, a provider's key shape, or one address elsewhere (a cluster's
    `*.svc.cluster.local` too) keeps it reported."""
    secret = hashlib.sha256(b"local identity server").hexdigest()[:32]
    repo.stage(
        "dev/.env.local",
        "IDP_URL=http://localhost:3302\nDB_HOST=127.0.0.1\nSEARCH_URL=http://search.localhost:9200\n"
        f"IDP_CLIENT_SECRET={secret}\nPINECONE_API_KEY={secret}\n",
    )
    repo.stage(
        "deploy/secret.yaml",
        f'stringData:\n  PGHOST: "db.portal.svc.cluster.local"\n  SESSION_SECRET: "{secret}"\n',
    )
    repo.stage(
        "dev/remote.env",
        f"IDP_URL=http://localhost:3302\nAUDIT_URL=https://audit.example.com/v1\nIDP_CLIENT_SECRET={secret}\n",
    )
    repo.stage("dev/seed.sh", f'IDP_URL="http://localhost:3302"\nIDP_CLIENT_SECRET="{secret}"\n')

    assert findings_for("hardcoded-llm-api-key", review_staged(run_archbot)) == [
        ("deploy/secret.yaml", 3, "high"),
        ("dev/.env.local", 5, "high"),
        ("dev/remote.env", 3, "high"),
    ]
