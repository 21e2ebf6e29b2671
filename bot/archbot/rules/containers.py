"""Container image builds: base images that float."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.dockerfile import Instruction, arg_defaults, instructions, substitute
from archbot.rules.images import local_registry, placeholder_image, versioned_repository
from archbot.rules.source import SourceFile

if typing.TYPE_CHECKING:
    from archbot.repo.model import Repository

RULES = Family()


@RULES.rule(
    "dockerfile-base-image-unpinned",
    title="Base image untagged or `latest`",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("dockerfile",),
)
def dockerfile_base_image_unpinned(src: SourceFile) -> Iterator[Hit]:
    """A `FROM` whose image has no tag or the tag `latest`.

    Build stages named with `AS` and `scratch` are skipped; `FROM ${BASE}` is resolved with the
    default of a global `ARG` (a default carrying a tag passes; no default means the image comes
    from the build command and is skipped). A tag written as a build argument
    (`FROM acme/app:${VERSION}`) is the build's to choose, whatever its default (a fallback):
    skipped. A digest (`@sha256:...`) passes. So does an image the repository builds or publishes
    itself (its CI, a script, a Makefile or a compose file names it as what it builds, tags or
    pushes: `IMAGE_NAME: acme/app`, `docker build -t acme/app`): extending its own current build
    is a release choice, not a floating dependency. Nor is a stage that only fetches and unpacks
    files for the stages after it (`ADD` of a source archive, `RUN mkdir -p /src && tar -xf ...`):
    what they copy from it is the same whatever its base. Nor is an image in a registry on the
    local machine (`localhost:5000/team/base`: built and pushed there), nor one whose path holds a
    placeholder for whoever builds the template to fill in (`YOUR_REGISTRY/base:latest`), nor
    `latest` under a repository path that names a release
    (`gaudi-docker/1.22.1/.../pytorch-installer-2.7.1:latest`: the newest build of that release).

    Why:
        An untagged CUDA or PyTorch base image moves with every push: the next build silently gets
        a different CUDA, cuDNN or Python, GPU kernels stop loading, and the old image cannot be
        rebuilt.
    Fix:
        Pin a full version tag (`pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime`), ideally with its
        digest.
    Bad:
        FROM nvidia/cuda
    Good:
        FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
    """
    global_args: dict[str, str | None] = {}
    stages: set[str] = set()
    seen_from = False
    every = list(instructions(src.lines))
    for index, instruction in enumerate(every):
        if instruction.keyword == "ARG" and not seen_from:
            global_args.update(arg_defaults(instruction.arguments))
            continue
        if instruction.keyword != "FROM":
            continue
        seen_from = True
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        if not words:
            continue
        written = words[0]
        image = substitute(written, global_args)
        earlier_stage = image is not None and image.lower() in stages
        alias = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
        if alias is not None:
            stages.add(alias)
        line = instruction.lines[0]
        if image is None or earlier_stage or image == "scratch" or "@" in image or line not in src.changed:
            continue
        if _fetches_only(every[index + 1 :], alias, global_args):
            continue  # it hands later stages the files it fetched, whatever its base
        if "$" in (_tag(written) or ""):
            continue  # the tag is a build argument: the build command chooses it
        tag = _tag(image)
        if local_registry(image) or placeholder_image(image):
            continue  # built and pushed on this machine; a template's image to fill in
        if tag == "latest" and versioned_repository(image):
            continue  # the newest build of a named release
        if (tag is None or tag == "latest") and not _built_here(src.repo, image):
            shown = image if image == written else f"{written} (= {image})"
            yield Hit(line, f"`FROM {shown}` " + ("has no tag." if tag is None else "uses `latest`."))


# The commands of a stage that only fetches and unpacks files: what it hands on are those files.
_FETCH_COMMANDS = frozenset(
    [
        *("wget", "curl", "tar", "unzip", "gunzip"),
        *("mkdir", "mv", "cp", "rm", "ln", "chmod", "test", "cd", "echo", "ls", "true"),
    ]
)
_FETCH_INSTRUCTIONS = frozenset(["ADD", "COPY", "WORKDIR", "ARG", "ENV", "LABEL"])
# Commands joined in a shell line, a pipe too: `curl ... | tar -xz` fetches, `curl ... | sh` runs.
_COMMAND_SEPARATOR = re.compile(r"&&|\|\||;|\|")


def _fetches_only(after: list[Instruction], alias: str | None, global_args: dict[str, str | None]) -> bool:
    """The stage `alias` whose instructions follow only fetches and unpacks files (`ADD` of a
    source archive, `RUN mkdir -p /src && tar -xf ...`) for later stages that copy from it, none
    built on it: its base image runs no build, and what they copy is the same whatever that base
    is. The last stage is the image itself."""
    body: list[Instruction] = []
    for instruction in after:
        if instruction.keyword == "FROM":
            break
        body.append(instruction)
    bases = {
        (substitute(words[0], global_args) or "").lower()
        for instruction in after[len(body) :]
        if instruction.keyword == "FROM"
        and (words := [w for w in instruction.arguments.split() if not w.startswith("--")])
    }
    if alias is None or len(body) == len(after) or alias in bases:
        return False
    if not any(instruction.keyword in ("ADD", "RUN") for instruction in body):
        return False
    for instruction in body:
        if instruction.keyword == "RUN" and not instruction.heredocs:
            commands = [part.split() for part in _COMMAND_SEPARATOR.split(instruction.arguments)]
            if all(words and words[0] in _FETCH_COMMANDS for words in commands):
                continue
        if instruction.keyword not in _FETCH_INSTRUCTIONS:
            return False
    return True


def _tag(reference: str) -> str | None:
    """The tag of an image reference (`registry:5000/org/app:1.2` -> `1.2`), None without one."""
    last = reference.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


# Where a repository says what image it builds or publishes: CI workflows, scripts, make and
# compose files (Repository.glob: a path or a file name).
_BUILD_FILES = (".github/workflows/*.yml", ".github/workflows/*.yaml", "*.sh", "Makefile", "*.mk", "justfile")
_COMPOSE_FILES = ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml")
# What names the image a build makes: `-t`/`--tag`, `docker push`/`docker tag`, an image-name
# setting (`IMAGE_NAME: org/app`, docker/metadata-action's `images:`); a compose service's
# `image:` in a file that builds.
_BUILT_AS = (
    r"(?:\s-t\s+|--tag[=\s]+|docker\s+push\s+|docker\s+tag\s+\S+\s+|image_?name\s*[:=]\s*|images\s*:\s*)"
)


def _built_here(repo: Repository, image: str) -> bool:
    """The repository builds, tags or pushes `image` (its name without tag) itself."""
    name = re.escape(image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image)
    built = re.compile(rf"(?im){_BUILT_AS}['\"]?{name}(?=[:'\"\s]|$)")
    composed = re.compile(rf"(?m)^\s*image:\s*['\"]?{name}(?=[:'\"\s]|$)")
    if any(built.search(repo.text(path) or "") for pattern in _BUILD_FILES for path in repo.glob(pattern)):
        return True
    return any(
        "build:" in (text := repo.text(path) or "") and composed.search(text) is not None
        for pattern in _COMPOSE_FILES
        for path in repo.glob(pattern)
    )
