"""Kubernetes manifests for model servers: secrets, resources, GPUs, probes, images, replicas."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from archbot import secrets
from archbot.models import Severity
from archbot.repo.model import Repository
from archbot.rules import Family, Hit
from archbot.rules.images import local_registry, placeholder_image, utility_image, versioned_repository
from archbot.rules.manifests import (
    LONG_RUNNING_KINDS,
    SERVED_KINDS,
    Container,
    Manifest,
    Presence,
    Workload,
    deepest_key_line,
    get,
    items,
    key_line,
    kustomize_patch,
    manifest,
    mapping,
    repo_documents,
    scalar,
    span,
    strings,
    templated,
    workloads,
)
from archbot.rules.source import YamlFile
from archbot.rules.templating import TEMPLATED

if TYPE_CHECKING:
    import yaml

RULES = Family()

_NOT_SECRET_VALUE = re.compile(r"(?i)^(true|false|yes|no|on|off|none|null|-?\d+(\.\d+)?)$")
_SLOW_LOAD_SECONDS = 300


def _manifest(src: YamlFile) -> Manifest:
    return manifest(src.documents, src.template.outputs, kustomize_patch(src.repo, src.path))


def _report_line(
    src: YamlFile, preferred: Iterable[int | None], within: Iterable[yaml.Node | None]
) -> int | None:
    """The line to report on: the first preferred line the change touched, else the changed line
    closest to the first preferred line inside `within`; None when the change did not touch it."""
    wanted = [line for line in preferred if line]
    for line in wanted:
        if line in src.changed:
            return line
    ordered = _ordered(src.changed)
    touched = sorted(
        line
        for start, end in (span(node) for node in within if node is not None)
        for line in ordered[bisect.bisect_left(ordered, start) : bisect.bisect_right(ordered, end)]
    )
    if not touched:
        return None
    anchor = wanted[0] if wanted else touched[0]
    return min(touched, key=lambda n: (abs(n - anchor), n))


@functools.lru_cache(maxsize=4)
def _ordered(changed: frozenset[int]) -> list[int]:
    return sorted(changed)


def _container_line(src: YamlFile, container: Container) -> int | None:
    """A finding about the whole container: its name line, else its image line, else the changed
    line closest to them in it."""
    return _report_line(src, [container.name_line, key_line(container.node, "image")], [container.node])


def _int(node: yaml.Node | None, default: int) -> int | None:
    value = scalar(node)
    if value is None:
        return default if node is None else None
    try:
        return int(value)
    except ValueError:
        return None


@RULES.rule(
    "k8s-secret-literal-env",
    title="Secret or API key as a literal env value in a manifest",
    severity=Severity.HIGH,
    persona="ai-architect-agent",
    kinds=("yaml", "helm"),
)
def k8s_secret_literal_env(src: YamlFile) -> Iterator[Hit]:
    """A container `env` entry whose literal `value:` is a credential (by its name or its shape).

    Why:
        A literal in a manifest is committed to git and readable by anyone who can run
        `kubectl describe` or `kubectl get -o yaml` on the workload; rotating it means editing and
        redeploying every manifest that copied it.
    Fix:
        Keep the value in a Secret (or an external secret store) and reference it with
        `valueFrom.secretKeyRef`; revoke the committed value.
    Bad:
        env:
          - name: HF_TOKEN
            value: hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh
    Good:
        env:
          - name: HF_TOKEN
            valueFrom:
              secretKeyRef: {name: hf-credentials, key: token}
    """
    for workload in workloads(_manifest(src)):
        for container in workload.containers:
            for entry in items(get(container.node, "env")):
                name = scalar(get(entry, "name")) or ""
                value = scalar(get(entry, "value"))
                if value is None or get(entry, "valueFrom") is not None:
                    continue
                found = secrets.provider_key(value)
                if found is not None:
                    detail, severity = f"`{name}` holds a {found[0]} literal.", Severity.CRITICAL
                elif secrets.credential_name(name) and _literal(value):
                    detail, severity = f"`{name}` is set to a literal value.", Severity.HIGH
                else:
                    continue
                line = _report_line(src, [key_line(entry, "value"), key_line(entry, "name")], [entry])
                if line is not None:
                    yield Hit(line, detail, severity)


def _literal(value: str) -> bool:
    text = value.strip()
    return (
        bool(text)
        and not _NOT_SECRET_VALUE.match(text)
        and not secrets.is_placeholder(text)
        and not text.startswith(("$(", "/", "./"))
        and TEMPLATED not in text
    )


@RULES.rule(
    "k8s-serving-no-resources",
    title="Workload without CPU/memory requests or memory limit",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm"),
)
def k8s_serving_no_resources(src: YamlFile) -> Iterator[Hit]:
    """A long-running container without `requests.cpu`, `requests.memory` or `limits.memory`, in
    any object with a pod template (core workloads and custom resources alike). Reported at the
    key the fix goes under (`resources:` when it has requests but no limits).

    Graded high for model servers (vLLM, TGI, Triton, TorchServe, TF Serving, SGLang, Ollama,
    TensorRT-LLM, Ray Serve, any GPU container, KServe predictors), medium otherwise. A CPU limit
    is not required (it throttles latency-sensitive servers). Init containers, bare Pods, Jobs and
    batch custom resources (`*Job`, Argo workflows, Tekton runs) are skipped. A preset merged by
    a controller (`*Config`, `*Template`) is reported only when it declares `resources:` and
    leaves part out. Resources written by an unrendered template (`toYaml .Values.resources`)
    are unknown, not missing, as is what a kustomize patch (a file a kustomization lists under
    `patches:`) leaves to its base.

    Why:
        Without requests the scheduler over-packs nodes; without a memory limit a model server that
        grows its KV cache or loads a second model is OOM-killed together with its neighbours.
    Fix:
        Set `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory`
        from a load test of the server.
    Bad:
        containers:
          - name: vllm
            image: vllm/vllm-openai:v0.6.3
    Good:
        containers:
          - name: vllm
            image: vllm/vllm-openai:v0.6.3
            resources:
              requests: {cpu: "4", memory: 24Gi}
              limits: {memory: 24Gi, nvidia.com/gpu: 1}
    """
    for workload in workloads(_manifest(src)):
        if workload.batch or workload.kind == "Pod":
            continue
        for container in workload.main_containers:
            missing = [
                (label, path)
                for label, path in (
                    ("requests.cpu", ("resources", "requests", "cpu")),
                    ("requests.memory", ("resources", "requests", "memory")),
                    ("limits.memory", ("resources", "limits", "memory")),
                )
                if workload.manifest.missing(container.node, *path)
            ]
            if not missing or (workload.partial and get(container.node, "resources") is None):
                continue
            server = container.is_model_server or workload.kind == "InferenceService"
            anchors = {deepest_key_line(container.node, *path) for _, path in missing}
            anchor = anchors.pop() if len(anchors) == 1 else key_line(container.node, "resources")
            line = _report_line(src, [anchor, container.name_line], [container.node])
            if line is not None:
                what = "model server" if server else "container"
                yield Hit(
                    line,
                    f"{what} `{container.name}` has no {', '.join(label for label, _ in missing)}.",
                    Severity.HIGH if server else Severity.MEDIUM,
                )


@RULES.rule(
    "k8s-gpu-resources-invalid",
    title="GPU requested wrongly or not at all for a GPU model server",
    severity=Severity.HIGH,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm"),
)
def k8s_gpu_resources_invalid(src: YamlFile) -> Iterator[Hit]:
    """A GPU in `resources.requests` without the same `limits` value, or a model server placed on GPU
    nodes (GPU `nodeSelector`, GPU toleration, `runtimeClassName: nvidia`) with no GPU limit.

    Why:
        Kubernetes only accepts GPUs in `limits` (a request must equal the limit), so a request-only
        GPU is rejected; a GPU model server without a GPU limit lands on a GPU node without owning a
        GPU, time-shares one unexpectedly or falls back to CPU.
    Fix:
        Put the GPU count in `resources.limits` (a request, if written, must be equal).
    Bad:
        resources:
          requests: {nvidia.com/gpu: 1}
    Good:
        resources:
          limits: {nvidia.com/gpu: 1}
    """
    for workload in workloads(_manifest(src)):
        if workload.batch:
            continue
        gpu_pod = _gpu_pod(workload)
        for container in workload.main_containers:
            requested = container.gpu("requests")
            limited = container.gpu("limits")
            wrong = [key for key, count in requested.items() if limited.get(key) != count]
            if wrong:
                requests_node = get(container.node, "resources", "requests")
                line = _report_line(
                    src, [key_line(requests_node, wrong[0]), container.name_line], [container.node]
                )
                detail = f"`{wrong[0]}` is requested without an equal limit in `{container.name}`."
            elif (
                gpu_pod
                and not limited
                and workload.manifest.presence(container.node, "resources", "limits") is not Presence.UNKNOWN
                and (container.is_model_server or workload.kind == "InferenceService")
            ):
                anchor = deepest_key_line(container.node, "resources", "limits")
                line = _report_line(src, [anchor, container.name_line], [container.node])
                detail = f"`{container.name}` runs on GPU nodes ({gpu_pod}) but has no GPU limit."
            else:
                continue
            if line is not None:
                yield Hit(line, detail)


def _gpu_pod(workload: Workload) -> str:
    """Why the pod is placed on GPU nodes, or '' if it is not."""
    selector = mapping(get(workload.pod, "nodeSelector"))
    for key, value in selector.items():
        if re.search(r"gpu|accelerator", f"{key}={scalar(value) or ''}", re.I):
            return f"nodeSelector {key}"
    for toleration in items(get(workload.pod, "tolerations")):
        key = scalar(get(toleration, "key")) or ""
        if "gpu" in key.lower():
            return f"toleration {key}"
    runtime = scalar(get(workload.pod, "runtimeClassName")) or ""
    return f"runtimeClassName {runtime}" if "nvidia" in runtime.lower() else ""


@RULES.rule(
    "k8s-serving-no-readiness-probe",
    title="Serving container without a readinessProbe",
    severity=Severity.HIGH,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm"),
)
def k8s_serving_no_readiness_probe(src: YamlFile) -> Iterator[Hit]:
    """A Deployment or StatefulSet container without a `readinessProbe`.

    High when a Service in the change or the repository selects the pod, medium otherwise. Init
    containers, Jobs and CronJobs are skipped; so is a probe a kustomize patch leaves to its base,
    and a sidecar: a container that declares no port and is no model server, beside one that
    declares a port or is a model server, takes none of the Service's traffic; nor does a
    container whose ports are not the ones the selecting Services target (a metrics exporter
    beside the API). A pod no Service selects whose containers declare no port and serve no model
    (a queue worker) takes no traffic at all: not reported.

    Why:
        Without readiness the Service sends traffic to a pod as soon as its process starts, while
        the model server is still loading weights, so requests fail during every rollout and
        scale-up, and a rollout cannot be gated on the new pods being able to serve.
    Fix:
        Add a `readinessProbe` on the server's readiness endpoint (vLLM and TGI `/health`, Triton
        `/v2/health/ready`).
    Bad:
        containers:
          - name: tgi
            image: ghcr.io/huggingface/text-generation-inference:2.4.0
    Good:
        containers:
          - name: tgi
            image: ghcr.io/huggingface/text-generation-inference:2.4.0
            readinessProbe:
              httpGet: {path: /health, port: 80}
    """
    services: list[Service] | None = None
    for workload in workloads(_manifest(src)):
        if workload.kind not in SERVED_KINDS:
            continue
        for container in workload.serving_containers:
            if not workload.manifest.missing(container.node, "readinessProbe"):
                continue
            line = _container_line(src, container)
            if line is None:
                continue
            if services is None:
                services = _services(src)
            selecting = [s for s in services if s.selects(workload)]
            selected = bool(selecting)
            if (not selected and not _takes_traffic(workload)) or _passed_by(workload, container, selecting):
                continue
            detail = "A Service selects this pod." if selected else "No Service in the repository selects it."
            yield Hit(
                line,
                f"`{container.name}` has no readinessProbe. {detail}",
                Severity.HIGH if selected else Severity.MEDIUM,
            )


def _takes_traffic(workload: Workload) -> bool:
    """A container of the pod declares a port or is a model server. A pod with neither that no
    Service selects (a queue worker, a log shipper) is sent no traffic for readiness to gate."""
    return any(c.takes_traffic for c in workload.main_containers)


# A Service port named for metrics carries Prometheus' scrapes, not the traffic readiness gates.
_SCRAPED = re.compile(r"metric|prometheus", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Service:
    """A Service's selector, every label known, and the container ports it sends traffic to
    (numbers or names; None when a template writes one; not a port named for metrics)."""

    selector: tuple[tuple[str, str], ...]
    targets: frozenset[str] | None

    def selects(self, workload: Workload) -> bool:
        return bool(self.selector) and set(self.selector) <= workload.labels.items()


def _passed_by(workload: Workload, container: Container, selecting: list[Service]) -> bool:
    """The Services selecting the pod send their traffic to ports other containers of it declare
    (the API's `http`, not a metrics exporter's 9090): `container` is a sidecar they pass by."""
    if not selecting:
        return False
    declared = [(c, _port_keys(c)) for c in workload.main_containers]
    for service in selecting:
        if service.targets is None:
            return False
        for target in service.targets:
            owners = [c for c, keys in declared if target in keys]
            if not owners or any(owner is container for owner in owners):
                return False
    return True


def _port_keys(container: Container) -> frozenset[str]:
    """A container's declared ports, by number and by name."""
    keys: set[str] = set()
    for port in items(get(container.node, "ports")):
        keys.update(filter(None, (scalar(get(port, "containerPort")), scalar(get(port, "name")))))
    return frozenset(keys)


