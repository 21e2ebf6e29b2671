"""Provider clients for the ingestion worker."""

import litellm
from anthropic import Anthropic
from langchain_openai import ChatOpenAI
from openai import OpenAI
from tenacity import retry, stop_after_attempt, wait_random_exponential

MODELS = [{"model_name": "tagger", "litellm_params": {"model": "gpt-4o-mini"}}]

strict = OpenAI(max_retries=0, timeout=20)  # positive: retries off, nothing replaces them
claude = Anthropic(max_retries=0, timeout=20)  # negative: its call is wrapped with tenacity
default = OpenAI(timeout=20)  # negative: SDK default of 2 retries
patient = OpenAI(max_retries=5, timeout=20)  # negative
chat = ChatOpenAI(model="gpt-4o-mini", max_retries=0, timeout=20, max_tokens=200)  # positive
resilient = ChatOpenAI(model="gpt-4o-mini", max_retries=0, timeout=20, max_tokens=200).with_retry(
    stop_after_attempt=3
)  # negative: LangChain .with_retry()
router = litellm.Router(model_list=MODELS, num_retries=0)  # positive
router_fallback = litellm.Router(model_list=MODELS, num_retries=0, fallbacks=[{"tagger": ["backup"]}])


@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=20))
def ask_claude(prompt: str) -> str:
    message = claude.messages.create(
        model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
    )
    return message.content[0].text


def ask_once(prompt: str) -> str:
    reply = default.with_options(max_retries=0).chat.completions.create(  # positive
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}], max_tokens=200
    )
    return reply.choices[0].message.content or ""


def tag(text: str) -> str:
    reply = litellm.completion(  # positive
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=5, num_retries=0
    )
    return reply.choices[0].message.content


def tag_with_fallback(text: str) -> str:
    reply = litellm.completion(  # negative: fallbacks replace retries
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": text}],
        max_tokens=5,
        num_retries=0,
        fallbacks=["claude-3-5-haiku-20241022"],
    )
    return reply.choices[0].message.content


def _classify(text: str) -> str:
    reply = patient.with_options(max_retries=0).chat.completions.create(  # negative: caller retries
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=5
    )
    return reply.choices[0].message.content or ""


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10))
def classify(text: str) -> str:
    return _classify(text)


def summarize(text: str) -> str:
    return chat.invoke(f"Summarize: {text}").content + strict.models.list().object


def make_client(timeout: float) -> OpenAI:
    # negative: a factory's client, used (and retried) by its callers elsewhere
    return OpenAI(max_retries=0, timeout=timeout)


def make_chat(timeout: float) -> ChatOpenAI:
    built = ChatOpenAI(model="gpt-4o-mini", max_retries=0, timeout=timeout, max_tokens=200)  # negative
    return built


@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=20))
def ask_with(client: Anthropic, prompt: str) -> str:
    message = client.messages.create(
        model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
    )
    return message.content[0].text


def ask_sonnet(prompt: str) -> str:
    return ask_with(Anthropic(max_retries=0, timeout=20), prompt)  # negative: the function retries


def ask_plain(prompt: str) -> str:
    return describe(Anthropic(max_retries=0, timeout=20), prompt)  # positive: nothing retries it


def describe(client: Anthropic, prompt: str) -> str:
    message = client.messages.create(
        model="claude-3-5-haiku-20241022", max_tokens=300, messages=[{"role": "user", "content": prompt}]
    )
    return message.content[0].text


def list_models(api_key: str) -> list[str]:
    lister = OpenAI(api_key=api_key, max_retries=0, timeout=10)
    return [model.id for model in lister.models.list()]  # negative above: no model call through it


def probe(api_key: str) -> str:
    prober = OpenAI(api_key=api_key, max_retries=0, timeout=10)
    return prober.chat.completions.create(model="m", messages=[])  # positive above: a model call
