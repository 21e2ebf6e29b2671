"""Where model input and output flow: parsed without validation, logged, executed, or mixed into
the system prompt. Data flow is intra-procedural def-use only (RULES.md §4.1)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping

from archbot.models import Severity
from archbot.repo.resolve import Names, Tree
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    LLMFlow,
    argument,
    assigned_values,
    attribute_chain,
    call_receiver,
    called_name,
    derived_names,
    imports_any,
    is_route_handler,
    is_serving_module,
    is_true,
    kwarg,
    literal_text,
    llm_call,
    shaped_output,
    string_value,
)
from archbot.rules.source import PythonFile

RULES = Family()

_JSON_ERRORS = frozenset(
    [
        "json.JSONDecodeError",
        "json.decoder.JSONDecodeError",
        "ValueError",
        "Exception",
        "BaseException",
    ]
)
_VALIDATORS = frozenset(["model_validate", "parse_obj", "validate_python", "validate"])
_STRUCTURED_KWARGS = ("response_format", "text_format")


def _builtin(names: Names, call: ast.Call, *functions: str) -> str | None:
    """The builtin `call` invokes (`eval`, `print`, ...) unless the module or function binds the
    name itself (a def, an import, an assignment, a parameter)."""
    return names.tree.builtin(call.func, *functions)


def _handler_names(names: Names, handler: ast.ExceptHandler) -> list[str]:
    if handler.type is None:
        return ["BaseException"]
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    found = []
    for node in types:
        name = names.qualname(node) or (node.id if isinstance(node, ast.Name) else "")
        found.append(name)
    return found


def _caught(names: Names, tree: Tree, node: ast.AST, errors: frozenset[str]) -> bool:
    """`node` sits in the body of a `try` (in its function) with a handler for one of `errors`."""
    child = node
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if (
            isinstance(ancestor, ast.Try)
            and child in ancestor.body
            and any(set(_handler_names(names, h)) & errors for h in ancestor.handlers)
        ):
            return True
        child = ancestor
    return False


def _caught_by_callers(src: PythonFile, node: ast.AST) -> bool:
    """`node`'s function is called in the repository, and every call sits in a `try` with a
    handler for a JSON error (a bounded search: an unfinished one proves nothing)."""
    function = src.nodes.function(node)
    if function is None or src.repo is None:
        return False
    callers = src.repo.callers(function.name, limit=8)
    if not callers.complete or not callers.sites:
        return False
    for site in callers.sites:
        names = src.names if site.module.path == src.path else Names.of(src.repo, site.module)
        if not _caught(names, names.tree, site.call, _JSON_ERRORS):
            return False
    return True


def _validated(names: Names, tree: Tree, flow: LLMFlow, nodes: list[ast.AST], loads: ast.Call) -> bool:
    """The parsed value (or a name derived from it) goes to pydantic / jsonschema validation."""

    def reads_parsed(expr: ast.expr) -> tuple[frozenset[ast.AST], frozenset[str]]:
        nodes = list(ast.walk(expr))
        sources = frozenset([loads]) if any(n is loads for n in nodes) else frozenset()
        return sources, frozenset(n.id for n in nodes if isinstance(n, ast.Name))

    parsed = derived_names(flow.pairs, reads_parsed)
    if isinstance(tree.parents.get(loads), ast.Call):
        consumer = tree.parents[loads]
        assert isinstance(consumer, ast.Call)
        if _is_validator(names, consumer):
            return True
    for node in nodes:
        if isinstance(node, ast.Call) and _is_validator(names, node):
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(a, ast.Name) and a.id in parsed for a in arguments):
                return True
    return False


def _is_validator(names: Names, call: ast.Call) -> bool:
    if names.call_name(call) in ("jsonschema.validate", "jsonschema.validators.validate"):
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in _VALIDATORS


def _tool_arguments(text: ast.expr) -> bool:
    """A tool call's arguments (`call.function.arguments`, `tool_call["arguments"]`): the SDK has the
    model fill the declared function's schema, its own structured output."""
    if isinstance(text, ast.Attribute):
        return text.attr == "arguments"
    return isinstance(text, ast.Subscript) and string_value(text.slice) == "arguments"


