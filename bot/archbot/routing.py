"""Route changed files to personas: a score per persona from path, import and keyword signals."""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from archbot import classify
from archbot.classify import FileFacts
from archbot.models import FileRoute, PersonaAssignment, Role, Signal
from archbot.personas import Persona, Triggers
from archbot.repo import catalog

if TYPE_CHECKING:
    from archbot.repo.model import Imported, Module, Repository

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
# What the changed lines do outweighs what the rest of the file imports: imports on unchanged lines
# count for a persona at most as much as one added import when the file's persona is chosen.
UNCHANGED_IMPORT_CAP = IMPORT_ADDED
# A dependency manifest's catalog names count at most this much per persona: a manifest says which
# packages a project chose, not what a change does with them.
MANIFEST_CAP = IMPORT_ADDED
# A module of a catalog package's own code (`dspy/predict/x.py`) is ML code, routed as such; its
# imports of its own package are project imports and do not count. Which persona reviews it is
# what the file itself does: a package's own domain counts only PACKAGE_CHOICE for that, a refined
# sub-module's (`llama_index.vector_stores`) all of PACKAGE_WEIGHT.
PACKAGE_WEIGHT = THRESHOLD
PACKAGE_CHOICE = 0.5
# What a project module this file imports imports (one hop): it supports the file's own signals
# and is never the only reason (the pre-commit screen must be able to tell from the file itself).
PROPAGATED_WEIGHT = IMPORT_FILE
# A model URL the code names (endpoints.MODEL_CLIENT_URL): a client of a generative model whatever
# it imports (raw `requests` to Ollama or an OpenAI-compatible server), weighed as an import where
# the change names it. On unchanged lines it counts as a keyword (the rules still read the file as
# ML code): a UI's text names a provider's URL as a placeholder (a locale file's
# `https://api.openai.com/v1`), beside words such as `prompts`.
MODEL_URL_ADDED, MODEL_URL_FILE = IMPORT_ADDED, KEYWORD_FILE
MODEL_URL_PERSONA = catalog.LLM
# Security-relevant content on changed lines of an ML file: brings in the governance persona.
SECURITY_WEIGHT = 1.0
SECURITY_PERSONA = catalog.PLATFORM
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


def catalog_matches(
    facts: FileFacts, project: Callable[[str], bool] | None = None
) -> list[tuple[str, catalog.Package, bool]]:
    """(module, catalog entry, on an added line) for each import of the file the catalog knows; a
    dependency manifest's names by distribution. A sub-module's entry replaces its package's
    (`from llama_index.llms import X` is LLM work, not RAG); a shared name (`agents`) that is a
    module of the repository (`project`) is the project's own."""
    ecosystem = classify.ecosystem(facts.path, facts.kind)
    manifest = classify.dependency_manifest(facts.path, facts.kind)
    found: list[tuple[str, catalog.Package, bool]] = []
    for module, added in facts.imports.items():
        entry = catalog.dependency(module, ecosystem) if manifest else None
        if entry is None and (not manifest or facts.kind == "python"):
            entry = catalog.lookup(module, ecosystem)
        if entry is None or (entry.shared and not manifest and project is not None and project(module)):
            continue
        found.append((module, entry, added))
    return [
        (module, entry, added)
        for module, entry, added in found
        if not any(
            other.name.startswith(entry.name + catalog.SEPARATOR[entry.ecosystem])
            and within.startswith(module + catalog.SEPARATOR[entry.ecosystem])
            for within, other, _ in found
        )
    ]