def _services(src: YamlFile) -> list[Service]:
    return [*_read_services(src.documents), *_repo_services(src.repo)]


@functools.lru_cache(maxsize=8)
def _repo_services(repo: Repository) -> tuple[Service, ...]:
    """The repository's Services, read once per review (not once per manifest)."""
    return tuple(_read_services(repo_documents(repo, "Service")))


def _read_services(documents: Iterable[yaml.Node]) -> list[Service]:
    """Services whose selector has every label known (a templated label may select anything)."""
    found = []
    for doc in documents:
        if scalar(get(doc, "kind")) != "Service":
            continue
        selector = {k: scalar(v) or "" for k, v in mapping(get(doc, "spec", "selector")).items()}
        if any(TEMPLATED in f"{k}{v}" for k, v in selector.items()):
            continue
        targets: set[str] | None = set()
        for port in items(get(doc, "spec", "ports")):
            if _SCRAPED.search(scalar(get(port, "name")) or ""):
                continue
            target = scalar(get(port, "targetPort")) or scalar(get(port, "port"))
            if targets is not None and target and TEMPLATED not in target:
                targets.add(target)
            else:
                targets = None
        found.append(Service(tuple(selector.items()), frozenset(targets) if targets else None))
    return found


@RULES.rule(
    "k8s-serving-no-liveness-or-startup-probe",
    title="Missing liveness probe, or liveness probe that will kill slow model loads",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm"),
)
def k8s_serving_no_liveness_or_startup_probe(src: YamlFile) -> Iterator[Hit]:
    """A long-running container without a `livenessProbe`, or a model server whose liveness probe
    gives it less than 300 s to start and has no `startupProbe`.

    Liveness is optional for a process that exits on failure: suppress with
    `# archbot: ignore[k8s-serving-no-liveness-or-startup-probe] exits on failure`. Init
    containers, Jobs and CronJobs are skipped; so is a probe a kustomize patch leaves to its base,
    and a sidecar beside the serving container (no port declared, no model server, or ports the
    Services selecting the pod do not send traffic to).

    Why:
        A deadlocked server that never exits is never restarted without liveness; with a liveness
        probe but no startup probe, a server loading tens of GB of weights is killed before it is
        up, and crash-loops.
    Fix:
        Add a `livenessProbe`; for model servers add a `startupProbe` whose
        `failureThreshold x periodSeconds` covers the worst-case weight load.
    Bad:
        livenessProbe:
          httpGet: {path: /health, port: 8000}
    Good:
        startupProbe:
          httpGet: {path: /health, port: 8000}
          failureThreshold: 60
          periodSeconds: 10
        livenessProbe:
          httpGet: {path: /health, port: 8000}
    """
    services: list[Service] | None = None
    for workload in workloads(_manifest(src)):
        if workload.kind not in LONG_RUNNING_KINDS:
            continue
        for container in workload.serving_containers:
            liveness = get(container.node, "livenessProbe")
            presence = workload.manifest.presence(container.node, "livenessProbe")
            if presence is Presence.UNKNOWN:
                continue
            if presence is Presence.MISSING:
                if services is None:
                    services = _services(src)
                if _passed_by(workload, container, [s for s in services if s.selects(workload)]):
                    continue
                line = _container_line(src, container)
                detail = f"`{container.name}` has no livenessProbe."
            elif (
                container.is_model_server
                and liveness is not None
                and workload.manifest.missing(container.node, "startupProbe")
            ):
                budget = _startup_budget(liveness)
                if budget is None or budget >= _SLOW_LOAD_SECONDS:
                    continue
                line = _report_line(
                    src, [key_line(container.node, "livenessProbe"), container.name_line], [container.node]
                )
                detail = (
                    f"The liveness probe of model server `{container.name}` restarts it after {budget} s "
                    "and there is no startupProbe."
                )
            else:
                continue
            if line is not None:
                yield Hit(line, detail)