def _structured(names: Names, flow: LLMFlow, calls: frozenset[ast.AST]) -> bool:
    """The producing call already asks for structured output (`response_format`, `.parse`, the
    Responses API's `text={"format": {"type": "json_schema", ...}}`), written at the call or
    carried by a `**` splat the code shows (`kwargs["response_format"] = {...}`)."""
    for call in calls:
        if not isinstance(call, ast.Call):
            continue
        site = flow.calls[call]
        keywords = names.keywords(call)
        if site.method.endswith("parse") or keywords.get(*_STRUCTURED_KWARGS) is not None:
            return True
        text = keywords.get("text")
        if text is not None and _json_format(text):
            return True
    return False


# The output formats of the Responses API's `text={"format": {"type": ...}}` that are JSON.
_JSON_FORMATS = frozenset(["json_schema", "json_object"])


def _json_format(text: ast.expr) -> bool:
    """`text=` asks for JSON: its `format` is a JSON type, or a value the code does not show."""
    if not isinstance(text, ast.Dict):
        return False
    for key, value in zip(text.keys, text.values, strict=True):
        if string_value(key) != "format":
            continue
        if not isinstance(value, ast.Dict):
            return True
        kind = next(
            (v for k, v in zip(value.keys, value.values, strict=True) if string_value(k) == "type"), None
        )
        written = string_value(kind)
        return written is None or written in _JSON_FORMATS
    return False


@RULES.rule(
    "llm-output-json-unvalidated",
    title="Model output parsed as JSON without validation or structured output",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_output_json_unvalidated(src: PythonFile) -> Iterator[Hit]:
    """`json.loads` on model output with no error handling, no schema validation and no
    structured-output request on the call that produced it. A tool call's arguments are the SDK's
    structured output (the model fills the declared function's schema): not reported. Error
    handling may sit one call up: a function every caller in the repository calls inside a `try`
    that catches the parse error (a retry loop around a summarizer) has its bad output handled.

    Why:
        Models return malformed or off-schema JSON often enough to matter: a missing brace,
        prose around the object, a renamed key. Unchecked, that crashes the handler with a 500 or
        passes bad data downstream (improper output handling, OWASP LLM05).
    Fix:
        Ask for structured output (`response_format=`/`text_format=`, `.parse(...)`,
        LangChain `with_structured_output`), or validate: `Model.model_validate_json(text)` /
        `model_validate(json.loads(text))` inside `try ... except ValidationError`.
    Bad:
        data = json.loads(resp.choices[0].message.content)
        return data["label"]
    Good:
        verdict = Verdict.model_validate_json(resp.choices[0].message.content)
        return verdict.label
    """
    names, tree = src.names, src.nodes
    for scope, nodes in src.nodes.scopes.items():
        flow = src.flows[scope]
        if not flow.calls:
            continue
        for node in nodes:
            if not isinstance(node, ast.Call) or names.call_name(node) != "json.loads":
                continue
            text = argument(node, 0, "s")
            line = src.changed_line(node)
            if text is None or line is None:
                continue
            origins = flow.origins(text)
            if (
                not origins
                or _tool_arguments(text)
                or _structured(names, flow, origins)
                or _caught(names, tree, node, _JSON_ERRORS)
                or _validated(names, tree, flow, nodes, node)
                or _caught_by_callers(src, node)
            ):
                continue
            yield Hit(line, "`json.loads` on model output, with no `try`, validation or structured output.")


_LOG_METHODS = frozenset(["debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg"])
_LOGGER_FACTORIES = frozenset(
    ["logging.getLogger", "structlog.get_logger", "structlog.getLogger", "loguru.logger"]
)
_LOGGER_NAMES = frozenset(["logger", "log", "_logger", "_log", "LOGGER", "LOG", "logging"])
_PROMPT_KWARGS = ("messages", "prompt", "input", "contents")
_METADATA = frozenset(
    ["usage", "id", "model", "created", "finish_reason", "stop_reason", "status", "mime_type"]
)


def _is_log_call(names: Names, call: ast.Call) -> bool:
    if _builtin(names, call, "print"):
        return True
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in _LOG_METHODS:
        return False
    name = names.call_name(call)
    if name is not None and name.startswith(("logging.", "structlog.", "loguru.")):
        return True
    receiver = call.func.value
    built = names.constructor(receiver)
    if built is not None and built[0] in _LOGGER_FACTORIES:
        return True
    key = names.key(receiver)
    return key is not None and key.rsplit(".", 1)[-1].split("@")[0] in _LOGGER_NAMES


def _metadata(node: ast.AST) -> bool:
    """`resp.usage.total_tokens`, `resp.id`, `len(messages)`: what may be logged freely."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return True
    if isinstance(node, ast.Attribute):
        _, chain = attribute_chain(node)
        return any(a in _METADATA or a.endswith(("_id", "tokens", "_count")) for a in chain)
    return False


def _holds_metadata(flow: LLMFlow, node: ast.AST) -> bool:
    """A local name every assignment gives metadata (`mime = part.inline_data.mime_type or
    "image/png"`): the response's description, not its text."""
    if not isinstance(node, ast.Name):
        return False
    values = flow.values.get(node.id, [])
    return bool(values) and all(_metadata(_defaulted(value)) for value in values)


def _defaulted(value: ast.expr) -> ast.expr:
    """`x or default`: x."""
    if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) and len(value.values) == 2:
        return value.values[0] if isinstance(value.values[1], ast.Constant) else value
    return value


