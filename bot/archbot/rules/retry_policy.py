"""Retry policies around LLM calls that never stop or never back off."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from archbot.models import Severity
from archbot.repo import sdk
from archbot.repo.resolve import Names
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    RETRYING,
    argument,
    contains_llm_call,
    has_splat,
    is_none,
    kwarg,
    llm_call,
    scope_walk,
    string_value,
)
from archbot.rules.source import PythonFile

RULES = Family()

_BACKOFF = frozenset(["backoff.on_exception", "backoff.on_predicate"])


def _function_defs(nodes: Iterable[ast.AST]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in nodes:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _retry_policies(src: PythonFile) -> Iterator[tuple[ast.expr, str, ast.Call | None]]:
    """Every changed tenacity/backoff policy: the node, its qualified name, and its call (None for
    a bare `@retry`)."""
    for function in _function_defs(src.nodes.walked):
        for decorator in function.decorator_list:
            name = src.names.qualname(decorator)
            if name == "tenacity.retry" and src.changed_line(decorator) is not None:
                yield decorator, name, None
    for call in src.changed_calls():
        name = src.names.call_name(call)
        if name is not None and (name in RETRYING or name in _BACKOFF) and not has_splat(call):
            yield call, name, call


def _retried_errors(names: Names, call: ast.Call | None, name: str) -> list[str]:
    """The classes of the errors a policy retries (`backoff.on_exception(wait, (A, B))`, tenacity
    `retry=retry_if_exception_type((A, B))`, through a constant tuple, here or imported); empty
    when it retries any error or the code does not show which."""
    if call is None:
        return []
    if name == "backoff.on_exception":
        given = argument(call, 1, "exception")
    else:
        condition = kwarg(call, "retry")
        given = (
            argument(condition.value, 0, "exception_types")
            if condition is not None
            and isinstance(condition.value, ast.Call)
            and names.call_name(condition.value) == "tenacity.retry_if_exception_type"
            else None
        )
    return _error_classes(names, given) if given is not None else []


def _error_classes(names: Names, given: ast.expr, depth: int = 0) -> list[str]:
    """The qualified names of the exception classes `given` lists ('' for one not known)."""
    classes: list[str] = []
    for item in given.elts if isinstance(given, ast.Tuple) else [given]:
        node = item.value if isinstance(item, ast.Starred) else item
        found = names.value_of(node) if depth < 3 else None
        if found is not None and isinstance(found[1], ast.Tuple):
            classes += _error_classes(found[0], found[1], depth + 1)
        else:
            classes.append(names.qualname(node) or (node.id if isinstance(node, ast.Name) else ""))
    return classes


def _re_asks(classes: list[str]) -> bool:
    """A policy that retries only answers it could not read (`retry_if_exception_type(
    ExtractionException)`): it asks the model again, where a wait changes nothing."""
    return bool(classes) and all(sdk.answer_error(c) for c in classes if c)


def _errors_tried_again(names: Names, tries: list[ast.Try]) -> list[str]:
    """The classes of the errors after which a retry loop's next attempt runs: those of each
    handler that `continue`s or does not end in a `return` or `raise` ('' for a bare `except`);
    a handler that gives up (`return fallback`) retries nothing."""
    classes: list[str] = []
    for attempt in tries:
        for handler in attempt.handlers:
            gives_up = bool(handler.body) and isinstance(handler.body[-1], (ast.Return, ast.Raise))
            goes_on = any(isinstance(node, ast.Continue) for node in scope_walk(*handler.body))
            if gives_up and not goes_on:
                continue
            classes += _error_classes(names, handler.type) if handler.type is not None else [""]
    return classes


def _unbounded(line: int, what: str, classes: list[str]) -> Hit:
    """The finding for a policy that never stops: the `transient` variant when every error it
    retries passes by itself (a rate limit, a timeout: sdk.TRANSIENT_ERRORS), so none of the
    requests it repeats is billed or doomed to fail; only an outage holds it, until it ends."""
    if classes and all(c in sdk.TRANSIENT_ERRORS for c in classes):
        return Hit(
            line,
            f"{what} on transient errors: an outage holds the call until it ends.",
            Severity.MEDIUM,
            variant="transient",
        )
    return Hit(line, f"{what}.")


def _tries_around_llm(names: Names, statements: list[ast.stmt]) -> list[ast.Try]:
    return [
        node
        for node in scope_walk(*statements)
        if isinstance(node, ast.Try) and contains_llm_call(names, *node.body)
    ]


def _continues(handler: ast.ExceptHandler) -> bool:
    """The handler starts the loop's next pass itself (`continue`)."""
    return any(isinstance(n, ast.Continue) for n in scope_walk(*handler.body))