def _startup_budget(probe: yaml.Node) -> int | None:
    delay = _int(get(probe, "initialDelaySeconds"), 0)
    failures = _int(get(probe, "failureThreshold"), 3)
    period = _int(get(probe, "periodSeconds"), 10)
    if delay is None or failures is None or period is None:
        return None
    return delay + failures * period


@RULES.rule(
    "k8s-probes-identical",
    title="Readiness and liveness probe are identical",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm"),
)
def k8s_probes_identical(src: YamlFile) -> Iterator[Hit]:
    """The readiness and liveness probes of a container check the same thing (same HTTP path and
    port, gRPC port or exec command), and liveness gives up no later than twice as late
    as readiness (`failureThreshold x periodSeconds`, Kubernetes' defaults 3 and 10 s where unset):
    a liveness budget of twice readiness's or more is the larger budget the fix asks for. A budget
    written by a template counts as unknown: reported. Two probes of one TCP port are not: the
    kernel completes a TCP handshake however busy the server is, so overload fails neither (a
    database's `tcpSocket` probes); only a check the server itself answers does.

    Why:
        Under overload the readiness probe fails so the pod stops getting traffic; an identical
        liveness probe then fails too and restarts the pod, which moves the load to the remaining
        pods and cascades.
    Fix:
        Point liveness at a cheap "process is alive" check and readiness at "can serve now", or give
        liveness a much larger failure budget.
    Bad:
        readinessProbe: {httpGet: {path: /health, port: 8000}}
        livenessProbe: {httpGet: {path: /health, port: 8000}}
    Good:
        readinessProbe: {httpGet: {path: /v1/models, port: 8000}}
        livenessProbe: {httpGet: {path: /health, port: 8000}, failureThreshold: 6}
    """
    for workload in workloads(_manifest(src)):
        for container in workload.main_containers:
            readiness = get(container.node, "readinessProbe")
            liveness = get(container.node, "livenessProbe")
            checked = _probe_target(readiness)
            if checked is None or checked != _probe_target(liveness) or TEMPLATED in "".join(checked):
                continue
            if checked[0] == _TCP_PORT:
                continue  # a TCP connect fails when the process is gone, not when it is busy
            if _outlasts(liveness, readiness):
                continue
            line = _report_line(
                src,
                [key_line(container.node, "livenessProbe"), key_line(container.node, "readinessProbe")],
                [liveness, readiness],
            )
            if line is not None:
                yield Hit(line, f"Both probes of `{container.name}` check {checked[0]} {checked[1]}.")


