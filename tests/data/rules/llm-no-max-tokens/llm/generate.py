"""Generation calls for the drafting assistant, across providers."""

import anthropic
import cohere
import litellm
from google import genai
from google.genai import types
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI(timeout=30)
claude = anthropic.Anthropic(timeout=30)
gemini = genai.Client()
co = cohere.ClientV2()
MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Draft a reply."}]


def draft() -> str:
    response = client.chat.completions.create(model=MODEL, messages=MESSAGES)
    return response.choices[0].message.content or ""


def draft_capped() -> str:
    response = client.chat.completions.create(model=MODEL, messages=MESSAGES, max_completion_tokens=500)
    return response.choices[0].message.content or ""


def draft_response() -> str:
    return client.responses.create(model=MODEL, input="Draft a reply.").output_text


def draft_response_capped() -> str:
    return client.responses.create(model=MODEL, input="Draft a reply.", max_output_tokens=300).output_text


def draft_claude() -> str:
    message = claude.messages.create(model="claude-3-5-haiku-20241022", max_tokens=1024, messages=MESSAGES)
    return message.content[0].text


def draft_claude_streamed() -> object:
    return claude.messages.create(model="claude-3-5-haiku-20241022", messages=MESSAGES, stream=True)


def draft_litellm() -> str:
    return litellm.completion(model=MODEL, messages=MESSAGES).choices[0].message.content


def draft_with(**params: object) -> object:
    return client.chat.completions.create(**params)


def draft_gemini() -> str:
    return gemini.models.generate_content(model="gemini-2.0-flash", contents="Draft a reply.").text


def draft_gemini_capped() -> str:
    config = types.GenerateContentConfig(max_output_tokens=256)
    return gemini.models.generate_content(model="gemini-2.0-flash", contents="Draft a reply.", config=config).text


def draft_gemini_inline() -> str:
    return gemini.models.generate_content(
        model="gemini-2.0-flash", contents="Draft a reply.", config={"temperature": 0.2}
    ).text


def draft_cohere() -> str:
    return co.chat(model="command-r", messages=MESSAGES).message.content[0].text


drafter = ChatOpenAI(model=MODEL, timeout=30)
capped_drafter = ChatOpenAI(model=MODEL, timeout=30, max_tokens=400)
bound_drafter = ChatOpenAI(model=MODEL, timeout=30)
short_drafter = bound_drafter.bind(max_tokens=120)
