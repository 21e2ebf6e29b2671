"""Route changed files to personas: a score per persona from path, import and keyword signals."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence

from archbot.classify import FileFacts
from archbot.models import FileRoute, PersonaAssignment, Signal
from archbot.personas import Persona, Triggers

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


# Signals that come from what a file's code says (not its path): any one of them makes the file
# ML/LLM-related for the rules whose shape is general code (policy.py scope `ml`).
_CODE_SIGNALS = frozenset(("imports", "mentions", "keyword", "secret"))


def ml_related(route: FileRoute) -> bool:
    """Is the file's own code ML/LLM-related? Routed to a persona, or any code signal of one."""
    if route.persona is not None:
        return True
    return any(s.kind in _CODE_SIGNALS for found in route.signals.values() for s in found)


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
        folded = tuple((r.path, r.persona) for r in owned if r.persona is not None and r.persona != name)
        reasons = tuple(
            f"{route.path}: {signal.describe()}"
            for route in owned
            for signal in sorted(route.signals.get(name, ()), key=lambda s: -s.weight)[:3]
        ) + tuple(f"{path}: {fold_reason(persona, max_personas)}" for path, persona in folded)
        total = sum(route.scores.get(name, 0.0) for route in owned)
        assignments.append(PersonaAssignment(name, total, tuple(r.path for r in owned), reasons, folded))
    return tuple(assignments)


def fold_reason(persona: str, max_personas: int) -> str:
    return f"{persona}'s file, folded in: personas.max is {max_personas}"
