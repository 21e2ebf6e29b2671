"""Which model runs: ids hard-coded at call sites, and floating aliases that change under you."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import called_name, is_test_module, llm_call, llm_client_kind, string_value
from archbot.rules.source import PythonFile, SourceFile

RULES = Family()

_MODEL_KWARGS = ("model", "model_name", "azure_deployment", "deployment_name")
_TEST_DIRS = frozenset(["tests", "test"])


def _parts(src: SourceFile) -> tuple[tuple[str, ...], str]:
    path = PurePosixPath(src.path)
    return tuple(p.lower() for p in path.parts[:-1]), path.name.lower()


def is_test_file(src: SourceFile) -> bool:
    dirs, _ = _parts(src)
    return bool(_TEST_DIRS & set(dirs)) or is_test_module(src.path)


def _notebook_or_example(src: SourceFile) -> bool:
    dirs, _ = _parts(src)
    return src.kind == "notebook" or "notebooks" in dirs or "examples" in dirs


def _constructs_llm(qualname: str | None) -> bool:
    if llm_client_kind(qualname) is not None:
        return True
    name = qualname or ""
    return name.startswith("langchain") and name.endswith("Embeddings")


@RULES.rule(
    "llm-model-hardcoded",
    title="Model id hard-coded at a call site",
    severity=Severity.LOW,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_model_hardcoded(src: PythonFile) -> Iterator[Hit]:
    """A string literal passed as `model=` / `model_name=` / `azure_deployment=` /
    `deployment_name=` to an LLM call or client constructor inside a function body. Tests,
    `conftest.py`, `*settings*.py`, `*config*.py`, notebooks and `examples/` are skipped;
    module-level constants and settings lookups are the fix, not a finding.

    Why:
        Model swaps, rollbacks, A/B tests and provider fallbacks then need a code change in
        every call site instead of one setting, and the model in production is not visible
        in configuration (configuration debt).
    Fix:
        Read the model id from settings or a module-level constant and pass that name.
    Bad:
        def summarize(text: str) -> str:
            resp = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[...])
    Good:
        SUMMARY_MODEL = os.environ.get("SUMMARY_MODEL", "gpt-4o-mini-2024-07-18")

        def summarize(text: str) -> str:
            resp = client.chat.completions.create(model=SUMMARY_MODEL, messages=[...])
    """
    _, name = _parts(src)
    if is_test_file(src) or _notebook_or_example(src) or "settings" in name or "config" in name:
        return
    names, tree = src.names, src.nodes
    for call in src.changed_calls():
        literals = [k for k in call.keywords if k.arg in _MODEL_KWARGS and string_value(k.value)]
        if not literals or tree.function(call) is None:
            continue
        site = llm_call(names, call)
        if (site is None or site.provider == "local") and not _constructs_llm(names.call_name(call)):
            continue
        for keyword in literals:
            line = src.changed_line(keyword.value)
            if line is not None:
                yield Hit(line, f"`{keyword.arg}={string_value(keyword.value)!r}` is fixed in code.")


_DATED = re.compile(r"[-@]\d{4}-\d{2}-\d{2}\b|[-@]\d{8}\b|-\d{4}$")
_OPENAI = re.compile(r"^(gpt-|o\d|chatgpt-)")
_MODEL_NAME = re.compile(r"(?i)model")
# Open-weight families named like hosted aliases: their weights are fixed by the name.
_OPEN_WEIGHTS = ("gpt-oss-",)
# A name under these words is an Azure deployment's, the team's label for a deployment that pins
# its model version in Azure, not a model id.
_DEPLOYMENT_NAME = re.compile(r"(?i)deployment")
# Keyword arguments that document a value rather than set it (pydantic `Field`, argparse, click,
# JSON-schema extras): a model id shown there as an example configures nothing.
_DOCUMENTING_KWARGS = frozenset(("examples", "example", "description", "help", "json_schema_extra"))


def _documenting(src: PythonFile) -> set[int]:
    """The ids of every node inside a documenting keyword argument of a call."""
    return {
        id(node)
        for call in src.nodes.calls
        for keyword in call.keywords
        if keyword.arg in _DOCUMENTING_KWARGS
        for node in ast.walk(keyword.value)
    }


def floating_alias(model: str) -> bool:
    """`gpt-4o`, `o3-mini`, `claude-sonnet-4-5`, any `*-latest`: a name that moves to new snapshots.
    Legacy OpenAI `-MMDD` snapshots (`gpt-4-0613`) count as pinned."""
    name = model.rsplit("/", 1)[-1].lower()
    if name.endswith("-latest"):
        return True
    if name.startswith(_OPEN_WEIGHTS):
        return False
    if _OPENAI.match(name) or name.startswith("claude-"):
        return not _DATED.search(name)
    return False


# The node types `_model_literals` reads (a screen: most nodes of a file are none of these).
_MODEL_HOLDERS = (ast.Call, ast.Dict, ast.Assign, ast.AnnAssign, ast.arguments)


def _model_literals(node: ast.AST) -> Iterator[ast.expr]:
    """String values this node gives to something named like a model."""
    if isinstance(node, ast.Call):
        yield from (k.value for k in node.keywords if k.arg in _MODEL_KWARGS)
        if called_name(node) == "init_chat_model" and node.args:
            yield node.args[0]
    elif isinstance(node, ast.Dict):
        yield from (v for k, v in zip(node.keys, node.values, strict=True) if string_value(k) == "model")
    elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            label = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if _MODEL_NAME.search(label) and not _DEPLOYMENT_NAME.search(label):
                yield node.value
    elif isinstance(node, ast.arguments):
        positional = [*node.posonlyargs, *node.args]
        pairs = [*zip(positional[len(positional) - len(node.defaults) :], node.defaults, strict=True)]
        pairs += [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d is not None]
        yield from (default for arg, default in pairs if _MODEL_NAME.search(arg.arg))


@RULES.rule(
    "llm-model-alias-unpinned",
    title="Floating model alias instead of a dated snapshot",
    severity=Severity.LOW,
    persona="ml-system-architect",
    kinds=("python", "notebook"),
)
def llm_model_alias_unpinned(src: PythonFile) -> Iterator[Hit]:
    """A model id that is a floating alias — OpenAI `gpt-*` / `o<digit>*` without a `-YYYY-MM-DD`
    suffix, Anthropic `claude-*` without an 8-digit date, any `*-latest` — given as `model=`,
    a `"model"` key, `init_chat_model(...)`, or a constant or default named like a model, in
    pipeline, eval or serving code (tests, notebooks and `examples/` are skipped). Hub repo ids
    are `hf-unpinned-revision`'s.

    Calibration: a value inside a documenting argument (`examples=`, `description=`, `help=`,
    `json_schema_extra=`: a schema's example config) is documentation, not a model in use. Open
    weights named like an alias (`gpt-oss-120b`) are fixed by their name, and a constant named for
    a deployment (`MODEL_DEPLOYMENT`) holds an Azure deployment's name, not a model id.

    Why:
        The provider moves an alias to new snapshots without notice: outputs, formats, refusals
        and costs change under the same code, evals stop being comparable, and a regression
        cannot be tied to a deploy.
    Fix:
        Pin the dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) and move to a
        new one deliberately, after re-running the evals.
    Bad:
        MODEL = "gpt-4o"
    Good:
        MODEL = "gpt-4o-2024-08-06"
    """
    if is_test_file(src) or _notebook_or_example(src):
        return
    reported: set[int] = set()
    documenting: set[int] | None = None  # computed for the first alias found: most files have none
    holders = (n for n in src.nodes.walked if isinstance(n, _MODEL_HOLDERS))
    for node in holders:
        for value in _model_literals(node):
            model = string_value(value)
            line = src.changed_line(value)
            if not (model and line is not None and line not in reported and floating_alias(model)):
                continue
            documenting = _documenting(src) if documenting is None else documenting
            if id(value) not in documenting:
                reported.add(line)
                yield Hit(line, f"`{model}` is a floating alias.")
