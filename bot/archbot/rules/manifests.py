"""Kubernetes manifests as composed YAML: workloads, their pod templates and containers, with lines."""

from __future__ import annotations

import dataclasses
import enum
import functools
import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from archbot.repo.model import Repository
from archbot.rules import source
from archbot.rules.templating import TEMPLATE_MARK, TEMPLATED, detemplate

# The functions below import yaml when called: only reviews with a YAML file pay for importing it
# (more than all the Python rules cost on a typical commit).
if TYPE_CHECKING:
    import yaml

GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
# Model servers, by what names them in a container's image or the command it runs (matched
# case-insensitively): the servers that load weights before they can answer.
MODEL_SERVERS = (
    "vllm",
    "text-generation-inference",
    "text-embeddings-inference",
    "tritonserver",
    "torchserve",
    "tensorflow/serving",
    "sglang",
    "ollama",
    "tensorrt-llm",
    "ray serve",
    "llama-server",
    "llama.cpp",
    "lmdeploy",
    "xinference",
    "localai",
    "infinity_emb",
    "mlserver",
)
_MODEL_SERVER_NAMES = "|".join(re.escape(name) for name in MODEL_SERVERS)
_MODEL_SERVERS = re.compile(_MODEL_SERVER_NAMES, re.I)
# A command runs a model server when it names it as a program or a module (`vllm serve`, `python -m
# vllm.entrypoints.openai.api_server`, `/opt/tritonserver/bin/tritonserver`): the whole word, not
# a value given to an option (`--service-account=vllm-frontend`), a host in a URL
# (`--upstream=http://vllm:8000`) or part of another name (`vllm-optimizer`): a proxy, a gateway
# or a UI pointing at a model server is another container.
_MODEL_SERVER_RUN = re.compile(rf"(?<![\w=.\-])(?<!//)(?:{_MODEL_SERVER_NAMES})(?![\w\-])", re.I)


def model_server_named(text: str) -> str | None:
    """The MODEL_SERVERS entry an image names, if any."""
    found = _MODEL_SERVERS.search(text)
    return found.group(0).lower() if found else None


def model_server_run(command: str) -> str | None:
    """The MODEL_SERVERS entry a container's command and arguments run, if any."""
    found = _MODEL_SERVER_RUN.search(command)
    return found.group(0).lower() if found else None


# Workloads that run to completion: their pods are not served traffic and are not restarted into
# service, so probes and serving resources do not apply. Core kinds, and the batch custom
# resources of Kubeflow, Ray, Argo, Tekton, Spark, Volcano and JobSet; any other kind whose name
# ends in `Job` (`PyTorchJob`, `MPIJob`, ...) too.
BATCH_KINDS = frozenset(
    [
        "Job",
        "CronJob",
        "JobSet",
        "TrainJob",
        "TrainingRuntime",
        "ClusterTrainingRuntime",
        "Workflow",
        "WorkflowTemplate",
        "ClusterWorkflowTemplate",
        "CronWorkflow",
        "Pipeline",
        "PipelineRun",
        "Task",
        "TaskRun",
        "SparkApplication",
        "ScheduledSparkApplication",
    ]
)
# Kinds that serve traffic through a Service and whose probes nobody else sets: operators such as
# KServe or Seldon inject probes into the pods of their own resources.
SERVED_KINDS = frozenset(["Deployment", "StatefulSet"])
LONG_RUNNING_KINDS = frozenset(["Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"])


# Objects that hold part of a pod spec for a controller to merge into the pods it creates (presets,
# defaults, templates): a section they leave out may come from the merge.
_PARTIAL_KIND = re.compile(r"(Config|Configuration|Template|Preset|Defaults?|Profile)$")


def is_batch(kind: str) -> bool:
    return kind in BATCH_KINDS or kind.endswith("Job")


def is_partial(kind: str) -> bool:
    return bool(_PARTIAL_KIND.search(kind)) and not is_batch(kind)


def get(node: yaml.Node | None, *path: str) -> yaml.Node | None:
    """The node at `path` under a mapping node, or None."""
    import yaml

    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return node