def _left_after(loop: ast.While, attempt: ast.Try) -> bool:
    """A statement of the loop's body after the `try` (at the same level) leaves the loop
    whatever happened: a `break`, `return` or `raise` that a handler falling through reaches."""
    if attempt not in loop.body:
        return False
    after = loop.body[loop.body.index(attempt) + 1 :]
    return any(isinstance(statement, (ast.Break, ast.Return, ast.Raise)) for statement in after)


def _endless_retry_loop(src: PythonFile, loop: ast.While) -> bool:
    """`while True:` retrying an LLM call whose failure handler loops again, with no counter."""
    if not (isinstance(loop.test, ast.Constant) and loop.test.value is True):
        return False
    keeps_looping = any(
        not any(isinstance(n, (ast.Raise, ast.Return, ast.Break)) for n in scope_walk(*h.body))
        and (_continues(h) or not _left_after(loop, attempt))
        for attempt in _tries_around_llm(src.names, loop.body)
        for h in attempt.handlers
    )
    if not keeps_looping:
        return False
    counters = {
        n.target.id
        for n in scope_walk(*loop.body)
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
    }
    for node in scope_walk(*loop.body):
        if isinstance(node, ast.Compare) and any(
            isinstance(n, ast.Name) and n.id in counters for n in ast.walk(node)
        ):
            return False
    return True


@RULES.rule(
    "retry-unbounded",
    title="Retry policy with no stop condition",
    severity=Severity.HIGH,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    subject="surroundings",
)
def retry_unbounded(src: PythonFile) -> Iterator[Hit]:
    """A retry policy that never gives up: tenacity without `stop=`, backoff without
    `max_tries`/`max_time`, or a `while True:` loop retrying an LLM call with no attempt counter
    (one whose failure handler neither leaves the loop nor falls through to a `break` after the
    `try`: a pass ending in `break` runs once). A policy that retries only errors that pass by
    themselves (rate limits, timeouts, dropped connections, 5xx: the SDK facts' transient errors)
    is the `transient` variant, at medium:
    nothing it repeats is billed or fails for good, and how long to wait out an outage is the
    application's to choose, so a library leaves it to its callers (the role policy below). The
    stop condition is the policy's, around the call: a change that only gives the retried call
    other options leaves it as it was, and is not reported for it.

    Why:
        tenacity defaults to `stop_never` and `wait_none`: it retries forever, immediately, on any
        exception. A persistent error (context too long, invalid key) then becomes an infinite
        loop that burns quota and money and never reports the failure.
    Fix:
        Bound every policy: `stop=stop_after_attempt(4) | stop_after_delay(60)`; backoff
        `max_tries=4` or `max_time=60`; retry only transient errors
        (`retry=retry_if_exception_type(RateLimitError)`).
    Bad:
        @retry(wait=wait_random_exponential(max=30))
        def summarize(text): ...
    Good:
        @retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=30))
        def summarize(text): ...
    """
    for node, name, call in _retry_policies(src):
        line = src.changed_line(node)
        if line is None:
            continue
        if name in _BACKOFF and call is not None:
            if kwarg(call, "max_tries", "max_time") is None:
                what = f"`{name}` without `max_tries` or `max_time` retries forever"
                yield _unbounded(line, what, _retried_errors(src.names, call, name))
        elif name in RETRYING and (call is None or kwarg(call, "stop") is None):
            short = name.rsplit(".", 1)[-1]
            what = f"tenacity `{short}` without `stop=` retries forever"
            yield _unbounded(line, what, _retried_errors(src.names, call, name))
    for loop in src.nodes.walked:
        if isinstance(loop, ast.While) and _endless_retry_loop(src, loop):
            line = src.changed_line(loop)
            if line is not None:
                yield Hit(line, "`while True:` retries an LLM call with no attempt limit.")


