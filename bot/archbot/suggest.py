"""One-click fixes: the corrected line for a finding whose fix is mechanical, for a GitHub
```suggestion``` block. A suggestion replaces the reported line, so it must be correct code for
that line or absent: the line must be a whole Python statement (it parses on its own), the rewrite
must parse too, and whatever a rewrite needs (an `import asyncio`, an `import os`) must already be
imported by the file. A line that holds a secret gets no suggestion: it would be posted back.

Deliberately absent: values only the author knows (`revision=` needs the commit they tested, an
image needs its digest, `max_tokens` the answer's expected size).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence

from archbot import secrets

# What a fix sets, chosen to be bounded and safe to apply as is; the author can edit the value.
HTTP_TIMEOUT = "30"
LLM_TIMEOUT = "60.0"
LLM_RETRIES = "2"
_HTTP_MODULES = frozenset(("requests", "httpx"))
_HTTP_VERBS = frozenset(("get", "post", "put", "patch", "delete", "head", "options", "request"))
# LLM client classes that take `timeout=` (seconds) and `max_retries=`, and the environment
# variable their SDK reads the key from.
LLM_CLIENTS = {
    "OpenAI": "OPENAI_API_KEY",
    "AsyncOpenAI": "OPENAI_API_KEY",
    "AzureOpenAI": "AZURE_OPENAI_API_KEY",
    "AsyncAzureOpenAI": "AZURE_OPENAI_API_KEY",
    "Anthropic": "ANTHROPIC_API_KEY",
    "AsyncAnthropic": "ANTHROPIC_API_KEY",
}
_KEY_VARIABLES = {
    "openai-api-key": "OPENAI_API_KEY",
    "anthropic-api-key": "ANTHROPIC_API_KEY",
    "huggingface-access-token": "HF_TOKEN",
    "google-api-key": "GOOGLE_API_KEY",
}

Edit = tuple[int, int, str]  # byte offsets in the statement, replacement text
Fixer = Callable[[ast.Module, Sequence[str]], list[Edit]]


def _callee(call: ast.Call) -> tuple[str | None, str]:
    """(`module` of `module.name(...)` or None, `name`)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    if isinstance(func, ast.Name):
        return None, func.id
    return None, ""


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _add_keyword(call: ast.Call, text: str) -> Edit:
    """Insert `text` as the call's last argument (before the closing parenthesis)."""
    assert call.end_col_offset is not None
    close = call.end_col_offset - 1
    has_arguments = bool(call.args or call.keywords)
    return close, close, f", {text}" if has_arguments else text


def _replace(node: ast.expr, text: str) -> Edit:
    assert node.end_col_offset is not None
    return node.col_offset, node.end_col_offset, text


def _imports(lines: Sequence[str], module: str) -> bool:
    return any(re.match(rf"import\s+{module}\s*(?:#.*)?$", line) for line in lines)


def _http_timeout(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    return [
        _add_keyword(call, f"timeout={HTTP_TIMEOUT}")
        for call in _calls(tree)
        if _callee(call)[0] in _HTTP_MODULES
        and _callee(call)[1] in _HTTP_VERBS
        and _keyword(call, "timeout") is None
        and not any(k.arg is None for k in call.keywords)
    ]


def _llm_timeout(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    return [
        _add_keyword(call, f"timeout={LLM_TIMEOUT}")
        for call in _calls(tree)
        if _callee(call)[1] in LLM_CLIENTS
        and _keyword(call, "timeout") is None
        and not any(k.arg is None for k in call.keywords)
    ]


def _timeout_enabled(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    edits = []
    for call in _calls(tree):
        for name in ("timeout", "request_timeout"):
            found = _keyword(call, name)
            if found is not None and isinstance(found.value, ast.Constant) and found.value.value is None:
                edits.append(_replace(found.value, LLM_TIMEOUT))
    return edits


def _retries_enabled(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    edits = []
    for call in _calls(tree):
        found = _keyword(call, "max_retries")
        if found is not None and isinstance(found.value, ast.Constant) and found.value.value == 0:
            edits.append(_replace(found.value, LLM_RETRIES))
    return edits


def _weights_only(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    edits = []
    for call in _calls(tree):
        if _callee(call) != ("torch", "load") or any(k.arg is None for k in call.keywords):
            continue
        found = _keyword(call, "weights_only")
        if found is None:
            edits.append(_add_keyword(call, "weights_only=True"))
        elif isinstance(found.value, ast.Constant) and found.value.value is False:
            edits.append(_replace(found.value, "True"))
    return edits


def _async_sleep(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    (statement,) = tree.body
    if not _imports(lines, "asyncio") or not isinstance(statement, ast.Expr):
        return []
    call = statement.value
    if not isinstance(call, ast.Call) or _callee(call) != ("time", "sleep"):
        return []
    assert isinstance(call.func, ast.Attribute)
    return [(call.col_offset, call.func.end_col_offset or 0, "await asyncio.sleep")]


def _key_from_environment(tree: ast.Module, lines: Sequence[str]) -> list[Edit]:
    if not _imports(lines, "os"):
        return []
    edits = []
    for call in _calls(tree):
        found = _keyword(call, "api_key") or _keyword(call, "token")
        if (
            found is None
            or not isinstance(found.value, ast.Constant)
            or not isinstance(found.value.value, str)
        ):
            continue
        key = secrets.provider_key(found.value.value)
        variable = LLM_CLIENTS.get(_callee(call)[1]) or (_KEY_VARIABLES.get(key[0]) if key else None)
        if variable is not None:
            edits.append(_replace(found.value, f'os.environ["{variable}"]'))
    return edits


FIXERS: dict[str, Fixer] = {
    "http-call-no-timeout": _http_timeout,
    "llm-client-no-timeout": _llm_timeout,
    "llm-timeout-disabled": _timeout_enabled,
    "llm-retries-disabled": _retries_enabled,
    "unsafe-model-deserialization": _weights_only,
    "blocking-sleep-in-async": _async_sleep,
    "hardcoded-llm-api-key": _key_from_environment,
}


def suggestion(rule: str, line: str, file_lines: Sequence[str] = ()) -> str | None:
    """The corrected `line` for a finding of `rule`, or None when there is no safe one-line fix."""
    fixer = FIXERS.get(rule)
    if fixer is None or "\n" in line or "<!--" in line:
        return None
    indent = line[: len(line) - len(line.lstrip())]
    statement = line[len(indent) :].rstrip()
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return None  # a part of a longer statement: no one-line fix
    if len(tree.body) != 1:
        return None
    edits = fixer(tree, file_lines)
    if not edits:
        return None
    data = statement.encode()
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode() + data[end:]
    fixed = data.decode()
    try:
        ast.parse(fixed)
    except SyntaxError:
        return None
    if fixed == statement or secrets.redact(fixed)[1]:
        return None
    return indent + fixed