def key_line(node: yaml.Node | None, key: str) -> int | None:
    """The 1-based line of `key` in a mapping node."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return None


def deepest_key_line(node: yaml.Node | None, *path: str) -> int | None:
    """The line of the deepest key of `path` that exists under `node`: where a missing value
    below it is to be added (`resources:` for a missing `resources.limits.memory`)."""
    found = None
    for key in path:
        line = key_line(node, key)
        if line is None:
            break
        found, node = line, get(node, key)
    return found


def scalar(node: yaml.Node | None) -> str | None:
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def items(node: yaml.Node | None) -> list[yaml.Node]:
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def mapping(node: yaml.Node | None) -> dict[str, yaml.Node]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def span(node: yaml.Node) -> tuple[int, int]:
    """First and last 1-based line a node's content occupies."""
    import yaml

    last = int(node.start_mark.line)
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            last = max(last, int(current.end_mark.line))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
    return int(node.start_mark.line) + 1, last + 1


def strings(node: yaml.Node | None) -> Iterator[str]:
    """Every scalar value under a node."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        yield str(node.value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from strings(item)
    elif isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            yield from strings(value)


def templated(node: yaml.Node | None) -> bool:
    """A scalar written by an unrendered template expression: present, value unknown."""
    value = scalar(node)
    return value is not None and TEMPLATED in value


class Presence(enum.Enum):
    PRESENT = "present"
    MISSING = "missing"
    UNKNOWN = "unknown"  # an unrendered template may write it


@dataclasses.dataclass(frozen=True)
class Manifest:
    """The documents of one YAML file and where its unrendered template directives write YAML
    the parser cannot see: a key looked up there is unknown, never missing."""

    documents: tuple[yaml.Node, ...]
    outputs: tuple[tuple[int, int], ...] = ()
    # A patch merged over a base the file does not hold (a kustomization's `patches:`): a key it
    # leaves out keeps the base's value, unknown here.
    patch: bool = False

    def presence(self, node: yaml.Node | None, *path: str) -> Presence:
        """Whether the value at `path` under the mapping `node` is there, absent, or unknowable."""
        import yaml

        for key in path:
            if templated(node) or self._value_written(node):
                return Presence.UNKNOWN
            if not isinstance(node, yaml.MappingNode):
                return Presence.MISSING
            child = get(node, key)
            if child is None:
                return Presence.UNKNOWN if self.patch or self.opens(node) else Presence.MISSING
            node = child
        return Presence.PRESENT

    def missing(self, node: yaml.Node | None, *path: str) -> bool:
        return self.presence(node, *path) is Presence.MISSING

    def opens(self, node: yaml.Node) -> bool:
        """A template directive may add keys to this mapping."""
        return any(place is node for place in self._places)

    def _value_written(self, node: yaml.Node | None) -> bool:
        """An empty value whose content a template directive writes (`resources:` followed by
        `{{ toYaml .Values.resources | nindent 12 }}`)."""
        return node is not None and any(place is node for place in self._places)

    @functools.cached_property
    def _places(self) -> tuple[yaml.Node, ...]:
        """For each directive that writes YAML, the mapping it adds keys to or the empty value it
        fills."""
        found: list[yaml.Node] = []
        for line, column in self.outputs:
            for document in self.documents:
                place = _place(document, line, column)
                if place is not None:
                    found.append(place)
                    break
        return tuple(found)


def _place(node: yaml.Node, line: int, column: int) -> yaml.Node | None:
    """The node a directive writing YAML at (line, column) extends: the innermost mapping whose
    keys sit at `column`, or the empty value of the key it follows; None outside `node`."""
    import yaml

    if not int(node.start_mark.line) <= line <= int(node.end_mark.line):
        return None
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            inner = _place(item, line, column)
            if inner is not None:
                return inner
        return node if column >= int(node.start_mark.column) else None
    if not isinstance(node, yaml.MappingNode) or column < int(node.start_mark.column):
        return None
    pairs = list(node.value)
    for index, (key, value) in enumerate(pairs):
        following = pairs[index + 1][0].start_mark.line if index + 1 < len(pairs) else node.end_mark.line + 1
        if not int(key.start_mark.line) <= line < int(following):
            continue
        if isinstance(value, (yaml.MappingNode, yaml.SequenceNode)):
            inner = _place(value, line, column)
            if inner is not None:
                return inner
        elif (
            isinstance(value, yaml.ScalarNode)
            and value.value == ""
            and column > int(node.start_mark.column)
            and line > int(key.start_mark.line)
        ):
            return value
    return node


@dataclasses.dataclass(frozen=True)
class Container:
    node: yaml.Node
    name: str
    init: bool
    anchor: int | None = None

    @property
    def name_line(self) -> int:
        """The `- name:` line, or the key a predictor's model spec hangs from."""
        return self.anchor or key_line(self.node, "name") or int(self.node.start_mark.line) + 1

    @property
    def image(self) -> str:
        return scalar(get(self.node, "image")) or ""

    def gpu(self, section: str) -> dict[str, str]:
        resources = mapping(get(self.node, "resources", section))
        return {k: scalar(v) or "" for k, v in resources.items() if k in GPU_RESOURCES}

    @property
    def is_model_server(self) -> bool:
        command = " ".join([*strings(get(self.node, "command")), *strings(get(self.node, "args"))])
        return (
            model_server_named(self.image) is not None
            or model_server_run(command) is not None
            or bool(self.gpu("limits") or self.gpu("requests"))
        )

    @property
    def has_ports(self) -> bool:
        return get(self.node, "ports") is not None

    @property
    def takes_traffic(self) -> bool:
        """It declares a port or is a model server: what a pod's traffic is sent to."""
        return self.has_ports or self.is_model_server


