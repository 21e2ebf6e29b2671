"""Load and validate personas: Claude Code agent files with archbot triggers (routing is routing.py).

A persona file is read the way Claude Code reads an agent file (frontmatter.parse_lenient). A file
that still cannot be a persona is skipped with one warning naming it and what to fix: a teammate's
broken agent file never stops a review. A file without an `archbot:` key is routed by the built-in
persona's triggers when it overrides one, else by the code signals its own text names (terms.py).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from archbot import agentfile, frontmatter, terms

BUILTIN_ORDER = (
    "llm-ml-engineer",
    "senior-ml-systems-architect",
    "ml-system-architect",
    "ml-architecture-expert",
    "ai-architect-agent",
)
BUILTIN_PREFIX = "builtin:"
NOT_UTF8 = "it has bytes that are not UTF-8 (read as \ufffd): save it as UTF-8"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


@dataclasses.dataclass(frozen=True)
class Triggers:
    paths: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


class PersonaFileError(ValueError):
    """A persona file that cannot be used; the message names the file and what to fix."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclasses.dataclass(frozen=True)
class Persona:
    name: str
    description: str
    model: str
    body: str
    triggers: Triggers
    context: Triggers
    origin: str
    digest: str
    # Where the triggers come from: "archbot" (the file's own key), "builtin" (kept from the
    # built-in persona this file overrides) or "derived" (from the technologies its text names).
    triggers_from: str = "archbot"
    # What was repaired to read the file as Claude Code does (shown by `personas validate`).
    repairs: tuple[str, ...] = ()

    @functools.cached_property
    def prompt(self) -> str:
        """The review-relevant part of the body: what the persona review sends (see prompt_body)."""
        return (
            agentfile.review_body(self.body) or f"You review code changes as {self.name}: {self.description}"
        )

    @property
    def paths(self) -> tuple[str, ...]:
        return self.triggers.paths

    @property
    def imports(self) -> tuple[str, ...]:
        return self.triggers.imports

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.triggers.keywords


def prompt_body(persona: Persona) -> str:
    """The persona's prompt as the model gets it: the body without delegation rules, tool and
    session instructions, shell snippets, examples of chat and decoration (agentfile.review_body)."""
    return persona.prompt


def parse(text: str, origin: str, cache: frontmatter.Cache | None = None) -> Persona:
    """A persona file: frontmatter (name, description, model, archbot triggers) and a body.
    Raises PersonaFileError naming the file and what to fix."""
    text = text.removeprefix("\ufeff")
    match = frontmatter.BLOCK.match(text)
    if match is None:
        raise PersonaFileError(
            f"{origin}: persona must start with YAML frontmatter between '---' lines "
            "(name, description, then the prompt below)"
        )
    try:
        meta, repairs = frontmatter.parse_lenient(match.group(1), cache)
    except frontmatter.FrontmatterError as error:
        raise PersonaFileError(f"{origin}: invalid frontmatter YAML: {error}") from None
    name = meta.get("name")
    if name is None:
        raise PersonaFileError(f"{origin}: 'name' is missing: add `name: {_suggested_name(origin)}`")
    if not isinstance(name, str) or not _NAME.match(name):
        example = _suggested_name(str(name))
        raise PersonaFileError(
            f"{origin}: 'name' must be lowercase letters, digits and dashes (like {example})"
        )
    description = meta.get("description", "")
    if not isinstance(description, str) or not description.strip():
        raise PersonaFileError(
            f"{origin}: 'description' must be a non-empty string saying what this persona reviews"
        )
    model = meta.get("model", "sonnet")
    if not isinstance(model, str) or not model.strip():
        raise PersonaFileError(f"{origin}: 'model' must be a model alias (opus, sonnet, haiku) or a model id")
    body = text[match.end() :].strip()
    if not body:
        raise PersonaFileError(f"{origin}: the persona has no prompt body: write it below the frontmatter")
    triggers = meta.get("archbot")
    raw_description, description = description, agentfile.summary(description)
    persona = Persona(
        name=name,
        description=description,
        model=model.strip(),
        body=body,
        triggers=Triggers(),
        context=Triggers(),
        origin=origin,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
        repairs=(*repairs, *((NOT_UTF8,) if "\ufffd" in text else ())),
    )
    if triggers is None:
        found = terms.mentioned(agentfile.focus_text(raw_description, body))
        return dataclasses.replace(
            persona,
            triggers=Triggers(*terms.union(found, context=False)),
            context=Triggers(*terms.union(found, context=True)),
            triggers_from="derived",
        )
    anchors = _triggers(triggers, f"{origin}: 'archbot'", allow_context=True)
    assert isinstance(triggers, dict)
    context = _triggers(triggers.get("context") or {}, f"{origin}: 'archbot.context'")
    return dataclasses.replace(persona, triggers=anchors, context=context)


