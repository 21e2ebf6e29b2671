"""Kubernetes manifests as composed YAML: workloads, their pod templates and containers, with lines."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from archbot.rules import source
from archbot.rules.source import RepoView

# The functions below import yaml when called: only reviews with a YAML file pay for importing it
# (more than all the Python rules cost on a typical commit).
if TYPE_CHECKING:
    import yaml

# Where each workload kind keeps its pod spec.
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
    "InferenceService": ("spec", "predictor"),
}
_LABEL_PATHS: dict[str, tuple[str, ...]] = {
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
    "Pod": ("metadata", "labels"),
    "InferenceService": ("metadata", "labels"),
}
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
_MODEL_SERVERS = re.compile(
    r"vllm|text-generation-inference|tritonserver|torchserve|tensorflow/serving|sglang|ollama"
    r"|tensorrt-llm|ray serve",
    re.I,
)
# A pod spec written in an unrendered template: the notice for it comes from the engine.
TEMPLATE_MARK = re.compile(r"(?<!\$)\{\{")


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
        command = " ".join(
            [self.image, *strings(get(self.node, "command")), *strings(get(self.node, "args"))]
        )
        return bool(_MODEL_SERVERS.search(command)) or bool(self.gpu("limits") or self.gpu("requests"))


@dataclasses.dataclass(frozen=True)
class Workload:
    kind: str
    name: str
    document: yaml.Node
    pod: yaml.Node
    containers: tuple[Container, ...]

    @property
    def labels(self) -> dict[str, str]:
        path = _LABEL_PATHS.get(self.kind, ("spec", "template", "metadata", "labels"))
        return {k: scalar(v) or "" for k, v in mapping(get(self.document, *path)).items()}

    @property
    def main_containers(self) -> tuple[Container, ...]:
        return tuple(c for c in self.containers if not c.init)


def workloads(documents: Iterable[yaml.Node]) -> Iterator[Workload]:
    import yaml

    for document in documents:
        kind = scalar(get(document, "kind")) or ""
        path = _POD_SPEC_PATHS.get(kind)
        pod = get(document, *path) if path else None
        if pod is None:
            continue
        containers = [
            Container(node, scalar(get(node, "name")) or "", init)
            for init, key in ((False, "containers"), (True, "initContainers"))
            for node in items(get(pod, key))
            if isinstance(node, yaml.MappingNode)
        ]
        model = get(pod, "model")
        if kind == "InferenceService" and isinstance(model, yaml.MappingNode):
            containers.insert(0, Container(model, "predictor.model", False, key_line(pod, "model")))
        name = scalar(get(document, "metadata", "name")) or ""
        yield Workload(kind, name, document, pod, tuple(containers))


@functools.lru_cache(maxsize=8)
def repo_documents(repo: RepoView, kinds: str) -> tuple[yaml.Node, ...]:
    """Documents of the repository's YAML files declaring one of `kinds` ('A|B'), parsed once per review."""
    import yaml

    declares = re.compile(rf"^kind:\s*[\"']?({kinds})\b", re.M)
    found: list[yaml.Node] = []
    for path in sorted(set(repo.glob("*.yaml") + repo.glob("*.yml"))):
        text = repo.text(path)
        if not text or not declares.search(text) or TEMPLATE_MARK.search(text):
            continue
        try:
            found.extend(node for node in yaml.compose_all(text, Loader=source.YAML_LOADER) if node)
        except yaml.YAMLError:
            continue
    return tuple(found)