def _logged_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The parts of a log call's arguments whose value is written, skipping metadata subtrees."""
    if _metadata(node):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _logged_nodes(child)


def _literal_names(node: ast.AST, helpers: frozenset[str] = frozenset()) -> Iterator[str]:
    """Names whose text is placed into a prompt value: `[{"content": q}]`, `f"{q}"`, `"..." + q`,
    `TEMPLATE.format(question=q)`, `"\\n".join(docs)`, and the arguments of a helper of this module
    that builds it (`build_prompt(q, docs)`); not the arguments of other calls."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _literal_names(element, helpers)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literal_names(value, helpers)
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                yield from _literal_names(part.value, helpers)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        yield from _literal_names(node.left, helpers)
        yield from _literal_names(node.right, helpers)
    elif isinstance(node, ast.Call):
        func = node.func
        builds = isinstance(func, ast.Attribute) and func.attr in _STRING_BUILDERS
        if builds or (isinstance(func, ast.Name) and func.id in helpers):
            for part in [*node.args, *(k.value for k in node.keywords)]:
                yield from _literal_names(part, helpers)


def _prompt_names(
    flow: LLMFlow, scope: ast.FunctionDef | ast.AsyncFunctionDef, helpers: frozenset[str]
) -> set[str]:
    """Local names holding what the function's LLM calls were sent, one assignment hop deep."""
    local = {a.arg for a in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]}
    values = flow.values
    local |= set(values)
    found: set[str] = set()
    for call, site in flow.calls.items():
        sent = [k.value for k in call.keywords if k.arg in _PROMPT_KWARGS]
        if site.provider == "langchain" and call.args:
            sent.append(call.args[0])
        for value in sent:
            for name in _literal_names(value, helpers):
                found.add(name)
                for assigned in values.get(name, []):
                    found.update(_literal_names(assigned, helpers))
    return found & local


# A log message that names what it writes: `"prompt=%s"`, `"question: {}"`, `f"messages={m}"`.
_PROMPT_LABEL = re.compile(
    r"(?i)\b(prompt|messages|question|instructions?|completion)s?\b\W{0,3}(?:[=:]|%|\{)"
)


def _labelled_prompt(call: ast.Call) -> bool:
    """The log message labels its value as the prompt (or the question, the completion)."""
    message = call.args[0] if call.args else None
    return _PROMPT_LABEL.search(literal_text(message)) is not None


def _reaches_llm(names: Names, src: PythonFile) -> set[ast.AST]:
    """Scopes that make an LLM call, or call (by name, or as `self.method`) a function of this
    module that does: where a logged question is on its way to a model."""
    direct = {scope for scope, flow in src.flows.items() if flow.calls}
    callees = {scope.name for scope in direct if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))}
    reaching = set(direct)
    for scope, nodes in src.nodes.scopes.items():
        for node in nodes:
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else ""
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "self"
                ):
                    called = func.attr
                if called in callees:
                    reaching.add(scope)
                    break
    return reaching