@dataclasses.dataclass(frozen=True)
class Workload:
    """One pod template of a Kubernetes object: its kind, the pod spec and its containers."""

    kind: str
    name: str
    document: yaml.Node
    pod: yaml.Node
    containers: tuple[Container, ...]
    manifest: Manifest
    label_node: yaml.Node | None = None

    @property
    def labels(self) -> dict[str, str]:
        return {k: scalar(v) or "" for k, v in mapping(self.label_node).items()}

    @property
    def main_containers(self) -> tuple[Container, ...]:
        return tuple(c for c in self.containers if not c.init)

    @property
    def serving_containers(self) -> tuple[Container, ...]:
        """The main containers less the sidecars: a container that declares no port and is no model
        server, beside one that declares a port or is a model server, takes none of the pod's
        traffic (a log shipper, a proxy agent); the pod is served by the other."""
        served = tuple(c for c in self.main_containers if c.takes_traffic)
        return served or self.main_containers

    @property
    def batch(self) -> bool:
        return is_batch(self.kind)

    @property
    def partial(self) -> bool:
        """A preset or template merged into other objects: what it leaves out may come from there."""
        return is_partial(self.kind)


def manifest(
    documents: Iterable[yaml.Node], outputs: tuple[tuple[int, int], ...] = (), patch: bool = False
) -> Manifest:
    return Manifest(tuple(documents), outputs, patch)


_KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def kustomize_patch(repo: Repository, path: str) -> bool:
    """Is `path` a patch a kustomization of the repository merges over its resources
    (`patches:` and `patchesJson6902:` entries' `path`, `patchesStrategicMerge:` items)?"""
    return path in _kustomize_patches(repo)


@functools.lru_cache(maxsize=8)
def _kustomize_patches(repo: Repository) -> frozenset[str]:
    """Every file the repository's kustomizations name as patches, read once per review."""
    return frozenset(
        patch
        for kustomization in repo.files
        if kustomization.rsplit("/", 1)[-1] in _KUSTOMIZATIONS
        for patch in _patch_paths(repo, kustomization)
    )