def _catalog_signals(
    persona: Persona, facts: FileFacts, matches: Sequence[tuple[str, catalog.Package, bool]]
) -> list[Signal]:
    """This persona's catalog signals: one per entry, strongest first; what the persona's own import
    triggers already matched is not counted twice; a manifest's add up to MANIFEST_CAP."""
    weights: dict[str, float] = {}
    for module, entry, added in matches:
        if entry.persona != persona.name or any(_import_matches(p, module) for p in persona.triggers.imports):
            continue
        weight = IMPORT_ADDED if added else IMPORT_FILE
        weights[entry.name] = max(weights.get(entry.name, 0.0), weight)
    kind = "depends" if classify.dependency_manifest(facts.path, facts.kind) else "imports"
    signals, total = [], 0.0
    for name, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        if kind == "depends":
            weight = min(weight, MANIFEST_CAP - total)
            if weight <= 0:
                break
        signals.append(Signal(kind, name, weight))
        total += weight
    return signals


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


def score(
    persona: Persona,
    path: str,
    facts: FileFacts | None,
    matches: Sequence[tuple[str, catalog.Package, bool]] = (),
) -> tuple[float, float, tuple[Signal, ...]]:
    """(anchor score, context score, signals) of one file for one persona: its own triggers and,
    for a persona the catalog knows, the catalog's packages among the file's imports (`matches`)."""
    anchors = _signals(persona.triggers, path, facts, context=False)
    if facts is not None:
        if facts.kind in _MANIFEST_KINDS:
            anchors += _mention_signals(persona, matches, anchors)
        else:
            anchors += _catalog_signals(persona, facts, matches)
    context = _signals(persona.context, path, facts, context=True)
    return sum(s.weight for s in anchors), sum(s.weight for s in context), (*anchors, *context)


def _mentions(facts: FileFacts) -> list[tuple[str, catalog.Package, bool]]:
    """Catalog packages an image build file names as words (`pip install vllm`, an image name)."""
    found = []
    for token, added in facts.tokens.items():
        entry = catalog.lookup(token, "python") or catalog.dependency(token, "python")
        if entry is not None and not entry.shared and "." not in entry.name:
            found.append((token, entry, added))
    return found


def _mention_signals(
    persona: Persona, mentioned: Sequence[tuple[str, catalog.Package, bool]], taken: Sequence[Signal]
) -> list[Signal]:
    """One `mentions` signal per catalog package the build file names, within KEYWORD_CAP with the
    persona's own mentions and keywords."""
    total = sum(s.weight for s in taken if s.kind in ("mentions", "keyword"))
    own = {s.value for s in taken if s.kind == "mentions"}
    found: list[Signal] = []
    for name in sorted({e.name for _, e, _ in mentioned if e.persona == persona.name} - own):
        if total >= KEYWORD_CAP:
            break
        added = any(a for _, e, a in mentioned if e.name == name)
        weight = KEYWORD_ADDED if added else KEYWORD_FILE
        found.append(Signal("mentions", name, weight))
        total += weight
    return found


def _choice(signals: Sequence[Signal]) -> float:
    """A persona's score for choosing the file's persona: imports on unchanged lines count at most
    UNCHANGED_IMPORT_CAP together and a model URL there not at all, so what the changed lines do
    outweighs them."""
    unchanged = [s.weight for s in signals if s.kind == "imports" and s.weight < IMPORT_ADDED]
    # A model URL on unchanged lines makes the file ML code and says nothing of what the change does.
    domain = sum(
        s.weight
        for s in signals
        if s.kind not in ("security", "package") and not (s.kind == "endpoint" and s.weight < MODEL_URL_ADDED)
    )
    # A module inside a refined sub-module (`llama_index/vector_stores/...`) is that work itself.
    package = max((_package_choice(s.value) for s in signals if s.kind == "package"), default=0.0)
    return domain - sum(unchanged) + min(sum(unchanged), UNCHANGED_IMPORT_CAP) + package


def _package_choice(name: str) -> float:
    return PACKAGE_WEIGHT if "." in name else PACKAGE_CHOICE


class Project(Protocol):
    """What the repository says about a changed file's modules (ProjectModules below)."""

    def is_module(self, name: str, near: str) -> bool: ...

    def package(self, path: str) -> catalog.Package | None: ...

    def signals(self, path: str, facts: FileFacts, own: float) -> Mapping[str, Sequence[Signal]]: ...