@RULES.rule(
    "llm-prompt-logged",
    title="Full prompts or completions written to logs",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
)
def llm_prompt_logged(src: PythonFile) -> Iterator[Hit]:
    """A log or `print` call in serving code that writes the prompt sent to an LLM call in the same
    function — also when the prompt is built from it (`TEMPLATE.format(question=q)`, `"..." + q`,
    a helper of the module that builds the prompt) — or the model's response text; or a message
    that labels a parameter as the prompt (`logger.info("prompt=%s", question)`) in a function
    that calls the model, directly or through a function of this module.

    Why:
        Prompts and completions carry user PII, documents and sometimes secrets. Logged, they are
        copied into log stores with long retention and wide access, outside any data-handling
        controls (sensitive information disclosure, OWASP LLM02).
    Fix:
        Log metadata instead — request id, model, `len(...)`, `usage` token counts, latency — and
        keep full transcripts, if needed, in a store with access control and retention limits.
    Bad:
        logger.info("prompt=%s answer=%s", messages, resp.choices[0].message.content)
    Good:
        logger.info("completion id=%s tokens=%d", resp.id, resp.usage.total_tokens)
    """
    names = src.names
    serving_module = is_serving_module(names)
    helpers = frozenset(
        scope.name
        for scope in src.nodes.module.body
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef))
    )
    reaching: set[ast.AST] | None = None
    for scope, nodes in src.nodes.scopes.items():
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not (serving_module or is_route_handler(scope)):
            continue
        flow = src.flows[scope]
        if not flow.calls and not any(isinstance(n, ast.Call) and _is_log_call(names, n) for n in nodes):
            continue
        if reaching is None:
            reaching = _reaches_llm(names, src)
        if scope not in reaching:
            continue
        prompts = _prompt_names(flow, scope, helpers)
        user = _UserData(names, scope, nodes)
        for node in nodes:
            if not isinstance(node, ast.Call) or not _is_log_call(names, node):
                continue
            line = src.changed_line(node)
            if line is None:
                continue
            labelled = _labelled_prompt(node)
            for part in [*node.args, *(k.value for k in node.keywords)]:
                logged = list(_logged_nodes(part))
                prompt = next(
                    (
                        n.id
                        for n in logged
                        if isinstance(n, ast.Name) and (n.id in prompts or (labelled and user.tainted(n)))
                    ),
                    None,
                )
                if prompt is not None:
                    yield Hit(line, f"logs `{prompt}`, the prompt sent to the model.")
                    break
                if any(flow.node_origins(n) for n in logged if not _holds_metadata(flow, n)):
                    yield Hit(line, "logs the model's response text.")
                    break


_SHELL = frozenset(["os.system", "os.popen"])
# What runs a command; `subprocess.CompletedProcess`, `subprocess.PIPE` and the rest do not.
_SUBPROCESS_RUNNERS = frozenset(
    ["run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"]
)
_MOCK_ROOTS = frozenset(["mock", "patch", "mocker", "monkeypatch", "unittest"])
_DESERIALIZERS = frozenset(["pickle.loads", "yaml.unsafe_load"])
_SAFE_YAML_LOADERS = frozenset(["SafeLoader", "CSafeLoader", "BaseLoader"])
_SQL_METHODS = frozenset(["execute", "executemany", "executescript"])
_LLM_SDKS = (
    "openai",
    "anthropic",
    "cohere",
    "huggingface_hub",
    "google.genai",
    "google.generativeai",
    "litellm",
    "mistralai",
    "groq",
)