def _suggested_name(text: str) -> str:
    stem = Path(text.removeprefix("base:")).stem if "/" in text or text.endswith(".md") else text
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:64] or "my-reviewer"


def _triggers(value: object, where: str, allow_context: bool = False) -> Triggers:
    if not isinstance(value, dict):
        raise PersonaFileError(f"{where} must be a mapping of paths/imports/keywords")
    valid = {"paths", "imports", "keywords"} | ({"context"} if allow_context else set())
    unknown = sorted(set(value) - valid)
    if unknown:
        raise PersonaFileError(f"{where} has unknown key '{unknown[0]}' (valid: {', '.join(sorted(valid))})")
    paths, imports, keywords = (
        _string_list(value.get(key), f"{where}.{key}") for key in ("paths", "imports", "keywords")
    )
    return Triggers(paths, imports, keywords)


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PersonaFileError(f"{where} must be a list of non-empty strings")
    return tuple(value)


def builtin_texts() -> list[tuple[str, str]]:
    # A plain path, not importlib.resources (which imports tempfile, shutil, random): the package
    # is always installed as files (wheel or editable), and this runs on every pre-commit hook.
    folder = Path(__file__).with_name("persona_files")
    return [
        (f"{BUILTIN_PREFIX}{name}", (folder / f"{name}.md").read_text(encoding="utf-8"))
        for name in BUILTIN_ORDER
    ]


def repo_texts(root: Path | None, claude_agents: bool) -> list[tuple[str, str]]:
    if root is None:
        return []
    folders = [root / ".archbot" / "personas"] + ([root / ".claude" / "agents"] if claude_agents else [])
    return [
        (str(path.relative_to(root)), path.read_bytes().decode("utf-8", errors="replace"))
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.glob("*.md"))
        if path.is_file()
    ]


def load(
    texts: Iterable[tuple[str, str]],
    cache: frontmatter.Cache | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Persona]:
    """Personas by name; a later text with the same name overrides an earlier one. A text that is
    not a usable persona is skipped, and `warn` gets one line naming it and what to fix. An
    override without its own `archbot:` triggers keeps the triggers of the persona it replaces.
    Added personas come first, so that they win a tie in routing over a built-in one."""
    personas: dict[str, Persona] = {}
    added: list[str] = []
    for origin, text in texts:
        try:
            persona = parse(text, origin, cache)
        except PersonaFileError as error:
            if warn is not None:
                warn(f"skipped persona file {error.message}")
            continue
        replaced = personas.get(persona.name)
        if replaced is not None and persona.triggers_from == "derived":
            inherited = "builtin" if replaced.origin.startswith(BUILTIN_PREFIX) else replaced.triggers_from
            persona = dataclasses.replace(
                persona, triggers=replaced.triggers, context=replaced.context, triggers_from=inherited
            )
        if NOT_UTF8 in persona.repairs and warn is not None:
            warn(f"persona file {origin}: {NOT_UTF8}")
        if replaced is None and not origin.startswith(BUILTIN_PREFIX):
            added.append(persona.name)
        personas[persona.name] = persona
    if cache is not None:
        cache.save()
    return {name: personas[name] for name in [*added, *(n for n in personas if n not in added)]}
