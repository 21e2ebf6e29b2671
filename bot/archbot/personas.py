"""Load and validate personas; route changed files to them with scores and the signals behind them."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import yaml

from archbot.classify import FileFacts
from archbot.errors import usage_error
from archbot.models import FileRoute, PersonaAssignment, Signal

BUILTIN_ORDER = (
    "llm-ml-engineer",
    "senior-ml-systems-architect",
    "ml-system-architect",
    "ml-architecture-expert",
    "ai-architect-agent",
)
# Weights: what a file's change says about its domain. Added lines say most; the rest of the file
# says something; a path says something but never enough on its own (a Dockerfile is not ML).
IMPORT_ADDED, IMPORT_FILE = 3.0, 1.5
KEYWORD_ADDED, KEYWORD_FILE = 1.0, 0.5
KEYWORD_CAP = 4.0
PATH_WEIGHT = 1.5
THRESHOLD = 2.5
_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
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
class Persona:
    name: str
    description: str
    model: str
    body: str
    paths: tuple[str, ...]
    imports: tuple[str, ...]
    keywords: tuple[str, ...]
    origin: str
    digest: str


def parse(text: str, origin: str) -> Persona:
    """A persona file: YAML frontmatter (name, description, model, archbot triggers) and a body."""
    match = _FRONTMATTER.match(text)
    if match is None:
        raise usage_error(f"{origin}: persona must start with YAML frontmatter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise usage_error(f"{origin}: invalid frontmatter YAML: {error}".splitlines()[0]) from None
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
    paths: tuple[str, ...]
    imports: tuple[str, ...]
    keywords: tuple[str, ...]
    if triggers is None:
        paths, imports, keywords = (), (), _inferred_keywords(description)
    else:
        if not isinstance(triggers, dict):
            raise usage_error(f"{origin}: 'archbot' must be a mapping of paths/imports/keywords")
        unknown = set(triggers) - {"paths", "imports", "keywords"}
        if unknown:
            raise usage_error(
                f"{origin}: unknown key 'archbot.{sorted(unknown)[0]}' (valid: paths, imports, keywords)"
            )
        paths, imports, keywords = (
            _string_list(triggers.get(key), f"{origin}: 'archbot.{key}'")
            for key in ("paths", "imports", "keywords")
        )
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Persona(name, " ".join(description.split()), model, body, paths, imports, keywords, origin, digest)


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
    folder = resources.files("archbot") / "persona_files"
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


def load(texts: Iterable[tuple[str, str]]) -> dict[str, Persona]:
    """Personas by name; a later text with the same name overrides an earlier one."""
    personas: dict[str, Persona] = {}
    for origin, text in texts:
        persona = parse(text, origin)
        personas[persona.name] = persona
    return personas


def _glob(pattern: str, path: str) -> bool:
    if pattern.startswith("**/"):
        return fnmatch.fnmatchcase(path, pattern[3:]) or fnmatch.fnmatchcase(path, pattern)
    return fnmatch.fnmatchcase(path, pattern)


def _import_matches(pattern: str, module: str) -> bool:
    if pattern.endswith("*"):
        return module.startswith(pattern[:-1])
    return module == pattern or module.startswith(pattern + ".")


def score(persona: Persona, path: str, facts: FileFacts | None) -> tuple[float, tuple[Signal, ...]]:
    signals: list[Signal] = []
    for pattern in persona.paths:
        if _glob(pattern, path):
            signals.append(Signal("path", pattern, PATH_WEIGHT))
            break
    if facts is not None:
        for pattern in persona.imports:
            hits = [(m, added) for m, added in facts.imports.items() if _import_matches(pattern, m)]
            if hits:
                added = any(a for _, a in hits)
                signals.append(
                    Signal(
                        "imports",
                        pattern.rstrip("*") if not added else pattern,
                        IMPORT_ADDED if added else IMPORT_FILE,
                    )
                )
        keyword_total = 0.0
        for keyword in persona.keywords:
            if keyword in facts.tokens and keyword_total < KEYWORD_CAP:
                weight = KEYWORD_ADDED if facts.tokens[keyword] else KEYWORD_FILE
                signals.append(Signal("keyword", keyword, weight))
                keyword_total += weight
    return sum(s.weight for s in signals), tuple(signals)


def route_file(
    personas: Mapping[str, Persona],
    path: str,
    facts: FileFacts | None,
    assign: Mapping[str, str],
    extra: Sequence[Signal] = (),
) -> FileRoute:
    scores: dict[str, float] = {}
    signals: dict[str, tuple[Signal, ...]] = {}
    for name, persona in personas.items():
        total, found = score(persona, path, facts)
        if name == "ai-architect-agent" and extra:
            total, found = total + sum(s.weight for s in extra), (*found, *extra)
        scores[name], signals[name] = total, found
    chosen = next((p for glob, p in assign.items() if _glob(glob, path)), None)
    if chosen is None:
        best = max(scores, key=lambda n: scores[n], default=None)
        chosen = best if best is not None and scores[best] >= THRESHOLD else None
    return FileRoute(path, scores, signals, chosen)


def assign(
    routes: Sequence[FileRoute], max_personas: int, forced: str | None = None
) -> tuple[PersonaAssignment, ...]:
    """Rank personas by their files' total score; keep the top `max_personas`; hand the other
    files to whichever kept persona scores them best."""
    if forced is not None:
        paths = tuple(r.path for r in routes)
        return (PersonaAssignment(forced, 0.0, paths, ("forced with --persona",)),) if paths else ()
    routed = [r for r in routes if r.persona is not None]
    totals: dict[str, float] = {}
    for route in routed:
        assert route.persona is not None
        totals[route.persona] = totals.get(route.persona, 0.0) + route.scores.get(route.persona, 0)
    kept = sorted(totals, key=lambda n: (-totals[n], n))[:max_personas]
    files: dict[str, list[FileRoute]] = {name: [] for name in kept}
    for route in routed:
        owner = route.persona if route.persona in files else max(kept, key=lambda n: route.scores.get(n, 0.0))
        assert owner is not None
        files[owner].append(route)
    assignments = []
    for name in kept:
        owned = files[name]
        reasons = tuple(
            f"{route.path}: {signal.describe()}"
            for route in owned
            for signal in sorted(route.signals.get(name, ()), key=lambda s: -s.weight)[:3]
        )
        total = sum(route.scores.get(name, 0.0) for route in owned)
        assignments.append(PersonaAssignment(name, total, tuple(r.path for r in owned), reasons))
    return tuple(assignments)