def _patch_paths(repo: Repository, kustomization: str) -> frozenset[str]:
    """The files a kustomization names as patches, as repository paths."""
    import yaml

    text = repo.text(kustomization)
    if not text:
        return frozenset()
    try:
        document = yaml.compose(text, Loader=source.YAML_LOADER)
    except yaml.YAMLError:
        return frozenset()
    entries = [*items(get(document, "patches")), *items(get(document, "patchesJson6902"))]
    named = [*items(get(document, "patchesStrategicMerge")), *(get(entry, "path") for entry in entries)]
    folder = posixpath.dirname(kustomization)
    return frozenset(
        posixpath.normpath(posixpath.join(folder, value)) for value in map(scalar, named) if value
    )


# KServe's annotation choosing how an InferenceService is deployed; under `ModelMesh` its model is
# loaded into the pods of a shared ServingRuntime, not pods of its own.
_DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"


def workloads(source: Manifest) -> Iterator[Workload]:
    """Every pod template in the Kubernetes objects of a manifest, wherever its kind keeps it: a
    mapping holding `containers:` (a list of mappings) is a pod spec, under any kind, custom
    resources included. KServe predictors' `model:` counts as a container, except under ModelMesh
    (the ServingRuntime's pods run it, and carry the resources and probes)."""
    import yaml

    for document in source.documents:
        kind = scalar(get(document, "kind")) or ""
        if not kind or get(document, "apiVersion") is None:
            continue
        name = scalar(get(document, "metadata", "name")) or ""
        for pod, parent in _pod_specs(document, document, ""):
            containers = [
                Container(node, scalar(get(node, "name")) or "", init)
                for init, key in ((False, "containers"), (True, "initContainers"))
                for node in items(get(pod, key))
                if isinstance(node, yaml.MappingNode)
            ]
            model = get(pod, "model")
            if isinstance(model, yaml.MappingNode) and not containers:
                if scalar(get(document, "metadata", "annotations", _DEPLOYMENT_MODE)) == "ModelMesh":
                    continue  # the model is placed in its ServingRuntime's pods, which have their own
                containers.insert(0, Container(model, "predictor.model", False, key_line(pod, "model")))
            labels = get(parent, "metadata", "labels")
            if labels is None:
                labels = get(document, "metadata", "labels")
            yield Workload(kind, name, document, pod, tuple(containers), source, labels)


def _pod_specs(node: yaml.Node, parent: yaml.Node, key: str) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """(pod spec, the mapping holding it) under `node`, reached through `key`: mappings with a
    `containers` list of mappings, or a KServe `predictor:` with a `model:`."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _pod_specs(item, parent, key)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    containers = get(node, "containers")
    if isinstance(containers, yaml.SequenceNode) and any(
        isinstance(c, yaml.MappingNode) for c in containers.value
    ):
        yield node, parent
        return
    if key == "predictor" and isinstance(get(node, "model"), yaml.MappingNode):
        yield node, parent
        return
    for child_key, value in node.value:
        if isinstance(child_key, yaml.ScalarNode) and child_key.value not in ("metadata", "status"):
            yield from _pod_specs(value, node, str(child_key.value))


@functools.lru_cache(maxsize=8)
def repo_documents(repo: Repository, kinds: str) -> tuple[yaml.Node, ...]:
    """Documents of the repository's YAML files declaring one of `kinds` ('A|B'), parsed once per
    review. Only the YAML files holding a kind's name are read (git's word screen): workflows,
    configs and data files are not."""
    import yaml

    declares = re.compile(rf"^kind:\s*[\"']?({kinds})\b", re.M)
    words = tuple(kinds.split("|"))
    found: list[yaml.Node] = []
    for path in sorted({*repo.containing(words, "*.yaml"), *repo.containing(words, "*.yml")}):
        text = repo.text(path)
        if not text or not declares.search(text):
            continue
        readable = detemplate(text).text if TEMPLATE_MARK.search(text) else text
        try:
            found.extend(node for node in yaml.compose_all(readable, Loader=source.YAML_LOADER) if node)
        except yaml.YAMLError:
            continue
    return tuple(found)