def _interpolated(node: ast.AST) -> bool:
    """An f-string, `+`/`%` expression or `.format(...)` call: text built from parts."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _sql_text(node: ast.expr, values: Mapping[str, list[ast.expr]]) -> list[ast.expr]:
    """The interpolated query text(s) behind a query argument: itself, or what its name holds."""
    if _interpolated(node):
        return [node]
    if isinstance(node, ast.Name):
        return [v for v in values.get(node.id, []) if _interpolated(v)]
    return []


def _query_by_name(call: ast.Call) -> bool:
    """`cur.execute(query, params)`, `text(sql)`: a call that may run a query held in a name."""
    if not call.args or not isinstance(call.args[0], ast.Name):
        return False
    method = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return method in _SQL_METHODS or method == "text"


Sink = tuple[str, list[ast.expr], list[ast.expr]]


def _subprocess(name: str, call: ast.Call) -> Sink | None:
    """Through a shell, or as the program to run: critical. As a later argv element (no shell,
    so no injection of further commands): high."""
    command = argument(call, 0, "args")
    if command is None:
        return None
    shell = kwarg(call, "shell")
    if shell is not None and is_true(shell.value):
        return f"`{name}` with `shell=True`", [command], []
    if isinstance(command, (ast.List, ast.Tuple)) and command.elts:
        return f"`{name}`", command.elts[:1], command.elts[1:]
    return f"`{name}`", [command], []


def _sink(names: Names, call: ast.Call, values: Mapping[str, list[ast.expr]]) -> Sink | None:
    """The dangerous sink `call` is, the arguments that make it critical and those that make it
    high, or None."""
    builtin = _builtin(names, call, "eval", "exec", "compile")
    if builtin in ("eval", "exec"):
        return f"`{builtin}`", call.args[:1], []
    if builtin == "compile":
        mode = string_value(argument(call, 2, "mode"))
        return ("`compile(..., 'exec')`", call.args[:1], []) if mode == "exec" else None
    name = names.call_name(call) or ""
    if name in _SHELL:
        return f"`{name}`", call.args[:1], []
    if name.startswith("subprocess.") and name.rsplit(".", 1)[-1] in _SUBPROCESS_RUNNERS:
        return _subprocess(name, call)
    if name in _DESERIALIZERS:
        return f"`{name}`", call.args[:1], []
    if name == "yaml.load":
        loader = argument(call, 1, "Loader")
        loader_name = (names.qualname(loader) or "").rsplit(".", 1)[-1]
        return None if loader_name in _SAFE_YAML_LOADERS else ("unsafe `yaml.load`", call.args[:1], [])
    if name in ("sqlalchemy.text", "sqlalchemy.sql.text") and call.args:
        return "`sqlalchemy.text` built by interpolation", _sql_text(call.args[0], values), []
    if isinstance(call.func, ast.Attribute) and call.func.attr in _SQL_METHODS and call.args:
        return f"`.{call.func.attr}` of an interpolated query", _sql_text(call.args[0], values), []
    return None


@RULES.rule(
    "llm-output-exec",
    title="Model output reaches code execution or another dangerous sink",
    severity=Severity.CRITICAL,
    persona="ai-architect-agent",
    kinds=("python", "notebook"),
    peers=("B307", "S307", "B102", "S102"),
)
def llm_output_exec(src: PythonFile) -> Iterator[Hit]:
    """Text derived from an LLM response — or from the request itself, in a web route handler
    (its parameters, `request.json`, a pydantic body) — is executed: `eval`/`exec`/`compile`, a
    shell or `subprocess` command, `pickle.loads`, unsafe `yaml.load`, or an interpolated SQL
    query. Model output only as a later argv element of a `subprocess` call without `shell=True`
    is high (`shell=True` escalates to critical); a bare `eval`/`exec` in a module that imports an
    LLM SDK, with no flow from model output shown, is low, unless what it runs is a string
    literal. Dependencies (`Depends(...)`) and closed types (`int`, `Literal[...]`) are not
    request text.

    Why:
        Model output is attacker-controlled as soon as any input — a user message, a retrieved
        document, a web page — can steer it (prompt injection). Executing it is remote code
        execution, shell or SQL injection (improper output handling, OWASP LLM05).
    Fix:
        Never execute model output. Map it onto an allow-list of actions, parse it with a schema,
        run generated code only in an isolated sandbox, and pass values to SQL as bound
        parameters.
    Bad:
        code = resp.choices[0].message.content
        exec(code)
    Good:
        action = Action.model_validate_json(resp.choices[0].message.content)
        HANDLERS[action.name](**action.arguments)
    """
    names = src.names
    imports_sdk = imports_any(names, *_LLM_SDKS) or any(
        q.startswith("langchain") for q in names.imports.values()
    )
    reported: set[int] = set()
    for scope, nodes in src.nodes.scopes.items():
        flow = src.flows[scope]
        user: _UserData | None = None
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            line = src.changed_line(node)
            if line is None or line in reported:
                continue
            if user is None and not flow.calls and _query_by_name(node):
                # The query is a name's value and no model call made the flow bind the scope's
                # names: the request data's bindings say what the name holds.
                user = _request_data(names, scope, nodes)
            sink = _sink(names, node, user.values if user is not None and not flow.calls else flow.values)
            if sink is None:
                continue
            label, critical, high = sink
            if user is None:
                user = _request_data(names, scope, nodes)
            if any(flow.origins(a) for a in critical):
                reported.add(line)
                yield Hit(line, f"model output reaches {label}.")
            elif any(user.tainted(a) or user.built_from_user(a) for a in critical):
                reported.add(line)
                yield Hit(line, f"request data reaches {label}.")
            elif any(flow.origins(a) for a in high):
                reported.add(line)
                yield Hit(line, f"model output is an argument to {label}.", Severity.HIGH)
            elif imports_sdk and _builtin(names, node, "eval", "exec") and not _literal_code(node):
                reported.add(line)
                if any(shaped_output(nodes, a) for a in critical):
                    yield Hit(line, f"a model response (read by its shape) reaches {label}.")
                else:
                    yield Hit(
                        line,
                        f"bare {label} in a module that imports an LLM SDK, of a value not traced to "
                        "model output or a request; to parse a literal, `ast.literal_eval` runs no code.",
                        Severity.LOW,
                        variant="untraced",
                    )


def _literal_code(call: ast.Call) -> bool:
    """The code `eval`/`exec` runs is a string literal the author wrote (a test defining a class
    with new syntax): no model or user wrote it."""
    return bool(call.args) and string_value(call.args[0]) is not None


def _request_data(names: Names, scope: ast.AST, nodes: list[ast.AST]) -> _UserData:
    """What a scope holds from the request: a web route handler's parameters and the framework's
    request object, and names derived from them (only the request object outside handlers)."""
    function = scope if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    return _UserData(names, function if function is not None and _web_handler(function) else None, nodes)


_SYSTEM_ROLES = frozenset(["system", "developer"])
_STRING_BUILDERS = frozenset(["format", "format_map", "substitute", "safe_substitute", "join"])
_INJECTED = frozenset(["Depends", "Security"])
_REQUEST_GLOBALS = frozenset(["flask.request", "quart.request"])
_CLOSED_TYPES = frozenset(["int", "float", "bool", "Literal", "UUID", "date", "datetime", "Decimal"])


def _injected(default: ast.expr | None, annotation: ast.expr | None) -> bool:
    """A FastAPI dependency (`= Depends(...)`, `Annotated[..., Depends(...)]`): server-side data."""
    for node in (default, annotation):
        if node is None:
            continue
        for part in ast.walk(node):
            if isinstance(part, ast.Call) and called_name(part) in _INJECTED:
                return True
    return False


def _user_params(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    pairs = [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    return {
        arg.arg
        for arg, default in pairs
        if arg.arg not in ("self", "cls")
        and not _injected(default, arg.annotation)
        and not _closed_type(arg.annotation)
    }


def _closed_type(annotation: ast.expr | None) -> bool:
    """`int`, `bool`, `Literal["en", "fr"]`, `UUID`...: validated values that cannot carry text."""
    if annotation is None:
        return False
    root = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    name = root.attr if isinstance(root, ast.Attribute) else getattr(root, "id", "")
    return name in _CLOSED_TYPES


class _UserData:
    """Names in a route handler that hold request data: parameters, the framework's request
    object, and names assigned from them through attribute, item and string operations."""

    def __init__(
        self, names: Names, function: ast.FunctionDef | ast.AsyncFunctionDef | None, nodes: list[ast.AST]
    ) -> None:
        """`function` None: only the framework's request object (`flask.request`) is request data."""
        self.names = names
        self.params = _user_params(function) if function is not None else set()
        pairs = assigned_values(nodes)
        self.derived = derived_names(pairs, self._flow)
        self.values: dict[str, list[ast.expr]] = {}
        for name, value in pairs:
            self.values.setdefault(name, []).append(value)

    def _flow(self, expr: ast.expr) -> tuple[frozenset[ast.AST], frozenset[str]]:
        names = list(self._passed_names(expr))
        sources = frozenset(
            n for n in names if n.id in self.params or self.names.qualname(n) in _REQUEST_GLOBALS
        )
        return sources, frozenset(n.id for n in names)

    def _passed_names(self, expr: ast.AST) -> Iterator[ast.Name]:
        """Names whose value carries into `expr`: through attributes, items, `await`, string
        building and methods called on them — not through other calls' arguments."""
        if isinstance(expr, ast.Name):
            yield expr
        elif isinstance(expr, (ast.Attribute, ast.Subscript, ast.Await, ast.FormattedValue)):
            yield from self._passed_names(expr.value)
        elif isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Attribute):
                yield from self._passed_names(expr.func.value)
                if expr.func.attr in _STRING_BUILDERS:
                    for part in [*expr.args, *(k.value for k in expr.keywords)]:
                        yield from self._passed_names(part)
            elif isinstance(expr.func, ast.Name) and expr.func.id == "str":
                for part in expr.args:
                    yield from self._passed_names(part)
        elif isinstance(expr, (ast.JoinedStr, ast.BinOp, ast.BoolOp, ast.IfExp, ast.List, ast.Tuple)):
            for child in ast.iter_child_nodes(expr):
                yield from self._passed_names(child)

    def tainted(self, expr: ast.expr) -> bool:
        sources, reads = self._flow(expr)
        return bool(sources) or any(read in self.derived for read in reads)

    def built_from_user(self, expr: ast.AST, depth: int = 0) -> bool:
        """Text interpolated (f-string, `.format`, `%`, `+`, `Template.substitute`) from request data."""
        if isinstance(expr, ast.Name) and depth < 3:
            return any(self.built_from_user(v, depth + 1) for v in self.values.get(expr.id, []))
        if isinstance(expr, ast.JoinedStr):
            return any(self.tainted(p.value) for p in expr.values if isinstance(p, ast.FormattedValue))
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mod)):
            return self.tainted(expr.left) or self.tainted(expr.right)
        return (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in ("format", "format_map", "substitute", "safe_substitute")
            and self.tainted(expr)
        )