def _outlasts(liveness: yaml.Node | None, readiness: yaml.Node | None) -> bool:
    """Liveness fails after at least twice the time readiness does (`failureThreshold x
    periodSeconds` of each): the pod leaves the Service long before it is restarted."""
    alive, ready = _failure_budget(liveness), _failure_budget(readiness)
    return alive is not None and ready is not None and alive >= 2 * ready


def _failure_budget(probe: yaml.Node | None) -> int | None:
    failures = _int(get(probe, "failureThreshold"), 3)
    period = _int(get(probe, "periodSeconds"), 10)
    return None if failures is None or period is None else failures * period


_TCP_PORT = "TCP port"


def _probe_target(probe: yaml.Node | None) -> tuple[str, str] | None:
    http = get(probe, "httpGet")
    if http is not None:
        return "HTTP", f"{scalar(get(http, 'path')) or '/'} on port {scalar(get(http, 'port'))}"
    for key, label in (("tcpSocket", _TCP_PORT), ("grpc", "gRPC port")):
        node = get(probe, key)
        if node is not None:
            return label, str(scalar(get(node, "port")))
    command = get(probe, "exec", "command")
    if command is not None:
        return "command", " ".join(strings(command))
    return None


@RULES.rule(
    "k8s-image-unpinned",
    title="Container image untagged or `:latest`",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm", "helm-values"),
)
def k8s_image_unpinned(src: YamlFile) -> Iterator[Hit]:
    """A container (init containers included) whose `image` has no tag or the tag `latest`; in a
    Helm chart's values, an image whose `tag:` (beside `repository:`) is `latest`, or an `image:`
    string ending in `:latest`.

    A digest (`@sha256:...`, or a values `digest:`) passes; images written as variables
    (`$(IMAGE)`, `${IMAGE}`) or by a template are skipped; an empty values `tag` (the chart's
    appVersion) passes. So do an image in a registry on the local machine (`localhost:5000/...`:
    its user built and pushed it), an image whose path holds a placeholder for whoever deploys the
    template to fill in (`your-registry/app:latest`, `<registry>/app`: `images.placeholder_image`),
    one the node holds already (`imagePullPolicy: Never`: built or imported there, never pulled),
    `latest` under a repository path that names a release (`.../1.22.1/installer-2.7.1:latest`),
    and a general-purpose tool image an init container runs (`busybox`, `alpine/curl`: waiting for
    a service or copying files, the same whatever its build; `images.UTILITY_IMAGES`).

    Why:
        `latest` resolves to whatever was pushed last: the model server version in production is
        unknown, two replicas can run different versions, and there is nothing to roll back to.
    Fix:
        Use a release tag, or better a digest (`image@sha256:...`).
    Bad:
        image: vllm/vllm-openai:latest
    Good:
        image: vllm/vllm-openai:v0.6.3@sha256:4f3b1c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c
    """
    if src.kind == "helm-values":
        yield from _latest_in_values(src)
        return
    for workload in workloads(_manifest(src)):
        for container in workload.containers:
            image = container.image.strip()
            line = key_line(container.node, "image")
            if line is None or line not in src.changed or not image or "$" in image or "@" in image:
                continue
            if templated(get(container.node, "image")):
                continue
            last = image.rsplit("/", 1)[-1]
            tag = last.split(":", 1)[1] if ":" in last else None
            if tag is not None and tag != "latest":
                continue
            if local_registry(image) or placeholder_image(image):
                continue
            if tag == "latest" and versioned_repository(image):
                continue
            if scalar(get(container.node, "imagePullPolicy")) == "Never":
                continue  # the node's own image, built or imported there: nothing is pulled
            if container.init and utility_image(image):
                continue  # a shell tool that waits or copies does the same whatever its build
            yield Hit(line, f"`{image}` " + ("has no tag." if tag is None else "uses `latest`."))