def _sleeps(names: Names, statements: list[ast.stmt]) -> list[ast.Call]:
    found = []
    for node in scope_walk(*statements):
        if isinstance(node, ast.Call):
            name = names.call_name(node) or ""
            if name.rsplit(".", 1)[-1] == "sleep":
                found.append(node)
    return found


# A constant wait this long between attempts gives a rate-limited provider room: a working policy,
# if not the best one (jitter spreads a fleet's retries), and the author's to choose.
_ROOMY_WAIT = 1.0


def _short_constant_sleep(call: ast.Call) -> bool:
    """`sleep(0.2)`: a literal wait under a second, barely a pause between attempts."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Constant):
        return False
    seconds = call.args[0].value
    return isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds < _ROOMY_WAIT


def _collects(body: list[ast.stmt]) -> bool:
    """The loop keeps what each pass produced (`outputs.append(...)` outside an error handler):
    it gathers n samples or items, stopping early on an error, where a retry loop stops at its
    first success."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.ExceptHandler, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend")
            and isinstance(node.func.value, ast.Name)
        ):
            return True
        pending.extend(ast.iter_child_nodes(node))
    return False


# Methods that change a dict or a list of messages in place.
_MUTATORS = frozenset(["pop", "update", "__setitem__", "setdefault", "append", "extend", "insert"])


def _changes_request(names: Names, attempt: ast.Try) -> bool:
    """A failure handler changes what the next attempt sends (`params["model"] = fallback`,
    `kwargs.pop("tools")`, `prompt = shorter`, `messages.append(correction)`): the loop tries
    another request, a fallback or a re-ask, rather than repeating one a provider refused for its
    load."""
    sent = {
        node.id
        for call in scope_walk(*attempt.body)
        if isinstance(call, ast.Call) and llm_call(names, call) is not None
        for value in [*call.args, *(k.value for k in call.keywords)]
        for node in ast.walk(value)
        if isinstance(node, ast.Name)
    }
    for handler in attempt.handlers:
        for node in scope_walk(*handler.body):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                base = target.value if isinstance(target, (ast.Subscript, ast.Attribute)) else target
                if isinstance(base, ast.Name) and base.id in sent:
                    return True
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _MUTATORS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in sent
            ):
                return True
    return False


def _manual_retry_loop(src: PythonFile, loop: ast.For | ast.AsyncFor) -> Hit | None:
    source = loop.iter
    if not (
        isinstance(source, ast.Call)
        and isinstance(source.func, ast.Name)
        and source.func.id == "range"
        and "range" not in src.names.imports
    ):
        return None
    tries = _tries_around_llm(src.names, loop.body)
    if not tries:
        return None
    if not any(isinstance(n, (ast.Break, ast.Return)) for n in scope_walk(*loop.body)):
        return None
    if _collects(loop.body) or any(_changes_request(src.names, attempt) for attempt in tries):
        return None
    again = _errors_tried_again(src.names, tries)
    if again and all(error and sdk.answer_error(error) for error in again):
        return None  # it asks again only for an answer it could not read: a wait changes nothing
    sleeps = _sleeps(src.names, loop.body)
    if not sleeps:
        return Hit(0, "retry loop around an LLM call retries immediately, with no sleep.")
    if all(_short_constant_sleep(s) for s in sleeps):
        return Hit(
            0, "retry loop sleeps a constant fraction of a second, with no backoff or jitter.", Severity.LOW
        )
    return None


