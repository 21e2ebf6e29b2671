"""Invoice field extraction with an LLM."""

import json
import logging

from anthropic import AsyncAnthropic
from openai import OpenAI
from pydantic import BaseModel

client = OpenAI(timeout=30)
MODEL = "gpt-4o-mini-2024-07-18"
log = logging.getLogger(__name__)


class Invoice(BaseModel):
    vendor: str
    total: float


def _ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Extract vendor and total as JSON:\n{text}"}]


def extract_raw(text: str) -> dict:
    resp = client.chat.completions.create(model=MODEL, max_completion_tokens=400, messages=_ask(text))
    return json.loads(resp.choices[0].message.content)


def extract_cleaned(text: str) -> dict:
    resp = client.chat.completions.create(model=MODEL, max_completion_tokens=400, messages=_ask(text))
    content = resp.choices[0].message.content
    cleaned = content.strip().removeprefix("```json").removesuffix("```")
    fields = json.loads(cleaned)
    return fields


async def extract_with_claude(aclient: AsyncAnthropic, text: str) -> dict:
    message = await aclient.messages.create(
        model="claude-haiku-4-5-20251001", max_tokens=400, messages=_ask(text)
    )
    return json.loads(message.content[0].text)


def extract_guarded(text: str) -> dict | None:
    resp = client.chat.completions.create(model=MODEL, max_completion_tokens=400, messages=_ask(text))
    try:
        return json.loads(resp.choices[0].message.content)
    except json.JSONDecodeError:
        log.warning("model returned invalid JSON")
        return None


def extract_guarded_value_error(text: str) -> dict:
    resp = client.chat.completions.create(model=MODEL, max_completion_tokens=400, messages=_ask(text))
    try:
        parsed = json.loads(resp.choices[0].message.content)
    except (KeyError, ValueError):
        parsed = {}
    return parsed


def extract_validated(text: str) -> Invoice:
    resp = client.chat.completions.create(model=MODEL, max_completion_tokens=400, messages=_ask(text))
    data = json.loads(resp.choices[0].message.content)
    return Invoice.model_validate(data)


def extract_json_mode(text: str) -> dict:
    resp = client.chat.completions.create(
        model=MODEL,
        max_completion_tokens=400,
        messages=_ask(text),
        response_format={"type": "json_object"},
    )
    return json.loads(resp.choices[0].message.content)


def extract_parsed(text: str) -> dict:
    resp = client.chat.completions.parse(
        model=MODEL, max_completion_tokens=400, messages=_ask(text), response_format=Invoice
    )
    return json.loads(resp.choices[0].message.content)


def load_cached(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.loads(handle.read())


def call_tool(text: str, tools: list[dict]) -> dict:
    resp = client.chat.completions.create(
        model=MODEL, max_completion_tokens=400, messages=_ask(text), tools=tools
    )
    call = resp.choices[0].message.tool_calls[0]
    arguments = json.loads(call.function.arguments)  # negative: a tool call's arguments
    return arguments | json.loads(resp.choices[0].message.content or "{}")  # positive: the text


def extract_with_schema(text: str, schema: dict) -> dict:
    resp = client.responses.create(
        model=MODEL,
        max_output_tokens=400,
        input=text,
        text={"format": {"type": "json_schema", "name": "invoice", "schema": schema, "strict": True}},
    )
    return json.loads(resp.output_text)  # negative: the Responses API's structured output


def extract_plain_text(text: str) -> dict:
    resp = client.responses.create(model=MODEL, max_output_tokens=400, input=text, text={"format": {"type": "text"}})
    return json.loads(resp.output_text)  # positive: text asked for


def extract_with_options(text: str, schema: dict | None) -> dict:
    options: dict = {"model": MODEL, "max_completion_tokens": 400, "messages": _ask(text)}
    if schema is not None:
        options["response_format"] = {"type": "json_schema", "json_schema": {"name": "row", "schema": schema}}
    resp = client.chat.completions.create(**options)
    return json.loads(resp.choices[0].message.content)  # negative: the splat asks for a schema


def extract_with_plain_options(text: str) -> dict:
    options: dict = {"model": MODEL, "max_completion_tokens": 400, "messages": _ask(text)}
    resp = client.chat.completions.create(**options)
    return json.loads(resp.choices[0].message.content)  # positive: the splat shows no format