def _system_contents(names: Names, node: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
    """(where, content) for each system-role prompt `node` builds."""
    if isinstance(node, ast.Dict):
        items = {string_value(k): v for k, v in zip(node.keys, node.values, strict=True) if k is not None}
        if string_value(items.get("role")) in _SYSTEM_ROLES and "content" in items:
            yield node, items["content"]
    elif isinstance(node, ast.Call):
        name = names.call_name(node) or ""
        if name.startswith("langchain") and name.endswith(".SystemMessage"):
            content = argument(node, 0, "content")
            if content is not None:
                yield node, content
        if isinstance(node.func, ast.Attribute) and node.func.attr == "from_messages" and node.args:
            messages = node.args[0]
            if isinstance(messages, (ast.List, ast.Tuple)):
                for message in messages.elts:
                    if (
                        isinstance(message, ast.Tuple)
                        and len(message.elts) == 2
                        and string_value(message.elts[0]) in _SYSTEM_ROLES
                    ):
                        yield message, message.elts[1]
        for keyword in ("system", "instructions"):
            value = kwarg(node, keyword)
            if value is not None and _llm_request(names, node):
                yield value.value, value.value


def _llm_request(names: Names, call: ast.Call) -> bool:
    if llm_call(names, call) is not None:
        return True
    _, chain = call_receiver(call)
    return chain[-2:] in (["messages", "create"], ["responses", "create"], ["messages", "stream"])


def _web_handler(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A route handler; Celery tasks (also 'handlers') take arguments from our own code, and a
    test patched with `mock.patch` is no PATCH route."""
    routes = []
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        root, chain = attribute_chain(target)
        last = chain[-1] if chain else getattr(root, "id", "")
        if last in ("task", "shared_task"):
            return False
        mocked = getattr(root, "id", "") in _MOCK_ROOTS or "mock" in chain
        routes.append(not mocked)
    return is_route_handler(function) and any(routes)


@RULES.rule(
    "user-input-in-system-prompt",
    title="Untrusted input interpolated into the system or instructions prompt",
    severity=Severity.HIGH,
    persona="ai-architect-agent",
    kinds=("python", "notebook"),
)
def user_input_in_system_prompt(src: PythonFile) -> Iterator[Hit]:
    """A route handler builds the system (or developer / `instructions`) prompt with an f-string,
    `.format`, `%`, `+` or `Template.substitute` from request data: a handler parameter, an
    attribute or item of the request, or a name assigned from those in the same function.

    Why:
        The system prompt carries the application's authority. User text interpolated into it can
        rewrite the rules the model follows — direct prompt injection (OWASP LLM01). User text
        belongs in the user message, where the model treats it as data.
    Fix:
        Keep the system prompt constant (or built from server-side settings only) and put the
        user's text in a `user`/`human` message, delimited and labelled as data.
    Bad:
        messages = [{"role": "system", "content": f"You are a helpful {body.persona}."},
                    {"role": "user", "content": body.question}]
    Good:
        messages = [{"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": body.question}]
    """
    names = src.names
    for scope, nodes in src.nodes.scopes.items():
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) or not _web_handler(scope):
            continue
        user = _UserData(names, scope, nodes)
        reported: set[int] = set()
        for node in nodes:
            for where, content in _system_contents(names, node):
                line = src.changed_line(where)
                if line is None or line in reported or not user.built_from_user(content):
                    continue
                reported.add(line)
                yield Hit(line, "request data is interpolated into the system prompt.")
