"""How the persona review's requests are sent: one Anthropic client, token counting, the call with
retries and `retry-after`, structured output with the tool-use fallback, usage and cost.

The only module that imports anthropic, and only inside the methods that call the API."""

from __future__ import annotations

import dataclasses
import json
import random
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from archbot import claude_models, protocol, secrets
from archbot.config import LLMConfig
from archbot.prompt import Request, estimate_tokens

if TYPE_CHECKING:
    import anthropic

MAX_OUTPUT_TOKENS = 8000
TOOL_NAME = "report_findings"
STOPPED = "stopped after an earlier error"


class CallFailed(Exception):
    """A call that will not succeed: `notice` tells the user what to do, `error` is the short cause."""

    def __init__(self, notice: str, error: str, fatal: bool = False) -> None:
        super().__init__(notice)
        self.notice = notice
        self.error = error
        self.fatal = fatal


@dataclasses.dataclass
class Usage:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read: int = 0
    cost_usd: float = 0.0
    models: list[str] = dataclasses.field(default_factory=list)

    def note_model(self, model: str) -> None:
        if model not in self.models:
            self.models.append(model)


class Transport:
    """One review's calls: a shared client, usage totals, and the stop signal after a fatal error."""

    def __init__(self, api_key: str | None, base_url: str | None, config: LLMConfig) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.config = config
        self.usage = Usage()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.tool_mode = False
        self.count_api = True
        # False once a count had to be estimated because the endpoint could not be reached: such
        # an estimate stands in for this run only, it is not the endpoint's count.
        self.counts_final = True
        self._client: anthropic.Anthropic | None = None

    @property
    def client(self) -> anthropic.Anthropic:
        import anthropic

        if self._client is None:
            self._client = anthropic.Anthropic(
                api_key=self.api_key or "no-key",
                base_url=self.base_url,
                max_retries=0,
                timeout=self.config.timeout_seconds,
            )
        return self._client

    def count(self, request: Request) -> int:
        """Input tokens of `request`: counted by the API, or estimated where it cannot count."""
        import anthropic

        if self.count_api:
            try:
                counted = self.client.messages.count_tokens(
                    model=request.model,
                    system=_system(request),
                    messages=_messages(request),
                )
                return counted.input_tokens
            except anthropic.APIStatusError:
                # Endpoints without token counting (many gateways): estimate from here on.
                self.count_api = False
            except anthropic.APIConnectionError:
                self.count_api = self.counts_final = False
        return estimate_tokens(request.system) + sum(estimate_tokens(t) for t in request.turns)

    def answer(self, request: Request) -> protocol.Answer:
        """The validated answer; an answer off the schema is asked for once more, then fails."""
        problem = ""
        for _ in range(2):
            message = self._create(request)
            try:
                return self._payload(message)
            except protocol.InvalidOutput as error:
                problem = str(error)
        raise protocol.InvalidOutput(problem)

    def _payload(self, message: anthropic.types.Message) -> protocol.Answer:
        if message.stop_reason == "max_tokens":
            raise protocol.InvalidOutput("the answer was cut off at the output token limit")
        if message.stop_reason == "refusal":
            raise protocol.InvalidOutput("the model declined to answer")
        if self.tool_mode:
            uses = [b for b in message.content if b.type == "tool_use" and b.name == TOOL_NAME]
            if not uses:
                raise protocol.InvalidOutput(f"no {TOOL_NAME} tool call in the answer")
            return protocol.validate(uses[0].input)
        text = "".join(b.text for b in message.content if b.type == "text")
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as error:
            raise protocol.InvalidOutput(f"not JSON: {error.msg}") from None
        return protocol.validate(payload)

    def _create(self, request: Request) -> anthropic.types.Message:
        import anthropic

        attempt = 0
        while True:
            if self.stop.is_set():
                raise CallFailed("persona review stopped after an earlier error", STOPPED)
            with self.lock:
                self.usage.calls += 1
                self.usage.note_model(request.model)
                tool_mode = self.tool_mode
            try:
                message: anthropic.types.Message = self.client.messages.create(
                    model=request.model,
                    max_tokens=MAX_OUTPUT_TOKENS,
                    system=_system(request),
                    messages=_messages(request),
                    **_output_params(tool_mode),
                )
            except anthropic.BadRequestError as error:
                if not tool_mode and _rejects_structured_output(error):
                    with self.lock:
                        self.tool_mode = True
                    continue
                raise CallFailed(
                    f"the API rejected the request (400): {_short(_error_text(error))}",
                    "the API rejected the request (400)",
                ) from None
            except anthropic.AuthenticationError:
                self.stop.set()
                raise CallFailed(
                    "the API rejected the key (401): check ANTHROPIC_API_KEY; rules only",
                    "the API rejected the key (401)",
                    True,
                ) from None
            except anthropic.PermissionDeniedError:
                self.stop.set()
                raise CallFailed(
                    f"the key may not use {request.model} (403): check the key's workspace or set llm.model",
                    "the key may not use the model (403)",
                    True,
                ) from None
            except anthropic.NotFoundError:
                self.stop.set()
                raise CallFailed(
                    f"model {request.model} not found at the endpoint (404): "
                    "set llm.model to a model it serves",
                    "the model was not found at the endpoint (404)",
                    True,
                ) from None
            except anthropic.APIStatusError as error:
                wait = self._retry_wait(error.status_code, error.response.headers, attempt)
                if wait is None:
                    asked = _retry_after(error.response.headers)
                    if asked is not None and asked > self.config.max_retry_wait_seconds:
                        raise CallFailed(
                            f"the API answered {error.status_code} and asked to wait {asked:g} s, "
                            "longer than llm.max_retry_wait_seconds "
                            f"({self.config.max_retry_wait_seconds:g}): try again later",
                            f"the API asked to wait longer than allowed ({error.status_code})",
                        ) from None
                    raise _status_failure(error.status_code, self.config.max_retries) from None
            except anthropic.APITimeoutError:
                wait = self._retry_wait(408, {}, attempt)
                if wait is None:
                    raise CallFailed(
                        f"a call timed out after {self.config.timeout_seconds:g} s: "
                        "raise llm.timeout_seconds or lower llm.max_call_tokens",
                        "a call timed out",
                    ) from None
            except anthropic.APIConnectionError:
                wait = self._retry_wait(503, {}, attempt)
                if wait is None:
                    raise CallFailed(
                        "cannot reach the Anthropic API: check the network or ANTHROPIC_BASE_URL",
                        "the API could not be reached",
                    ) from None
            else:
                self._account(request.model, message.usage)
                return message
            attempt += 1
            self.stop.wait(wait)

    def _retry_wait(self, status: int, headers: Mapping[str, str], attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when this failure is final."""
        if status not in (408, 429, 529) and status < 500:
            return None
        if attempt >= self.config.max_retries:
            return None
        asked = _retry_after(headers)
        if asked is not None:
            return asked if asked <= self.config.max_retry_wait_seconds else None
        backoff: float = min(0.5 * 2.0**attempt, 8.0)
        return backoff * (0.75 + random.random() / 4)

    def _account(self, model: str, usage: anthropic.types.Usage) -> None:
        written = usage.cache_creation_input_tokens or 0
        read = usage.cache_read_input_tokens or 0
        with self.lock:
            self.usage.input_tokens += usage.input_tokens + written
            self.usage.output_tokens += usage.output_tokens
            self.usage.cache_read += read
            self.usage.cost_usd += claude_models.cost(
                model, usage.input_tokens, usage.output_tokens, written, read
            )


def _system(request: Request) -> list[Any]:
    return [{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}]


def _messages(request: Request) -> list[anthropic.types.MessageParam]:
    messages: list[anthropic.types.MessageParam] = []
    for index, text in enumerate(request.turns):
        if index % 2:
            messages.append({"role": "assistant", "content": text})
        else:
            messages.append({"role": "user", "content": text})
    return messages


def _output_params(tool_mode: bool) -> dict[str, Any]:
    if tool_mode:
        return {
            "tools": [
                {
                    "name": TOOL_NAME,
                    "description": "Report the review's findings.",
                    "input_schema": protocol.SCHEMA,
                }
            ],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
        }
    return {"output_config": {"format": {"type": "json_schema", "schema": protocol.SCHEMA}}}


def _rejects_structured_output(error: anthropic.BadRequestError) -> bool:
    text = error.message.lower()
    return any(
        word in text for word in ("output_config", "output_format", "structured output", "json_schema")
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                seconds: float = max(float(value) / scale, 0.0)
                return seconds
            except ValueError:
                continue
    return None


def _status_failure(status: int, retries: int) -> CallFailed:
    after = f" after {retries} retries" if retries else ""
    if status == 413:
        return CallFailed(
            "the request was too large (413): lower llm.max_call_tokens", "the request was too large (413)"
        )
    if status == 429:
        return CallFailed(
            f"rate limited (429){after}: try again later, or lower llm.concurrency",
            "the API was rate-limiting the calls (429)",
        )
    if status == 529:
        return CallFailed(
            f"the Anthropic API is overloaded (529){after}: try again later", "the API was overloaded (529)"
        )
    if status >= 500:
        return CallFailed(f"the API failed ({status}){after}: try again later", f"the API failed ({status})")
    return CallFailed(f"the API answered {status}", f"the API answered {status}")


def _error_text(error: anthropic.APIStatusError) -> str:
    """The endpoint's own message when its body has the API's error shape, else the SDK's text."""
    body = error.body
    if isinstance(body, dict):
        detail = body.get("error")
        message = detail.get("message") if isinstance(detail, dict) else None
        if isinstance(message, str):
            return message
    return error.message


def _short(text: str) -> str:
    """An endpoint's error text for a notice: one line, bounded, with any secret it echoes redacted."""
    return secrets.redact(" ".join(text.split())[:200])[0]