def route_file(
    personas: Mapping[str, Persona],
    path: str,
    facts: FileFacts | None,
    assign: Mapping[str, str],
    extra: Sequence[Signal] = (),
    project: Project | None = None,
) -> FileRoute:
    """Score the file for every persona; it is ML/LLM-related when its anchor signals (over all
    personas) reach THRESHOLD, and then goes to its best-scoring persona.

    `extra`: anchor signals for the governance persona (a provider key). `project`: what the
    repository says about the file's modules (its own package, the project modules it imports).
    Security-relevant changed lines of an ML file add `security` signals for the governance persona
    (never making a file ML): `assign` brings that persona in."""
    matches: list[tuple[str, catalog.Package, bool]] = []
    if facts is not None:
        if facts.kind in _MANIFEST_KINDS:
            matches = _mentions(facts)
        else:
            matches = catalog_matches(facts, (lambda m: project.is_module(m, path)) if project else None)
            own = project.package(path) if project is not None else None
            if own is not None:
                # Its imports of its own package (or of a package above it) are project imports.
                matches = [m for m in matches if not (own.name + ".").startswith(m[1].name + ".")]
    scores: dict[str, float] = {}
    signals: dict[str, tuple[Signal, ...]] = {}
    anchor_total = 0.0
    for name, persona in personas.items():
        anchors, context, found = score(persona, path, facts, matches)
        if name == MODEL_URL_PERSONA and facts is not None and facts.model_urls:
            url = _model_url_signal(facts)
            anchors, found = anchors + url.weight, (*found, url)
        if name == SECURITY_PERSONA and extra:
            anchors, found = anchors + sum(s.weight for s in extra), (*found, *extra)
        anchor_total += anchors
        scores[name], signals[name] = anchors + context, found
    if project is not None and facts is not None:
        for name, supporting in project.signals(path, facts, anchor_total).items():
            if name in personas and supporting:
                anchor_total += sum(s.weight for s in supporting)
                scores[name] += sum(s.weight for s in supporting)
                signals[name] = (*signals[name], *supporting)
    if facts is not None and anchor_total > 0 and SECURITY_PERSONA in personas:
        marks = [Signal("security", mark, SECURITY_WEIGHT) for mark, added in facts.security.items() if added]
        scores[SECURITY_PERSONA] += sum(s.weight for s in marks)
        signals[SECURITY_PERSONA] = (*signals[SECURITY_PERSONA], *marks)
    chosen = next((p for glob, p in assign.items() if _glob(glob, path)), None)
    if chosen is None and anchor_total >= THRESHOLD:
        chosen = max(scores, key=lambda n: (_choice(signals[n]), scores[n]))
    return FileRoute(path, scores, signals, chosen)


def _model_url_signal(facts: FileFacts) -> Signal:
    """One signal for the model URLs a file names: the first an added line names, else the first."""
    url, added = next(
        ((u, a) for u, a in facts.model_urls.items() if a), next(iter(facts.model_urls.items()))
    )
    return Signal("endpoint", url, MODEL_URL_ADDED if added else MODEL_URL_FILE)


# Signals that come from what a file's code says (not its path): any one of them makes the file
# ML/LLM-related for the rules whose shape is general code (policy.py scope `ml`).
_CODE_SIGNALS = frozenset(("imports", "depends", "package", "mentions", "keyword", "secret", "endpoint"))
# How much a file of each role counts when the change's personas are ranked: the library and the
# service are what a change is about, not the tests and examples beside them.
ROLE_WEIGHTS: Mapping[Role, float] = {
    "test": 0.25,
    "docs": 0.25,
    "example": 0.5,
    "generated": 0.1,
    "vendored": 0.1,
}


def ml_related(route: FileRoute) -> bool:
    """Is the file's own code ML/LLM-related? Routed to a persona, or any code signal of one."""
    if route.persona is not None:
        return True
    return any(s.kind in _CODE_SIGNALS for found in route.signals.values() for s in found)


