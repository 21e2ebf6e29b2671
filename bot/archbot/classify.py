"""What a changed file is and which code-level signals it carries (imports, tokens), with line numbers.

Signals are matched as code, not prose: comments and string literals are removed before tokens are
collected, so a README line or a docstring that mentions "openai" is not an import of it.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
import typing
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Literal

from archbot.repo import endpoints

FileKind = Literal[
    "python",
    "notebook",
    "yaml",
    "helm",
    "helm-values",
    "dockerfile",
    "requirements",
    "pyproject",
    "conda",
    "env",
    "javascript",
    "typescript",
    "go",
    "rust",
    "other",
]
ALL_KINDS: tuple[FileKind, ...] = typing.get_args(FileKind)
# Image build files by name: `Dockerfile`, `Dockerfile.gpu`, `Dockerfile_cuda`, `Dockerfile-dev`,
# `Containerfile` (Podman/Buildah), `serving.dockerfile`, `api.Containerfile`.
_BUILD_FILE = re.compile(r"^(?:(?:docker|container)file(?:[._-].+)?|.+\.(?:docker|container)file)$")
# Build-file names that are prose about one (`Dockerfile.md`) or the ignore list beside it.
_NOT_BUILD_FILE = (".md", ".rst", ".txt", ".html", ".ignore", ".dockerignore", ".lock")
_SOURCE_SUFFIXES: dict[str, FileKind] = {
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".go": "go",
    ".rs": "rust",
}

# Lock files by name, with their format: what a package manager resolved, never written by hand.
# `toml`: `[[package]]` tables of `name = ...` and `version = ...` (context.py reads versions there).
LOCK_FILES: dict[str, str] = {
    "uv.lock": "toml",
    "poetry.lock": "toml",
    "pdm.lock": "toml",
    "Pipfile.lock": "json",
    "package-lock.json": "json",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "yaml",
    "Cargo.lock": "toml",
    "go.sum": "go.sum",
    "composer.lock": "json",
}
# The lock files of Python package managers: with one, a project's requirement ranges are resolved.
PYTHON_LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")


def is_lock_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in LOCK_FILES


# Files never worth reading for ML signals (prose, styles, media, lock files, generated code).
_SKIP_SUFFIXES = frozenset(
    [
        ".md",
        ".rst",
        ".txt",
        ".css",
        ".scss",
        ".less",
        ".html",
        ".htm",
        ".svg",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".ico",
        ".webp",
        ".pdf",
        ".lock",
        ".map",
        ".min.js",
        ".woff",
        ".woff2",
        ".ttf",
        ".eot",
        ".mp3",
        ".mp4",
        ".wav",
        ".zip",
        ".gz",
        ".tar",
        ".csv",
        ".tsv",
        ".parquet",
    ]
)
_PY_SCAN = re.compile(
    r"""(?P<s>[rRbBuUfF]{0,2}(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))"""
    r"|(?P<c>\#[^\n]*)"
    r"|(?P<n>[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)",
    re.S,
)
_PY_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<from>\.*[\w.]*)[ \t]+import[ \t]*(?P<what>\([^)]*\)|[\w \t,]*)"
    r"|import[ \t]+(?P<names>[\w. \t,]+))",
    re.M,
)
_TEXT_TOKEN = re.compile(r"[A-Za-z_][\w.\-/]*\w|[A-Za-z_]")
_JS_IMPORT = re.compile(r"""(?:\bfrom\s+|\bimport\s+|\brequire\(\s*|\bimport\(\s*)["']([@\w][\w./@-]*)["']""")
_JS_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")
# Go: `import "path"`, `import alias "path"`, and each quoted path of an `import ( ... )` block.
_GO_IMPORT_BLOCK = re.compile(r"^import[ \t]*\(([^)]*)\)", re.M)
_GO_IMPORT = re.compile(r"^import[ \t]+(?:[\w.]+[ \t]+)?\"([^\"\n]+)\"", re.M)
_GO_QUOTED = re.compile(r"\"([^\"\n]+)\"")
# Rust: the crate a `use` path starts from, and `extern crate name`.
_RUST_USE = re.compile(
    r"^[ \t]*(?:pub(?:\([^)\n]*\))?[ \t]+)?(?:use[ \t]+(?:::)?|extern[ \t]+crate[ \t]+)([A-Za-z_]\w*)", re.M
)
_RUST_LOCAL = frozenset(("crate", "self", "super", "std", "core", "alloc"))
# Dependency manifests of the other ecosystems, by file name.
MANIFESTS = {"package.json": "js", "go.mod": "go", "Cargo.toml": "rust"}
_GO_REQUIRE = re.compile(r"^[ \t]*(?:require[ \t]+)?([\w.-]+\.[\w.-]+/[^\s]+)[ \t]+v\S+", re.M)
_CARGO_SECTION = re.compile(r"^\[([^\]]+)\]")
_CARGO_KEY = re.compile(r"^[ \t]*([A-Za-z0-9_-]+)[ \t]*=")
# Security-relevant code in a changed line: what brings the governance persona into an ML change.
# Matched in the added lines' code (a comment stripped); `eval(` only as a call of its own, not
# `model.eval()`. The last three are matched in lower case.
SECURITY = {
    "code execution": r"\b(?:exec|eval|__import__)\s*\(|\bsubprocess\.|\bos\.(?:system|popen|exec\w*)\b"
    r"|\bshell\s*=\s*True\b|\bchild_process\b|\bexec\.Command\b|\bCommand::new\b",
    "deserialization": r"\b(?:pickle|cloudpickle|dill|joblib|marshal|torch|shelve)\.(?:loads?|open)\s*\("
    r"|\bUnpickler\b|\btrust_remote_code\b|\btrustRemoteCode\b|\ballow_pickle\b|\bweights_only\b"
    r"|\byaml\.(?:unsafe_)?load\s*\(",
    "sandboxing": r"(?:sandbox|nativeenvironment|seccomp|chroot)",
    "credentials": r"\b(?:passw(?:or)?d|secret_key|client_secret|private_key|credentials?|keyring"
    r"|secretmanager|secretsmanager)\b",
    "auth": r"\b(?:authenticat\w*|authoriz\w*|oauth\w*|jwt|verify\s*=\s*false)\b",
}
_SECURITY = {name: re.compile(pattern) for name, pattern in SECURITY.items()}
_LOWER_CASE = frozenset(("sandboxing", "credentials", "auth"))
_JSON_KEY = re.compile(r'"([^"\n]+)"\s*:')
_JS_DEPENDENCY_KEYS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
_QUOTED = re.compile(r"""["']([^"'\n]{1,200})["']""")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:[<>=!~;@ ]|$)")


@dataclasses.dataclass(frozen=True)
class FileFacts:
    """Code signals of one post-change file: name -> True if it occurs on an added line."""

    path: str
    kind: FileKind
    imports: Mapping[str, bool]
    tokens: Mapping[str, bool]
    # Security-relevant content by kind (SECURITY), each with whether it is on an added line.
    security: Mapping[str, bool] = dataclasses.field(default_factory=dict)
    # URLs of generative models the code names (endpoints.MODEL_CLIENT_URL: `/v1/chat/completions`,
    # `api.anthropic.com`): a client of a model with no SDK imported.
    model_urls: Mapping[str, bool] = dataclasses.field(default_factory=dict)


def file_kind(path: str, tracked: Callable[[str], bool] | None = None) -> FileKind:
    """What kind of file `path` is, from its name. `tracked` (is this path in the repository?)
    tells a Helm chart's templates and values from other YAML: without it they are plain `yaml`."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    suffix = pure.suffix.lower()
    if suffix in (".py", ".pyi"):
        return "python"
    if suffix == ".ipynb":
        return "notebook"
    if tracked is not None and suffix in (".yml", ".yaml", ".tpl"):
        chart = helm_kind(pure, tracked)
        if chart is not None:
            return chart
    if suffix in (".yml", ".yaml"):
        return "conda" if name in ("environment.yml", "environment.yaml") else "yaml"
    if _BUILD_FILE.match(name) and not name.endswith(_NOT_BUILD_FILE):
        return "dockerfile"
    if suffix in _SOURCE_SUFFIXES and not name.endswith((".min.js", ".min.mjs", ".d.ts")):
        return _SOURCE_SUFFIXES[suffix]
    if (name.startswith(("requirements", "constraints")) and suffix in (".txt", ".in")) or (
        suffix in (".txt", ".in") and "requirements" in pure.parts[:-1]
    ):
        return "requirements"
    if name == "pyproject.toml":
        return "pyproject"
    if name == ".env" or name.startswith(".env."):
        return "env"
    return "other"


def helm_kind(path: PurePosixPath, tracked: Callable[[str], bool]) -> FileKind | None:
    """`helm` for a chart's `Chart.yaml` and the files under its `templates/`, `helm-values` for its
    `values*.yaml`; None when no tracked `Chart.yaml` makes the directory a chart."""
    parts = path.parts
    if path.name == "Chart.yaml":
        return "helm"
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "templates" and tracked("/".join((*parts[:index], "Chart.yaml"))):
            return "helm"
    values = path.name.lower().startswith("values") and path.suffix.lower() in (".yaml", ".yml")
    if values and tracked("/".join((*parts[:-1], "Chart.yaml"))):
        return "helm-values"
    return None


def worth_reading(path: str) -> bool:
    """Cheap filter before any content is read: prose, media and lock files carry no code signal."""
    if is_lock_file(path):
        return False
    name = path.lower()
    return file_kind(path) != "other" or not any(name.endswith(s) for s in _SKIP_SUFFIXES)


def facts(path: str, text: str, added: frozenset[int]) -> FileFacts:
    kind = file_kind(path)
    if kind == "python":
        imports = _python_imports(text, added)
        if path.rsplit("/", 1)[-1] == "setup.py":
            imports |= _setup_requirements(text, added)
        return FileFacts(
            path,
            kind,
            imports,
            _python_tokens(text, added),
            _security(text, added, "#"),
            _model_urls(text, added),
        )
    if kind == "notebook":
        code, lines = notebook_code(text)
        mapped = frozenset(i + 1 for i, line in enumerate(lines) if line in added)
        return FileFacts(
            path,
            kind,
            _python_imports(code, mapped),
            _python_tokens(code, mapped),
            model_urls=_model_urls(code, mapped),
        )
    if kind in ("requirements", "pyproject", "conda"):
        return FileFacts(path, kind, _requirement_names(text, added, kind), _text_tokens(text, added))
    imports = _source_imports(path, kind, text, added)
    source = kind in ("javascript", "typescript", "go", "rust")
    security = _security(text, added, "//") if source else {}
    urls = _model_urls(text, added) if source else {}
    return FileFacts(path, kind, imports, _text_tokens(text, added), security, urls)


def _model_urls(text: str, added: frozenset[int]) -> dict[str, bool]:
    """The model URLs (endpoints.MODEL_CLIENT_URL) the code names, each with whether an added line
    names it."""
    found: dict[str, bool] = {}
    if not endpoints.MODEL_CLIENT_URL.search(text):
        return found
    index = _LineIndex(text)
    for match in endpoints.MODEL_CLIENT_URL.finditer(text):
        url = match.group(0)
        found[url] = found.get(url, False) or index.line(match.start()) in added
    return found


def _security(text: str, added: frozenset[int], comment: str) -> dict[str, bool]:
    """Kinds of security-relevant code on the added lines (SECURITY)."""
    lines = text.split("\n")
    code = "\n".join(lines[n - 1].split(comment, 1)[0] for n in sorted(added) if 0 < n <= len(lines))
    lower = code.lower()
    found: dict[str, bool] = {}
    for name, pattern in _SECURITY.items():
        searched = lower if name in _LOWER_CASE else code
        matches = pattern.finditer(searched)
        if any(name != "code execution" or searched[m.start() - 1 : m.start()] != "." for m in matches):
            found[name] = True
    return found


def ecosystem(path: str, kind: FileKind) -> str:
    """Which package ecosystem a file's imports and dependencies name (repo/catalog.py)."""
    manifest = MANIFESTS.get(path.rsplit("/", 1)[-1])
    if manifest is not None:
        return manifest
    if kind in ("javascript", "typescript"):
        return "js"
    if kind in ("go", "rust"):
        return kind
    return "python"


def dependency_manifest(path: str, kind: FileKind) -> bool:
    """A file that declares dependencies (requirements, pyproject, conda, setup.py, package.json,
    go.mod, Cargo.toml): its names are choices of packages, not code using them."""
    name = path.rsplit("/", 1)[-1]
    return kind in ("requirements", "pyproject", "conda") or name == "setup.py" or name in MANIFESTS


def _source_imports(path: str, kind: FileKind, text: str, added: frozenset[int]) -> dict[str, bool]:
    name = path.rsplit("/", 1)[-1]
    if name == "package.json":
        return _package_json(text, added)
    if name == "go.mod":
        return _line_names(_GO_REQUIRE, text, added)
    if name == "Cargo.toml":
        return _cargo_dependencies(text, added)
    if kind in ("javascript", "typescript") or path.lower().endswith(_JS_SUFFIXES):
        return _js_imports(text, added)
    if kind == "go":
        return _go_imports(text, added)
    if kind == "rust":
        return {k: v for k, v in _line_names(_RUST_USE, text, added).items() if k not in _RUST_LOCAL}
    return {}


def notebook_code(text: str) -> tuple[str, list[int]]:
    """The code cells of a notebook as one Python text, and the JSON line each code line came from
    (0 for a line that cannot be mapped: never changed). Magics and shell lines become blank."""
    code: list[str] = []
    origin: list[int] = []
    for cell in notebook_cells(text):
        for number, line in cell:
            code.append(line if not line.lstrip().startswith(("%", "!")) else "")
            origin.append(number)
    return "\n".join(code) + "\n", origin


def notebook_cells(text: str) -> list[list[tuple[int, str]]]:
    """Each code cell of a notebook as (JSON line number, code line) pairs.

    Notebooks are stored with one source line per JSON line, so a diff's line numbers map back to
    code lines. A line that cannot be mapped has number 0.
    """
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands of levels deep
        return []
    json_lines = text.split("\n")
    cells_out: list[list[tuple[int, str]]] = []
    cursor = 0
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", [])
        # nbformat: a string or a list of strings; anything else (a generator's `null`) is no code.
        if isinstance(source, str):
            parts: list[object] = list(source.splitlines(keepends=True))
        else:
            parts = list(source) if isinstance(source, list) else []
        rows: list[tuple[int, str]] = []
        for part in parts:
            if not isinstance(part, str):
                continue
            encoded = json.dumps(part)
            found = 0
            for index in range(cursor, len(json_lines)):
                if encoded in json_lines[index]:
                    found, cursor = index + 1, index + 1
                    break
            rows.append((found, part.rstrip("\n")))
        cells_out.append(rows)
    return cells_out


class _LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def _python_imports(text: str, added: frozenset[int]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    index = _LineIndex(text)
    for match in _PY_IMPORT.finditer(text):
        on_added = index.line(match.start()) in added
        if match.group("from") is not None:
            package = match.group("from")
            names = [part.split()[0] for part in match.group("what").strip("()").split(",") if part.split()]
            # `from google import genai` imports google.genai; `from .conversation import prompts`
            # keeps its leading dot, so only suffix patterns (`*.prompts`) can match it.
            modules = [] if package.startswith(".") else [package]
            modules += [
                f"{package.rstrip('.')}.{name}" if package.strip(".") else f".{name}" for name in names
            ]
        else:
            modules = [part.split()[0] for part in match.group("names").split(",") if part.split()]
        for module in modules:
            found[module] = found.get(module, False) or on_added
    return found


def _python_tokens(text: str, added: frozenset[int]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    index = _LineIndex(text)
    for match in _PY_SCAN.finditer(text):
        chain = match.group("n")
        if chain is None:
            continue
        on_added = index.line(match.start()) in added
        parts = [p.strip() for p in chain.split(".")]
        for start in range(len(parts)):
            for end in range(start + 1, min(len(parts), start + 4) + 1):
                token = ".".join(parts[start:end])
                found[token] = found.get(token, False) or on_added
    return found


def _text_tokens(text: str, added: frozenset[int]) -> dict[str, bool]:
    """Words of non-Python files, with their parts: `vllm/vllm-openai` also yields `vllm`."""
    found: dict[str, bool] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        on_added = number in added
        for match in _TEXT_TOKEN.finditer(code):
            token = match.group(0)
            for part in {token, *re.split(r"[/:]", token)}:
                if part:
                    found[part] = found.get(part, False) or on_added
    return found


def _js_imports(text: str, added: frozenset[int]) -> dict[str, bool]:
    """Packages a JavaScript/TypeScript file imports (`import x from "openai"`, `require("...")`)."""
    found: dict[str, bool] = {}
    index = _LineIndex(text)
    for match in _JS_IMPORT.finditer(text):
        module = match.group(1)
        if module.startswith("."):
            continue
        found[module] = found.get(module, False) or index.line(match.start()) in added
    return found


def _line_names(pattern: re.Pattern[str], text: str, added: frozenset[int]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    index = _LineIndex(text)
    for match in pattern.finditer(text):
        name = match.group(1)
        found[name] = found.get(name, False) or index.line(match.start(1)) in added
    return found


def _go_imports(text: str, added: frozenset[int]) -> dict[str, bool]:
    """Packages a Go file imports: single `import` lines and `import ( ... )` blocks."""
    found = _line_names(_GO_IMPORT, text, added)
    index = _LineIndex(text)
    for block in _GO_IMPORT_BLOCK.finditer(text):
        for match in _GO_QUOTED.finditer(block.group(1)):
            on_added = index.line(block.start(1) + match.start()) in added
            found[match.group(1)] = found.get(match.group(1), False) or on_added
    return found


def _package_json(text: str, added: frozenset[int]) -> dict[str, bool]:
    """The dependencies a package.json declares, each with whether its line was added."""
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(manifest, dict):
        return {}
    declared = {
        name
        for key in _JS_DEPENDENCY_KEYS
        if isinstance(manifest.get(key), dict)
        for name in manifest[key]
        if isinstance(name, str)
    }
    found: dict[str, bool] = {name: False for name in declared}
    lines = text.split("\n")
    for number in added:
        for key in _JSON_KEY.findall(lines[number - 1] if 0 < number <= len(lines) else ""):
            if key in declared:
                found[key] = True
    return found


def _cargo_dependencies(text: str, added: frozenset[int]) -> dict[str, bool]:
    """Crates a Cargo.toml depends on: keys of `[*dependencies]` tables, `[dependencies.name]`."""
    found: dict[str, bool] = {}
    section = ""
    for number, line in enumerate(text.split("\n"), start=1):
        header = _CARGO_SECTION.match(line.strip())
        name = None
        if header is not None:
            section = header.group(1).strip()
            head, _, tail = section.rpartition(".")
            if head.endswith("dependencies"):
                name = tail.strip("\"'")
        elif section.endswith("dependencies"):
            key = _CARGO_KEY.match(line)
            name = key.group(1) if key else None
        if name:
            found[name] = found.get(name, False) or number in added
    return found


def _setup_requirements(text: str, added: frozenset[int]) -> dict[str, bool]:
    """setup.py declares dependencies as string literals: `"torch>=2.1"`."""
    found: dict[str, bool] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        for literal in _QUOTED.findall(line):
            match = _REQUIREMENT.match(literal)
            if match and any(op in literal for op in "<>=~"):
                name = match.group(1).lower().replace("-", "_")
                found[name] = found.get(name, False) or number in added
    return found


def _requirement_names(text: str, added: frozenset[int], kind: FileKind) -> dict[str, bool]:
    """Dependency names as import-like names: requirement lines, quoted pyproject entries, conda items."""
    found: dict[str, bool] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        entry = _dependency_entry(line.strip(), kind)
        match = _REQUIREMENT.match(entry) if entry else None
        if match:
            name = match.group(1).lower().replace("-", "_")
            found[name] = found.get(name, False) or number in added
    return found


def _dependency_entry(line: str, kind: FileKind) -> str | None:
    if kind == "requirements":
        return None if line.startswith(("#", "-")) else line
    if kind == "pyproject":
        return line.strip("\"',") if line.startswith(('"', "'")) else None
    return line[2:].strip() if line.startswith("- ") else None