def _sdk_retries_without_backoff(src: PythonFile, call: ast.Call) -> Hit | None:
    """An SDK call that turns on the SDK's own retries, which wait nothing between attempts unless
    an option says otherwise (SDK facts table: litellm `num_retries`/`retry_policy` without
    `retry_strategy="exponential_backoff_retry"`). Low when a splat the code does not show may
    carry the option."""
    site = llm_call(src.names, call)
    facts = site.facts if site is not None else None
    if site is None or facts is None or facts.backoff_option is None:
        return None
    keywords = src.names.keywords(call)
    enabled = [
        option
        for option in facts.own_retry_options
        if (value := keywords.get(option)) is not None
        and not is_none(value)
        and not (isinstance(value, ast.Constant) and value.value == 0)
    ]
    if not enabled:
        return None
    option, backoff = facts.backoff_option
    chosen = keywords.get(option)
    if chosen is not None:
        strategy = string_value(chosen)
        if strategy is None or strategy == backoff:
            return None
        return Hit(0, f"`{option}={strategy!r}` retries (`{enabled[0]}`) without waiting between attempts.")
    return Hit(
        0,
        f"`{enabled[0]}` retries `.{site.method}()` with {facts.provider}'s default strategy, which "
        f'waits nothing between attempts; pass `{option}="{backoff}"`.',
        None if keywords.complete else Severity.LOW,
    )


@RULES.rule(
    "retry-no-backoff",
    title="Retries without exponential backoff or jitter",
    severity=Severity.MEDIUM,
    persona="llm-ml-engineer",
    kinds=("python", "notebook"),
    subject="call",
)
def retry_no_backoff(src: PythonFile) -> Iterator[Hit]:
    """A retry policy that retries immediately (tenacity with `stop=` but no `wait=`, a manual
    `for attempt in range(N)` loop around an LLM call with no sleep, unless a failure handler
    changes what the next attempt sends (a fallback: another model, a dropped option) or the
    loop goes on only after errors saying an answer could not be read (ANSWER_ERRORS: a
    `json.JSONDecodeError` asked again, a failed call given up), an SDK's
    own retries left at a constant strategy: litellm `num_retries` or `retry_policy` without
    `retry_strategy="exponential_backoff_retry"`), or (low) after a constant sleep of under a
    second. A constant wait of a second or more gives the provider room and is left to the
    author. A tenacity policy that retries only errors saying an answer could not be read (the
    SDK facts' ANSWER_ERRORS, or a project error named for one: `ExtractionException`) asks the
    model again, and a wait changes nothing: not reported. An SDK call whose `**` splat the code
    does not show (it may carry the strategy) is reported low.

    Why:
        When a provider answers 429 or 503, every client retrying at once (or at the same fixed
        interval) hits it again together: the retries amplify the overload they react to.
    Fix:
        Wait exponentially with jitter: tenacity `wait=wait_random_exponential(multiplier=1,
        max=30)`; in a manual loop `time.sleep(min(30, 2 ** attempt) + random.random())`.
    Bad:
        for attempt in range(3):
            try:
                return client.chat.completions.create(model=MODEL, messages=messages)
            except RateLimitError:
                continue
    Good:
        @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=30))
        def ask(messages): return client.chat.completions.create(model=MODEL, messages=messages)
    """
    for node, name, call in _retry_policies(src):
        line = src.changed_line(node)
        if (
            line is not None
            and call is not None
            and name in RETRYING
            and kwarg(call, "stop") is not None
            and kwarg(call, "wait") is None
            and not _re_asks(_retried_errors(src.names, call, name))
        ):
            yield Hit(line, f"tenacity `{name.rsplit('.', 1)[-1]}` without `wait=` retries at once.")
    for call in src.changed_calls():
        found = _sdk_retries_without_backoff(src, call)
        line = src.changed_line(call) if found is not None else None
        if found is not None and line is not None:
            yield Hit(line, found.detail, found.severity)
    for loop in src.nodes.walked:
        if isinstance(loop, (ast.For, ast.AsyncFor)):
            found = _manual_retry_loop(src, loop)
            line = src.changed_line(loop) if found is not None else None
            if found is not None and line is not None:
                yield Hit(line, found.detail, found.severity)
