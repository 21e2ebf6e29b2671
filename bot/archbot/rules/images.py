"""Container image references: where an image lives, what its name says of its version, and the
utility images a pod runs beside its server."""

from __future__ import annotations

import re

# A registry on the machine that runs the build or the cluster's node: images its user built and
# pushed there (`localhost:5000/team/app`), not anybody's release.
_LOCAL_REGISTRY = re.compile(r"(?:localhost|127\.0\.0\.1)(?::\d+)?")
# A path segment left for whoever deploys to fill in (`your-registry`, `YOUR_ACR.azurecr.io`,
# `<registry>`, `REPLACE_ME`): the manifest is a template, its image not yet anybody's build.
_PLACEHOLDER_SEGMENT = re.compile(
    r"(?i)<[^>/]*>|replace[-_]?me|change[-_]?me|placeholder"
    r"|^your(?:[-_.]|registry|repo|org|account|project|user|name|company|team|image|namespace|dockerhub|acr|ecr)"
)
# A path segment naming a release: `1.22.1`, `v2.7`, `pytorch-installer-2.7.1`.
_VERSION_SEGMENT = re.compile(r"(?:^|[-_])v?\d+(?:\.\d+)+$")
# General-purpose images an init container runs to wait for a service, copy files or fix
# permissions: the shell tools they carry do the same whatever their build (Docker Hub names, with
# their `library/` forms).
UTILITY_IMAGES = frozenset(
    (
        "busybox",
        "alpine",
        "alpine/curl",
        "alpine/git",
        "curlimages/curl",
        "bitnami/kubectl",
        "bitnami/os-shell",
        "appropriate/curl",
        "groundnuty/k8s-wait-for",
    )
)


def _repository(reference: str) -> str:
    """The reference without its digest and tag (`registry:5000/org/app:1.2` -> `registry:5000/org/app`)."""
    name = reference.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    last = last.split(":", 1)[0]
    return f"{head}/{last}" if head else last


def _registry(reference: str) -> str | None:
    """The registry host a reference names (its first segment, when that has a dot or a port or is
    `localhost`), None for Docker Hub."""
    first, slash, _ = reference.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return None


def local_registry(reference: str) -> bool:
    """The image lives in a registry on the local machine (`localhost:5000/erag/app`)."""
    host = _registry(reference) or reference.split("/", 1)[0]
    return _LOCAL_REGISTRY.fullmatch(host) is not None


def placeholder_image(reference: str) -> bool:
    """A segment of the image's path is a placeholder to fill in (`your-registry/app:latest`)."""
    return any(_PLACEHOLDER_SEGMENT.search(segment) for segment in _repository(reference).split("/"))


def versioned_repository(reference: str) -> bool:
    """A segment of the image's path below its registry names a release
    (`vault.example.com/gaudi/1.22.1/installer-2.7.1`): its `latest` is the newest build of that
    release, not of whatever comes next."""
    path = _repository(reference)
    host = _registry(reference)
    if host is not None:
        path = path[len(host) + 1 :]
    return any(_VERSION_SEGMENT.search(segment) for segment in path.split("/"))


def utility_image(reference: str) -> bool:
    """A general-purpose tool image (`busybox`, `alpine/curl`), on Docker Hub by either name."""
    if _registry(reference) not in (None, "docker.io"):
        return False
    name = _repository(reference).removeprefix("docker.io/").removeprefix("library/")
    return name in UTILITY_IMAGES