def assign(
    routes: Sequence[FileRoute],
    max_personas: int,
    forced: str | None = None,
    roles: Mapping[str, Role] | None = None,
) -> tuple[PersonaAssignment, ...]:
    """Rank personas by what their files do (the score that chose each file's persona), each file
    weighed by its role (ROLE_WEIGHTS);
    dependency manifests only break ties, so one manifest cannot outvote the code of the change.
    Keep the top `max_personas`, and the governance persona when a routed file has security-relevant
    changed lines; hand the other files to whichever kept persona scores them best."""
    if forced is not None:
        paths = tuple(r.path for r in routes)
        return (PersonaAssignment(forced, 0.0, paths, ("forced with --persona",)),) if paths else ()
    routed = [r for r in routes if r.persona is not None]
    code: dict[str, float] = {}
    manifests: dict[str, float] = {}
    for route in routed:
        assert route.persona is not None
        role = (roles or {}).get(route.path, "library")
        weight = _choice(route.signals.get(route.persona, ())) * ROLE_WEIGHTS.get(role, 1.0)
        totals = (
            manifests if classify.dependency_manifest(route.path, classify.file_kind(route.path)) else code
        )
        totals[route.persona] = totals.get(route.persona, 0.0) + weight
    ranked = sorted({*code, *manifests}, key=lambda n: (-code.get(n, 0.0), -manifests.get(n, 0.0), n))
    kept = ranked[:max_personas]
    if any(map(_security, routed)) and SECURITY_PERSONA not in kept and max_personas > 1:
        kept = [*kept[: max_personas - 1], SECURITY_PERSONA]
    files: dict[str, list[FileRoute]] = {name: [] for name in kept}
    for route in routed:
        owner = route.persona if route.persona in files else max(kept, key=lambda n: route.scores.get(n, 0.0))
        assert owner is not None
        files[owner].append(route)
    if SECURITY_PERSONA in files:
        # It reviews the security-relevant files too, beside the persona whose domain they are.
        files[SECURITY_PERSONA] += [r for r in routed if _security(r) and r not in files[SECURITY_PERSONA]]
    assignments = []
    for name in kept:
        owned = files[name]
        folded = tuple(
            (r.path, r.persona)
            for r in owned
            if r.persona is not None
            and r.persona != name
            and not (name == SECURITY_PERSONA and r.persona in files and _security(r))
        )
        reasons = tuple(
            f"{route.path}: {signal.describe()}"
            for route in owned
            for signal in sorted(route.signals.get(name, ()), key=lambda s: -s.weight)[:3]
        ) + tuple(f"{path}: {fold_reason(persona, max_personas)}" for path, persona in folded)
        total = sum(route.scores.get(name, 0.0) for route in owned)
        assignments.append(PersonaAssignment(name, total, tuple(r.path for r in owned), reasons, folded))
    return tuple(assignments)


def _entry(imported: Imported) -> catalog.Package | None:
    """The catalog entry (not a shared name) an import of a project module names, if any."""
    if imported.level:
        return None
    name = f"{imported.module}.{imported.name}" if imported.name else imported.module
    entry = catalog.lookup(name, "python")
    return entry if entry is not None and not entry.shared else None


def _known(module: str) -> bool:
    entry = catalog.lookup(module, "python")
    return entry is not None and not entry.shared


def _security(route: FileRoute) -> bool:
    return any(s.kind == "security" for s in route.signals.get(SECURITY_PERSONA, ()))


def fold_reason(persona: str, max_personas: int) -> str:
    return f"{persona}'s file, folded in: personas.max is {max_personas}"


