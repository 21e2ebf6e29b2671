"""Generation calls without bounds on what they produce."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import call_receiver, has_splat, imports_any, kwarg, llm_client_kind
from archbot.rules.source import PythonFile

RULES = Family()

_OUTPUT_CAPS = ("max_tokens", "max_completion_tokens")


def _bound_later(src: PythonFile, ctor: ast.Call) -> bool:
    """`llm = ChatOpenAI(...)` followed by `llm.bind(max_tokens=...)` anywhere in the file."""
    for call in src.nodes.calls:
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr == "bind"
            and kwarg(call, *_OUTPUT_CAPS) is not None
        ):
            built = src.names.constructor(call.func.value)
            if built is not None and built[1] is ctor:
                return True
            if call.func.value is ctor:
                return True
    return False


def _config_lacks_cap(config: ast.expr | None) -> bool:
    """google-genai `config=`: missing, or a literal dict / GenerateContentConfig(...) without the cap."""
    if config is None:
        return True
    if isinstance(config, ast.Dict):
        keys = {k.value for k in config.keys if isinstance(k, ast.Constant)}
        return "max_output_tokens" not in keys and None not in config.keys
    if isinstance(config, ast.Call):
        return kwarg(config, "max_output_tokens") is None and not has_splat(config)
    return False


def _missing_cap(src: PythonFile, call: ast.Call) -> str | None:
    names = src.names
    name = names.call_name(call)
    if name in ("litellm.completion", "litellm.acompletion"):
        return None if kwarg(call, *_OUTPUT_CAPS) else f"`{name}` without `max_tokens`."
    kind = llm_client_kind(name)
    if kind == "langchain":
        class_name = (name or "").rsplit(".", 1)[-1]
        if class_name in ("ChatOpenAI", "AzureChatOpenAI") and kwarg(call, *_OUTPUT_CAPS) is None:
            return None if _bound_later(src, call) else f"`{class_name}(...)` without `max_tokens`."
        return None
    receiver, chain = call_receiver(call)
    built = names.constructor(receiver)
    client = llm_client_kind(built[0]) if built else None
    if name is not None and name.startswith("openai."):
        client, chain = "openai", name.split(".")[1:]
    method = ".".join(chain)
    if client is None and built is None and imports_any(names, "openai"):
        client = "openai"  # an OpenAI client passed in or built elsewhere
    if client == "openai":
        if method in (
            "chat.completions.create",
            "chat.completions.parse",
            "beta.chat.completions.parse",
        ):
            return None if kwarg(call, *_OUTPUT_CAPS) else f"`.{method}()` without `max_tokens`."
        if method == "responses.create":
            return (
                None
                if kwarg(call, "max_output_tokens")
                else "`.responses.create()` without `max_output_tokens`."
            )
    if client == "google-genai" and chain[-1:] == ["generate_content"]:
        config = kwarg(call, "config")
        if _config_lacks_cap(config.value if config is not None else None):
            return "`generate_content` without `max_output_tokens` in `config`."
        return None
    if client == "cohere" and method == "chat":
        return None if kwarg(call, "max_tokens") else "cohere `.chat()` without `max_tokens`."
    return None


@RULES.rule(
    "llm-no-max-tokens",
    title="Generation call without an output-token cap",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    subject="call",
)
def llm_no_max_tokens(src: PythonFile) -> Iterator[Hit]:
    """An LLM generation call (or chat model) with no limit on output tokens.

    Why:
        Without a cap the model may generate up to its context limit: a looping or verbose answer
        costs many times the expected price and holds the request for tens of seconds
        (unbounded consumption, OWASP LLM10). Anthropic requires `max_tokens`, so it is never
        flagged.
    Fix:
        Pass `max_tokens` / `max_completion_tokens` (chat completions, litellm, LangChain),
        `max_output_tokens` (Responses API, google-genai `config`) sized to the expected answer.
    Bad:
        client.chat.completions.create(model=MODEL, messages=messages)
    Good:
        client.chat.completions.create(model=MODEL, messages=messages, max_completion_tokens=800)
    """
    for call in src.changed_calls():
        if has_splat(call):
            continue
        detail = _missing_cap(src, call)
        line = src.changed_line(call)
        if detail is not None and line is not None:
            yield Hit(line, detail)