def _latest_in_values(src: YamlFile) -> Iterator[Hit]:
    """`tag: latest` beside `repository:` (the Helm image convention), or `image: name:latest`."""
    import yaml

    stack: list[yaml.Node] = list(src.documents)
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        if not isinstance(node, yaml.MappingNode):
            continue
        values = mapping(node)
        stack.extend(values.values())
        tag = (scalar(values.get("tag")) or "").strip()
        repository = (scalar(values.get("repository")) or "").strip()
        if (
            "repository" in values
            and tag == "latest"
            and not (scalar(values.get("digest")) or "").strip()
            and not local_registry(repository)
            and not placeholder_image(repository)
            and not versioned_repository(repository)
        ):
            line = key_line(node, "tag")
            if line in src.changed:
                yield Hit(line, f"`{scalar(values['repository'])}` is deployed with `tag: latest`.")
        image = (scalar(values.get("image")) or "").strip()
        built_or_template = local_registry(image) or placeholder_image(image)
        if image.endswith(":latest") and "@" not in image and not built_or_template:
            line = key_line(node, "image")
            if line in src.changed:
                yield Hit(line, f"`{image}` uses `latest`.")


@RULES.rule(
    "k8s-serving-single-replica-no-hpa",
    title="Model server with one replica and no autoscaler",
    severity=Severity.LOW,
    persona="ml-architecture-expert",
    kinds=("yaml", "helm"),
)
def k8s_serving_single_replica_no_hpa(src: YamlFile) -> Iterator[Hit]:
    """A model-server Deployment with `replicas` of 1 (or unset) and no HorizontalPodAutoscaler or
    KEDA `ScaledObject` targeting it anywhere in the repository's manifests. A kustomize patch
    without `replicas` keeps its base's.

    Why:
        One replica is a single point of failure: every node drain, OOM kill or rollout is an
        outage, and bursty inference traffic has nowhere to go.
    Fix:
        Run at least two replicas, or add an HPA / KEDA ScaledObject whose `scaleTargetRef` names
        the Deployment.
    Bad:
        kind: Deployment
        spec:
          replicas: 1
    Good:
        kind: HorizontalPodAutoscaler
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llm-server}
          minReplicas: 2
    """
    scaled: set[str] | None = None
    for workload in workloads(_manifest(src)):
        if workload.kind != "Deployment" or not any(c.is_model_server for c in workload.main_containers):
            continue
        spec = get(workload.document, "spec")
        if get(spec, "replicas") is None and workload.manifest.patch:
            continue  # the base's count stands
        replicas = _int(get(spec, "replicas"), 1)
        if replicas is None or replicas > 1:
            continue
        line = _report_line(
            src, [key_line(spec, "replicas"), key_line(workload.document, "kind")], [workload.document]
        )
        if line is None:
            continue
        if scaled is None:
            scaled = _autoscaled(src)
        if workload.name not in scaled:
            count = f"`replicas: {replicas}`" if get(spec, "replicas") is not None else "no `replicas` (1)"
            yield Hit(line, f"Deployment `{workload.name}` has {count} and no autoscaler targets it.")


def _autoscaled(src: YamlFile) -> set[str]:
    """Names of Deployments that an HPA or a KEDA ScaledObject targets."""
    return _scale_targets(src.documents) | _repo_scale_targets(src.repo)


@functools.lru_cache(maxsize=8)
def _repo_scale_targets(repo: Repository) -> frozenset[str]:
    return frozenset(_scale_targets(repo_documents(repo, "HorizontalPodAutoscaler|ScaledObject")))


def _scale_targets(documents: Iterable[yaml.Node]) -> set[str]:
    names: set[str] = set()
    for doc in documents:
        if scalar(get(doc, "kind")) not in ("HorizontalPodAutoscaler", "ScaledObject"):
            continue
        target = get(doc, "spec", "scaleTargetRef")
        if (scalar(get(target, "kind")) or "Deployment") == "Deployment":
            names.add(scalar(get(target, "name")) or "")
    return names