class ProjectModules:
    """What the repository model says about a changed file's Python modules, for routing.

    - `package`: the file is a module of a catalog package's own code (`dspy/predict/x.py` in the
      dspy repository, `src/axolotl/...`): that package's persona (a `package` signal).
    - `via`: a project module the file imports (relative or absolute, resolved by the model, one
      hop, at most MAX_PROPAGATED of them) imports a catalog package: that package's persona. It
      supports a file that has signals of its own and is never the only reason (the pre-commit
      screen must tell from the file itself), and is looked for only while the file is below the
      threshold: parsing is bounded by the model's budget.
    """

    MAX_PROPAGATED = 8
    MAX_SIBLINGS = 4

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self._packages: dict[str, str | None] = {}

    def is_module(self, name: str, near: str) -> bool:
        return self.repo.module_path(name, near) is not None

    def package(self, path: str) -> catalog.Package | None:
        if not path.endswith(".py"):
            return None
        name = self.repo.module_name(path)
        if "." not in name and not path.endswith("/__init__.py"):
            return None  # a loose script named after a package (`langchain.py`) is not its code
        entry = catalog.lookup(name, "python")
        return entry if entry is not None and not entry.shared else None

    def signals(self, path: str, facts: FileFacts, own: float) -> dict[str, list[Signal]]:
        found: dict[str, list[Signal]] = {}
        entry = self.package(path)
        if entry is not None:
            found[entry.persona] = [Signal("package", entry.name, PACKAGE_WEIGHT)]
            own += PACKAGE_WEIGHT
        if 0 < own < THRESHOLD and facts.kind == "python":
            for persona, signal in self._propagated(path).items():
                found.setdefault(persona, []).append(signal)
                own += signal.weight
        if 0 < own < THRESHOLD and facts.kind == "python":
            sibling = self._siblings(path)
            if sibling is not None and sibling[0] not in found:
                found[sibling[0]] = [sibling[1]]
        return found

    @functools.cached_property
    def _modules_in(self) -> dict[str, list[str]]:
        """The Python modules of each directory (not its `__init__.py`)."""
        found: dict[str, list[str]] = {}
        for file in self.repo.python_files:
            directory, _, name = file.rpartition("/")
            if name != "__init__.py":
                found.setdefault(directory, []).append(file)
        return found

    def _siblings(self, path: str) -> tuple[str, Signal] | None:
        """The persona of the package the file is a module of, when most of its sibling modules
        (at most MAX_SIBLINGS of them, parsed once per directory) import a catalog package."""
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        if directory not in self._packages:
            siblings = [f for f in self._modules_in.get(directory, ()) if f != path]
            personas: dict[str, str] = {}
            for sibling in sorted(siblings)[: self.MAX_SIBLINGS]:
                module = self.repo.module(sibling)
                entries = [_entry(i) for i in module.imports.values()] if module is not None else []
                known = sorted({e.persona: e.name for e in entries if e is not None}.items())
                if known:
                    personas[sibling] = known[0][0]
            counts = {p: list(personas.values()).count(p) for p in set(personas.values())}
            best = max(sorted(counts), key=lambda p: counts[p], default=None)
            enough = best is not None and counts[best] * 2 > min(len(siblings), self.MAX_SIBLINGS)
            self._packages[directory] = best if enough else None
        persona = self._packages[directory]
        if persona is None:
            return None
        return persona, Signal("via", f"{directory or '.'}/ modules are {persona}'s code", PROPAGATED_WEIGHT)

    def _propagated(self, path: str) -> dict[str, Signal]:
        module = self.repo.module(path)
        if module is None:
            return {}
        targets: dict[str, Module] = {}
        for imported in [*module.imports.values(), *module.star_imports]:
            if len(targets) >= self.MAX_PROPAGATED:
                break
            if not imported.level and (
                self.repo.module_path(imported.module, path) is None or _known(imported.module)
            ):
                continue  # outside the repository, or a catalog package: the file's imports say it
            symbol = self.repo.resolve_import(module, imported)
            target = symbol.module if symbol is not None else None
            if target is not None and target.path != path:
                targets.setdefault(target.path, target)
        found: dict[str, Signal] = {}
        for target in targets.values():
            for imported in target.imports.values():
                entry = _entry(imported)
                if entry is not None and entry.persona not in found:
                    found[entry.persona] = Signal(
                        "via", f"{target.name} imports {entry.name}", PROPAGATED_WEIGHT
                    )
        return found
