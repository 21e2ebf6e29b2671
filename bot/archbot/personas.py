"""Load and validate personas; route changed files to them with scores and the signals behind them."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from archbot import frontmatter
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
# A file is ML/LLM-related when its anchor signals, over all personas, reach THRESHOLD; it goes to
# the persona with the highest score, where `context` signals (a queue, a cache, asyncio) also count:
# they say which persona fits an ML file, never that a file is ML.
IMPORT_ADDED, IMPORT_FILE = 3.0, 1.5
KEYWORD_ADDED, KEYWORD_FILE = 1.0, 0.5
KEYWORD_CAP = 4.0
PATH_WEIGHT = 1.5
THRESHOLD = 2.5
_MANIFEST_KINDS = frozenset(("dockerfile",))
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


def _glob(pattern: str, path: str) -> bool:
    if pattern.startswith("**/"):
        return _fnmatch(path, pattern[3:]) or _fnmatch(path, pattern)
    return _fnmatch(path, pattern)


def _fnmatch(path: str, pattern: str) -> bool:
    """fnmatch.fnmatchcase(path, pattern). A pattern whose only wildcard is `*` (nearly every
    persona glob) is matched without compiling a regex: routing runs on every pre-commit hook, and
    compiling a hundred globs would cost more than all the rest of routing."""
    if "?" in pattern or "[" in pattern:
        return fnmatch.fnmatchcase(path, pattern)
    parts = pattern.split("*")
    if len(parts) == 1:
        return path == pattern
    head, tail = parts[0], parts[-1]
    if len(path) < len(head) + len(tail) or not path.startswith(head) or not path.endswith(tail):
        return False
    position, end = len(head), len(path) - len(tail)
    for part in parts[1:-1]:
        found = path.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _import_matches(pattern: str, module: str) -> bool:
    if pattern.startswith("*."):  # a project's own module by its last name: `*.prompts`
        return module.endswith(pattern[1:]) or module == pattern[2:]
    if pattern.endswith("*"):
        return module.startswith(pattern[:-1])
    return module == pattern or module.startswith(pattern + ".")


def _signals(triggers: Triggers, path: str, facts: FileFacts | None, context: bool) -> list[Signal]:
    signals: list[Signal] = []
    label = "context " if context else ""
    for pattern in triggers.paths:
        if _glob(pattern, path):
            signals.append(Signal(f"{label}path", pattern, PATH_WEIGHT))
            break
    if facts is None:
        return signals
    for pattern in triggers.imports:
        hits = [added for module, added in facts.imports.items() if _import_matches(pattern, module)]
        if hits:
            signals.append(Signal(f"{label}imports", pattern, IMPORT_ADDED if any(hits) else IMPORT_FILE))
    total = 0.0
    if facts.kind in _MANIFEST_KINDS:
        # An image, a `pip install` or a server flag names a library as a word, not an import.
        for pattern in triggers.imports:
            words = [added for token, added in facts.tokens.items() if _import_matches(pattern, token)]
            if words and total < KEYWORD_CAP:
                weight = KEYWORD_ADDED if any(words) else KEYWORD_FILE
                signals.append(Signal(f"{label}mentions", pattern, weight))
                total += weight
    for keyword in triggers.keywords:
        if keyword in facts.tokens and total < KEYWORD_CAP:
            weight = KEYWORD_ADDED if facts.tokens[keyword] else KEYWORD_FILE
            signals.append(Signal(f"{label}keyword", keyword, weight))
            total += weight
    return signals


def score(persona: Persona, path: str, facts: FileFacts | None) -> tuple[float, float, tuple[Signal, ...]]:
    """(anchor score, context score, signals) of one file for one persona."""
    anchors = _signals(persona.triggers, path, facts, context=False)
    context = _signals(persona.context, path, facts, context=True)
    return sum(s.weight for s in anchors), sum(s.weight for s in context), (*anchors, *context)


def route_file(
    personas: Mapping[str, Persona],
    path: str,
    facts: FileFacts | None,
    assign: Mapping[str, str],
    extra: Sequence[Signal] = (),
) -> FileRoute:
    """Score the file for every persona; it is ML/LLM-related when its anchor signals (over all
    personas) reach THRESHOLD, and then goes to its best-scoring persona."""
    scores: dict[str, float] = {}
    signals: dict[str, tuple[Signal, ...]] = {}
    anchor_total = 0.0
    for name, persona in personas.items():
        anchors, context, found = score(persona, path, facts)
        if name == "ai-architect-agent" and extra:
            anchors, found = anchors + sum(s.weight for s in extra), (*found, *extra)
        anchor_total += anchors
        scores[name], signals[name] = anchors + context, found
    chosen = next((p for glob, p in assign.items() if _glob(glob, path)), None)
    if chosen is None and anchor_total >= THRESHOLD:
        chosen = max(scores, key=lambda n: scores[n])
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
