"""Load and validate personas: Claude Code agent files with archbot triggers (routing is routing.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from archbot import frontmatter
from archbot.errors import usage_error

BUILTIN_ORDER = (
    "llm-ml-engineer",
    "senior-ml-systems-architect",
    "ml-system-architect",
    "ml-architecture-expert",
    "ai-architect-agent",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_STOPWORDS = frozenset(
    [
        "about",
        "after",
        "also",
        "architecture",
        "before",
        "between",
        "build",
        "code",
        "design",
        "expert",
        "focus",
        "from",
        "into",
        "review",
        "reviews",
        "should",
        "system",
        "systems",
        "their",
        "there",
        "these",
        "this",
        "those",
        "through",
        "used",
        "using",
        "when",
        "where",
        "which",
        "while",
        "with",
        "your",
        "production",
        "changes",
        "change",
        "specialist",
        "engineer",
        "agent",
    ]
)


@dataclasses.dataclass(frozen=True)
class Triggers:
    paths: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


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

    @property
    def paths(self) -> tuple[str, ...]:
        return self.triggers.paths

    @property
    def imports(self) -> tuple[str, ...]:
        return self.triggers.imports

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.triggers.keywords


def parse(text: str, origin: str, cache: frontmatter.Cache | None = None) -> Persona:
    """A persona file: YAML frontmatter (name, description, model, archbot triggers) and a body."""
    match = frontmatter.BLOCK.match(text)
    if match is None:
        raise usage_error(f"{origin}: persona must start with YAML frontmatter between '---' lines")
    try:
        meta = frontmatter.parse(match.group(1), cache)
    except frontmatter.FrontmatterError as error:
        raise usage_error(f"{origin}: invalid frontmatter YAML: {error}") from None
    if not isinstance(meta, dict):
        raise usage_error(f"{origin}: frontmatter must be a mapping")
    name = meta.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise usage_error(f"{origin}: 'name' must be lowercase letters, digits and dashes")
    description = meta.get("description", "")
    if not isinstance(description, str) or not description.strip():
        raise usage_error(f"{origin}: 'description' must be a non-empty string")
    model = meta.get("model", "sonnet")
    if not isinstance(model, str):
        raise usage_error(f"{origin}: 'model' must be a string")
    body = text[match.end() :].strip()
    if not body:
        raise usage_error(f"{origin}: the persona has no prompt body")
    triggers = meta.get("archbot")
    if triggers is None:
        anchors, context = Triggers(keywords=_inferred_keywords(description)), Triggers()
    else:
        anchors = _triggers(triggers, f"{origin}: 'archbot'", allow_context=True)
        context = _triggers(triggers.get("context") or {}, f"{origin}: 'archbot.context'")
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Persona(name, " ".join(description.split()), model, body, anchors, context, origin, digest)


def _triggers(value: object, where: str, allow_context: bool = False) -> Triggers:
    if not isinstance(value, dict):
        raise usage_error(f"{where} must be a mapping of paths/imports/keywords")
    valid = {"paths", "imports", "keywords"} | ({"context"} if allow_context else set())
    unknown = sorted(set(value) - valid)
    if unknown:
        raise usage_error(f"{where} has unknown key '{unknown[0]}' (valid: {', '.join(sorted(valid))})")
    paths, imports, keywords = (
        _string_list(value.get(key), f"{where}.{key}") for key in ("paths", "imports", "keywords")
    )
    return Triggers(paths, imports, keywords)


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise usage_error(f"{where} must be a list of non-empty strings")
    return tuple(value)


def _inferred_keywords(description: str) -> tuple[str, ...]:
    """A persona without archbot triggers is routed by distinctive words of its description."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.]{3,}", description)
    return tuple(dict.fromkeys(w.lower() for w in words if w.lower() not in _STOPWORDS))


def builtin_texts() -> list[tuple[str, str]]:
    # A plain path, not importlib.resources (which imports tempfile, shutil, random): the package
    # is always installed as files (wheel or editable), and this runs on every pre-commit hook.
    folder = Path(__file__).with_name("persona_files")
    return [
        (f"builtin:{name}", (folder / f"{name}.md").read_text(encoding="utf-8")) for name in BUILTIN_ORDER
    ]


def repo_texts(root: Path | None, claude_agents: bool) -> list[tuple[str, str]]:
    if root is None:
        return []
    folders = [root / ".archbot" / "personas"] + ([root / ".claude" / "agents"] if claude_agents else [])
    return [
        (str(path.relative_to(root)), path.read_text(encoding="utf-8", errors="replace"))
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.glob("*.md"))
    ]


def load(texts: Iterable[tuple[str, str]], cache: frontmatter.Cache | None = None) -> dict[str, Persona]:
    """Personas by name; a later text with the same name overrides an earlier one."""
    personas: dict[str, Persona] = {}
    for origin, text in texts:
        persona = parse(text, origin, cache)
        personas[persona.name] = persona
    if cache is not None:
        cache.save()
    return personas
