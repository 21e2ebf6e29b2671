"""What LLM and model-serving SDKs do when an option is left out: one table, one entry per client.

Each entry says, for one public client class (or module-level API), what its default timeout and
retries are, how to change or disable them, which option caps the output, which calls reach the
model, and whether those calls block (with their async twins). Rules ask this table instead of
keeping their own lists. A fact nobody verified is `UNKNOWN`, and rules treat it as unknown: they
stay silent rather than guess. `source` names where each verified fact was read (RULES.md §2 has
the citations of the older entries).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from typing import Final, Literal

Unknown = Literal["unknown"]
UNKNOWN: Final[Unknown] = "unknown"
# A default timeout: seconds, None when the client waits forever, or UNKNOWN.
Timeout = float | None | Unknown


@dataclasses.dataclass(frozen=True)
class Client:
    """One client class (or a module of functions, `litellm`) as its SDK ships it.

    `calls`: method chains on the client that call the model (generation), mapped to the options
    that cap their output (empty when the call has no cap, or it is required). `embedding_calls`:
    chains that embed. `method_twins`: a blocking chain and its async counterpart on the same
    client (`chat.complete` -> `chat.complete_async`). `own_retry_options`: the options that turn
    on retries the client runs itself (not its provider SDK's); `backoff_option`: when those do not
    back off, the option and value that make them (litellm's `retry_strategy`). `seed_options`:
    the generation calls that take a seed for their sampling, mapped to that option (a call left
    out takes none; UNKNOWN when nobody verified the client's calls). `scoring_tasks`: the tasks
    (the constructor's `task`, first positional) for which the client's calls label, score or
    extract in batches and generate nothing: they are then embedding calls, as a cross-encoder's.
    `sampling_tasks`: for a client built per task, the tasks whose generation samples as the
    model's own generation config says (chat LLMs ship `do_sample`); the others decode greedily
    unless told, and a task the constructor does not name is not known.
    `batch_calls`: the generation calls that take a sequence of prompts and run them as one batch,
    mapped to that argument's position and keyword (vLLM's `generate(prompts)`); a call that
    takes one conversation as a list of messages is not one.
    """

    qualname: str
    provider: str
    source: str
    aliases: tuple[str, ...] = ()
    is_async: bool = False
    async_twin: str | None = None
    timeout_options: tuple[str, ...] = ("timeout",)
    default_timeout: Timeout = UNKNOWN
    none_disables_timeout: bool | Unknown = UNKNOWN
    http_client_options: tuple[str, ...] = ()
    retry_options: tuple[str, ...] = ("max_retries",)
    default_retries: int | Unknown = UNKNOWN
    retries_back_off: bool | Unknown = UNKNOWN
    own_retry_options: tuple[str, ...] = ()
    backoff_option: tuple[str, str] | None = None
    disable_retries: str = ""
    calls: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    embedding_calls: tuple[str, ...] = ()
    cap_required: bool = False
    method_twins: Mapping[str, str] = dataclasses.field(default_factory=dict)
    seed_options: Mapping[str, str] | Unknown = UNKNOWN
    local: bool = False
    scoring_tasks: frozenset[str] = frozenset()
    sampling_tasks: frozenset[str] = frozenset()
    batch_calls: Mapping[str, tuple[int, str]] = dataclasses.field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """Its model calls block the calling thread (and an event loop, if called from one)."""
        return not self.is_async

    @property
    def unbounded(self) -> bool:
        """Waits forever unless given a timeout: a verified fact, not a guess."""
        return self.default_timeout is None

    def cap_options(self, method: str) -> tuple[str, ...] | None:
        """The options that cap the output of `method`; None when it is not a generation call."""
        return self.calls.get(method)

    def seed_option(self, method: str) -> str | Unknown | None:
        """The option that seeds `method`'s sampling; None when the call takes no seed."""
        if isinstance(self.seed_options, str):
            return UNKNOWN
        return self.seed_options.get(method)


_OPENAI_SOURCE = "openai-python src/openai/_constants.py, _base_client.py; RULES.md §2"
_OPENAI_CALLS: Mapping[str, tuple[str, ...]] = {
    "chat.completions.create": ("max_tokens", "max_completion_tokens"),
    "chat.completions.parse": ("max_tokens", "max_completion_tokens"),
    "beta.chat.completions.parse": ("max_tokens", "max_completion_tokens"),
    "responses.create": ("max_output_tokens",),
    "responses.parse": ("max_output_tokens",),
    "completions.create": ("max_tokens",),
}
# The Responses API takes no seed; Chat Completions and (legacy) Completions do.
_OPENAI_SEEDS: Mapping[str, str] = {
    "chat.completions.create": "seed",
    "chat.completions.parse": "seed",
    "beta.chat.completions.parse": "seed",
    "completions.create": "seed",
}


def _openai(name: str, is_async: bool, twin: str | None, *aliases: str) -> Client:
    return Client(
        qualname=f"openai.{name}",
        provider="openai",
        source=_OPENAI_SOURCE,
        aliases=aliases,
        is_async=is_async,
        async_twin=twin,
        default_timeout=600.0,
        none_disables_timeout=True,
        http_client_options=("http_client",),
        default_retries=2,
        retries_back_off=True,
        disable_retries="max_retries=0",
        calls=_OPENAI_CALLS,
        embedding_calls=("embeddings.create",),
        seed_options=_OPENAI_SEEDS,
    )


_ANTHROPIC_SOURCE = (
    "anthropic-sdk-python src/anthropic/_constants.py; messages.py (max_tokens required, no seed)"
)


def _anthropic(name: str, is_async: bool, twin: str | None) -> Client:
    return Client(
        qualname=f"anthropic.{name}",
        provider="anthropic",
        source=_ANTHROPIC_SOURCE,
        aliases=(f"anthropic._client.{name}",),
        is_async=is_async,
        async_twin=twin,
        default_timeout=600.0,
        none_disables_timeout=True,
        http_client_options=("http_client",),
        default_retries=2,
        retries_back_off=True,
        disable_retries="max_retries=0",
        calls={"messages.create": (), "messages.stream": (), "messages.parse": ()},
        cap_required=True,
        seed_options={},
    )


def _cohere(name: str, is_async: bool, twin: str | None) -> Client:
    return Client(
        qualname=f"cohere.{name}",
        provider="cohere",
        source="cohere-python src/cohere/base_client.py, core/http_client.py",
        is_async=is_async,
        async_twin=twin,
        default_timeout=300.0,
        http_client_options=("httpx_client",),
        default_retries=2,
        retries_back_off=True,
        disable_retries="max_retries=0 per request",
        calls={"chat": ("max_tokens",), "chat_stream": ("max_tokens",), "generate": ("max_tokens",)},
        embedding_calls=("embed", "rerank"),
    )


def _inference_client(name: str, is_async: bool, twin: str | None) -> Client:
    return Client(
        qualname=f"huggingface_hub.{name}",
        provider="huggingface",
        source="huggingface_hub src/huggingface_hub/inference/_client.py (timeout None loops forever)",
        aliases=(f"huggingface_hub.inference._client.{name}",),
        is_async=is_async,
        async_twin=twin,
        default_timeout=None,
        none_disables_timeout=True,
        retry_options=(),
        default_retries=0,
        calls={
            "chat_completion": ("max_tokens",),
            "text_generation": ("max_new_tokens",),
            "chat.completions.create": ("max_tokens",),
        },
        embedding_calls=("feature_extraction",),
    )


_LANGCHAIN_SOURCE = "langchain partners chat_models (request_timeout=None passed to the SDK); langchain#35597"
_LANGCHAIN_CALLS: Mapping[str, tuple[str, ...]] = {
    "invoke": (),
    "ainvoke": (),
    "batch": (),
    "abatch": (),
    "stream": (),
    "astream": (),
}
# The legacy (pre-runnable) methods are still shipped and still reach the model: `predict`,
# `predict_messages` on models, `run` and `__call__` on chains (langchain-core BaseLanguageModel,
# langchain Chain), each with its `a*` twin.
_LANGCHAIN_TWINS: Mapping[str, str] = {
    "invoke": "ainvoke",
    "batch": "abatch",
    "stream": "astream",
    "predict": "apredict",
    "predict_messages": "apredict_messages",
    "run": "arun",
    "__call__": "acall",
}


def _langchain_chat(
    qualname: str,
    *,
    none_default: bool,
    caps: tuple[str, ...] = (),
    retries: int | Unknown = UNKNOWN,
    source: str = _LANGCHAIN_SOURCE,
) -> Client:
    """A LangChain chat model. `none_default`: its timeout field defaults to None and is passed to
    the SDK as `timeout=None`, which disables the SDK's own default (verified for the three
    classes of langchain#35597 and the partners RULES.md §2 lists; unknown for the others)."""
    return Client(
        qualname=qualname,
        provider="langchain",
        source=source,
        timeout_options=("timeout", "request_timeout", "default_request_timeout"),
        default_timeout=None if none_default else UNKNOWN,
        none_disables_timeout=True if none_default else UNKNOWN,
        http_client_options=("http_client", "http_async_client", "client", "async_client"),
        default_retries=retries,
        calls={method: caps for method in _LANGCHAIN_CALLS},
        method_twins=_LANGCHAIN_TWINS,
    )


_LANGCHAIN_EMBEDDING_TWINS: Mapping[str, str] = {
    "embed_query": "aembed_query",
    "embed_documents": "aembed_documents",
}


def _langchain_embeddings(qualname: str) -> Client:
    return Client(
        qualname=qualname,
        provider="langchain",
        source="langchain Embeddings interface (embed_query/embed_documents and their a* twins)",
        embedding_calls=(*_LANGCHAIN_EMBEDDING_TWINS, *_LANGCHAIN_EMBEDDING_TWINS.values()),
        method_twins=_LANGCHAIN_EMBEDDING_TWINS,
    )


_ENTRIES: tuple[Client, ...] = (
    _openai("OpenAI", False, "openai.AsyncOpenAI", "openai._client.OpenAI"),
    _openai("AsyncOpenAI", True, None, "openai._client.AsyncOpenAI"),
    _openai("AzureOpenAI", False, "openai.AsyncAzureOpenAI", "openai.lib.azure.AzureOpenAI"),
    _openai("AsyncAzureOpenAI", True, None, "openai.lib.azure.AsyncAzureOpenAI"),
    _anthropic("Anthropic", False, "anthropic.AsyncAnthropic"),
    _anthropic("AsyncAnthropic", True, None),
    _anthropic("AnthropicBedrock", False, "anthropic.AsyncAnthropicBedrock"),
    _anthropic("AsyncAnthropicBedrock", True, None),
    _anthropic("AnthropicVertex", False, "anthropic.AsyncAnthropicVertex"),
    _anthropic("AsyncAnthropicVertex", True, None),
    _cohere("Client", False, "cohere.AsyncClient"),
    _cohere("ClientV2", False, "cohere.AsyncClientV2"),
    _cohere("AsyncClient", True, None),
    _cohere("AsyncClientV2", True, None),
    _inference_client("InferenceClient", False, "huggingface_hub.AsyncInferenceClient"),
    _inference_client("AsyncInferenceClient", True, None),
    Client(
        qualname="google.genai.Client",
        provider="google-genai",
        source="python-genai google/genai/_api_client.py (timeout None; retry_args(None): 1 attempt)",
        aliases=("google.genai.client.Client",),
        timeout_options=("http_options",),
        default_timeout=None,
        retry_options=("http_options",),
        default_retries=0,
        disable_retries="no retry_options",
        calls={
            "models.generate_content": ("max_output_tokens",),
            "models.generate_content_stream": ("max_output_tokens",),
        },
        embedding_calls=("models.embed_content",),
        method_twins={
            "models.generate_content": "aio.models.generate_content",
            "models.generate_content_stream": "aio.models.generate_content_stream",
            "models.embed_content": "aio.models.embed_content",
        },
    ),
    Client(
        qualname="mistralai.Mistral",
        provider="mistral",
        source="mistralai client-python basesdk.py (timeout_ms None -> request timeout None); "
        "embeddings.py (retries only from retry_config); chat.py, fim.py (random_seed)",
        aliases=("mistralai.sdk.Mistral", "mistralai.client.Mistral"),
        timeout_options=("timeout_ms",),
        default_timeout=None,
        none_disables_timeout=True,
        http_client_options=("client", "async_client"),
        retry_options=("retry_config",),
        calls={"chat.complete": ("max_tokens",), "chat.stream": ("max_tokens",), "fim.complete": ()},
        embedding_calls=("embeddings.create",),
        method_twins={
            "chat.complete": "chat.complete_async",
            "chat.stream": "chat.stream_async",
            "fim.complete": "fim.complete_async",
            "embeddings.create": "embeddings.create_async",
        },
        seed_options={
            method: "random_seed"
            for blocking in ("chat.complete", "chat.stream", "fim.complete")
            for method in (blocking, f"{blocking}_async")
        },
    ),
    Client(
        qualname="litellm",
        provider="litellm",
        source="litellm/__init__.py (request_timeout = 6000); litellm/main.py completion_with_retries "
        "(retry_strategy defaults to constant_retry: no wait between attempts); completion(seed=...)",
        timeout_options=("timeout", "request_timeout"),
        default_timeout=6000.0,
        retry_options=("num_retries", "max_retries", "retry_policy"),
        retries_back_off=False,
        # num_retries/retry_policy go to completion_with_retries; max_retries to the provider SDK.
        own_retry_options=("num_retries", "retry_policy"),
        backoff_option=("retry_strategy", "exponential_backoff_retry"),
        disable_retries="num_retries=0",
        calls={
            "completion": ("max_tokens", "max_completion_tokens"),
            "acompletion": ("max_tokens", "max_completion_tokens"),
            "text_completion": ("max_tokens",),
            "atext_completion": ("max_tokens",),
        },
        embedding_calls=("embedding", "aembedding"),
        method_twins={
            "completion": "acompletion",
            "text_completion": "atext_completion",
            "embedding": "aembedding",
            "image_generation": "aimage_generation",
        },
        seed_options={
            call: "seed" for call in ("completion", "acompletion", "text_completion", "atext_completion")
        },
    ),
    Client(
        qualname="litellm.Router",
        provider="litellm",
        source="litellm/router.py (num_retries, timeout, fallbacks)",
        retry_options=("num_retries", "retry_policy"),
        retries_back_off=False,
        disable_retries="num_retries=0",
        calls={
            "completion": ("max_tokens", "max_completion_tokens"),
            "acompletion": ("max_tokens", "max_completion_tokens"),
        },
        embedding_calls=("embedding", "aembedding"),
        method_twins={"completion": "acompletion", "embedding": "aembedding"},
    ),
    _langchain_chat(
        "langchain_openai.ChatOpenAI",
        none_default=True,
        caps=("max_tokens", "max_completion_tokens"),
    ),
    _langchain_chat(
        "langchain_openai.AzureChatOpenAI",
        none_default=True,
        caps=("max_tokens", "max_completion_tokens"),
    ),
    _langchain_chat("langchain_anthropic.ChatAnthropic", none_default=True, retries=2),
    _langchain_chat("langchain_groq.ChatGroq", none_default=True, retries=2),
    _langchain_chat("langchain_fireworks.ChatFireworks", none_default=True),
    _langchain_chat("langchain_google_genai.ChatGoogleGenerativeAI", none_default=False),
    _langchain_chat("langchain_google_vertexai.ChatVertexAI", none_default=False),
    _langchain_chat("langchain_aws.ChatBedrock", none_default=False),
    _langchain_chat("langchain_aws.ChatBedrockConverse", none_default=False),
    _langchain_chat("langchain_ollama.ChatOllama", none_default=False),
    _langchain_chat("langchain_mistralai.ChatMistralAI", none_default=False),
    _langchain_embeddings("langchain_openai.OpenAIEmbeddings"),
    _langchain_embeddings("langchain_openai.AzureOpenAIEmbeddings"),
    Client(
        qualname="llama_index.llms.openai.OpenAI",
        provider="llama-index",
        source="llama-index-llms-openai base.py (timeout Field default 60.0, max_retries default 3)",
        default_timeout=60.0,
        default_retries=3,
        retries_back_off=True,
        calls={"complete": ("max_tokens",), "chat": ("max_tokens",), "stream_chat": ("max_tokens",)},
        method_twins={"complete": "acomplete", "chat": "achat", "stream_chat": "astream_chat"},
    ),
    Client(
        qualname="llama_index.llms.anthropic.Anthropic",
        provider="llama-index",
        source="llama-index-llms-anthropic base.py (timeout Field default 60.0, max_retries default 3)",
        default_timeout=60.0,
        default_retries=3,
        retries_back_off=True,
        calls={"complete": (), "chat": (), "stream_chat": ()},
        method_twins={"complete": "acomplete", "chat": "achat", "stream_chat": "astream_chat"},
    ),
    Client(
        qualname="haystack.components.generators.chat.OpenAIChatGenerator",
        provider="haystack",
        source="haystack components/generators/chat/openai.py (timeout: OPENAI_TIMEOUT or 30.0; "
        "max_retries: OPENAI_MAX_RETRIES or 5)",
        default_timeout=30.0,
        default_retries=5,
        retries_back_off=True,
        calls={"run": ()},
        method_twins={"run": "run_async"},
    ),
    Client(
        qualname="dspy.LM",
        provider="dspy",
        source="dspy/clients/lm.py (num_retries=3, passed to litellm)",
        retry_options=("num_retries",),
        default_retries=3,
        calls={"__call__": ("max_tokens",), "forward": ("max_tokens",)},
        method_twins={"__call__": "acall", "forward": "aforward"},
    ),
    Client(
        qualname="text_generation.Client",
        provider="tgi",
        source="text-generation-inference clients/python/text_generation/client.py (timeout: int = 10)",
        async_twin="text_generation.AsyncClient",
        default_timeout=10.0,
        retry_options=(),
        default_retries=0,
        calls={"generate": ("max_new_tokens",), "generate_stream": ("max_new_tokens",)},
    ),
    Client(
        qualname="text_generation.AsyncClient",
        provider="tgi",
        source="text-generation-inference clients/python/text_generation/client.py (timeout: int = 10)",
        is_async=True,
        default_timeout=10.0,
        retry_options=(),
        default_retries=0,
        calls={"generate": ("max_new_tokens",), "generate_stream": ("max_new_tokens",)},
    ),
    Client(
        qualname="ollama.Client",
        provider="ollama",
        source="ollama-python ollama/_client.py (BaseClient timeout=None passed to httpx: no timeout)",
        aliases=("ollama._client.Client",),
        async_twin="ollama.AsyncClient",
        default_timeout=None,
        none_disables_timeout=True,
        retry_options=(),
        default_retries=0,
        calls={"chat": (), "generate": ()},
        embedding_calls=("embed", "embeddings"),
    ),
    Client(
        qualname="ollama.AsyncClient",
        provider="ollama",
        source="ollama-python ollama/_client.py (BaseClient timeout=None passed to httpx: no timeout)",
        aliases=("ollama._client.AsyncClient",),
        is_async=True,
        default_timeout=None,
        none_disables_timeout=True,
        retry_options=(),
        default_retries=0,
        calls={"chat": (), "generate": ()},
        embedding_calls=("embed", "embeddings"),
    ),
    Client(
        qualname="boto3.client:bedrock-runtime",
        provider="bedrock",
        source="botocore Config (connect/read timeouts, legacy retries): defaults unverified here",
        timeout_options=("config",),
        retry_options=("config",),
        calls={
            "invoke_model": (),
            "converse": (),
            "converse_stream": (),
            "invoke_model_with_response_stream": (),
        },
    ),
    Client(
        qualname="boto3.client:sagemaker-runtime",
        provider="sagemaker",
        source="botocore Config (connect/read timeouts, legacy retries): defaults unverified here",
        timeout_options=("config",),
        retry_options=("config",),
        calls={"invoke_endpoint": (), "invoke_endpoint_with_response_stream": ()},
    ),
    Client(
        qualname="sentence_transformers.SentenceTransformer",
        provider="local",
        source="sentence-transformers: encode runs the model in-process",
        retry_options=(),
        embedding_calls=("encode",),
        local=True,
    ),
    # A cross-encoder scores pairs (reranking, similarity), it generates nothing: its calls take
    # batches like an encoder's, as Cohere's `rerank` does.
    Client(
        qualname="sentence_transformers.CrossEncoder",
        provider="local",
        source="sentence-transformers: predict and rank score pairs in-process, in batches",
        retry_options=(),
        embedding_calls=("predict", "rank"),
        local=True,
    ),
    Client(
        qualname="vllm.LLM",
        provider="local",
        source="vllm LLM: generate/chat run the engine in-process and block until done; "
        "generate(prompts: PromptType | Sequence[PromptType]) schedules a sequence as one batch",
        retry_options=(),
        calls={"generate": ("max_tokens",), "chat": ("max_tokens",)},
        batch_calls={"generate": (0, "prompts")},
        embedding_calls=("embed", "encode"),
        local=True,
    ),
    Client(
        qualname="transformers.pipeline",
        provider="local",
        source="transformers pipeline: calling it runs the model in-process; the pipeline tasks "
        "(transformers.pipelines.SUPPORTED_TASKS) that classify, tag, extract or embed generate no text",
        retry_options=(),
        calls={"": ()},
        local=True,
        scoring_tasks=frozenset(
            [
                "audio-classification",
                "depth-estimation",
                "feature-extraction",
                "fill-mask",
                "image-classification",
                "image-feature-extraction",
                "image-segmentation",
                "mask-generation",
                "ner",
                "object-detection",
                "question-answering",
                "sentiment-analysis",
                "table-question-answering",
                "text-classification",
                "token-classification",
                "video-classification",
                "zero-shot-audio-classification",
                "zero-shot-classification",
                "zero-shot-image-classification",
                "zero-shot-object-detection",
            ]
        ),
        sampling_tasks=frozenset(["text-generation", "image-text-to-text"]),
    ),
)

CLIENTS: Mapping[str, Client] = {entry.qualname: entry for entry in _ENTRIES}
_ALIASES: Mapping[str, str] = {alias: entry.qualname for entry in _ENTRIES for alias in entry.aliases}
# LangChain classes are re-exported from several packages (langchain_community, langchain.chat_models):
# the class name decides, under any `langchain*` module.
_LANGCHAIN_BY_NAME: Mapping[str, str] = {
    entry.qualname.rsplit(".", 1)[1]: entry.qualname
    for entry in _ENTRIES
    if entry.qualname.startswith("langchain")
}


@functools.cache
def canonical(qualname: str) -> str:
    """The public name of a re-exported client: `openai.lib.azure.AzureOpenAI` ->
    `openai.AzureOpenAI`, `langchain_community.chat_models.ChatOpenAI` ->
    `langchain_openai.ChatOpenAI`. Other names come back unchanged."""
    if qualname in _ALIASES:
        return _ALIASES[qualname]
    module, _, name = qualname.rpartition(".")
    if module.startswith("langchain") and name in _LANGCHAIN_BY_NAME:
        return _LANGCHAIN_BY_NAME[name]
    return qualname


@functools.cache
def client(qualname: str | None) -> Client | None:
    """The facts about the client class (or API module) `qualname` names, after `canonical`."""
    if qualname is None:
        return None
    return CLIENTS.get(canonical(qualname))


@dataclasses.dataclass(frozen=True)
class RequestBody:
    """The JSON body of one HTTP API's generation request, as its keys show it: a `model` key, one
    of `prompt_keys`, and one of `own_keys` (keys no other API's body has). `seed_key`: the key
    that seeds its sampling, None when the API has none."""

    api: str
    source: str
    prompt_keys: frozenset[str]
    own_keys: frozenset[str]
    seed_key: str | None


REQUEST_BODIES: tuple[RequestBody, ...] = (
    RequestBody(
        api="openai-compatible",
        source="OpenAI API reference, Chat Completions and Completions; vLLM, TGI's Messages API, "
        "llama.cpp server and Ollama's /v1 take the same body",
        prompt_keys=frozenset(["messages", "prompt"]),
        own_keys=frozenset(
            [
                "stop",
                "n",
                "logprobs",
                "echo",
                "best_of",
                "frequency_penalty",
                "presence_penalty",
                "logit_bias",
                "response_format",
                "max_completion_tokens",
                "seed",
            ]
        ),
        seed_key="seed",
    ),
    RequestBody(
        api="anthropic-messages",
        source="Anthropic Messages API reference (no seed parameter); Bedrock's anthropic_version",
        prompt_keys=frozenset(["messages", "prompt"]),
        own_keys=frozenset(["stop_sequences", "system", "anthropic_version", "max_tokens_to_sample"]),
        seed_key=None,
    ),
)


def request_body(keys: frozenset[str]) -> RequestBody | None:
    """The one API whose generation request body has these keys; None when none or several fit."""
    if "model" not in keys:
        return None
    fitting = [body for body in REQUEST_BODIES if body.prompt_keys & keys and body.own_keys & keys]
    return fitting[0] if len(fitting) == 1 else None


# The keywords a generation call takes its input by, across the table's SDKs (OpenAI's `messages`,
# `prompt` and `input`, Anthropic's `messages` and `system`, google-genai's `contents`, Ollama's
# `prompt`, `messages` and `images`, HF's `inputs` and `prompt`, Cohere's `message`, Bedrock's
# `body`, vLLM's `prompts` and `prompt_token_ids`). A call given none of them, no positional argument
# and no `**` splat generates nothing: it loads or unloads a model (Ollama's `generate(model=m,
# keep_alive=0)`).
GENERATION_INPUTS = frozenset(
    [
        "messages",
        "prompt",
        "input",
        "instructions",
        "system",
        "contents",
        "images",
        "inputs",
        "message",
        "body",
        "prompts",
        "prompt_token_ids",
    ]
)


# LangChain chat models without an entry of their own (their defaults are not verified here):
# still chat models, so their calls reach a model.
_LANGCHAIN_CHAT_MODELS = frozenset(
    [
        *(name for name, qualname in _LANGCHAIN_BY_NAME.items() if CLIENTS[qualname].calls),
        "ChatCohere",
        "ChatDatabricks",
        "ChatDeepSeek",
        "ChatHuggingFace",
        "ChatLiteLLM",
        "ChatNVIDIA",
        "ChatPerplexity",
        "ChatTogether",
        "ChatXAI",
        "init_chat_model",
    ]
)


# Legacy LangChain completion models (`from langchain.llms import OpenAI`): `predict`/`apredict`,
# `__call__` and the chains built on them reach the model like a chat model's `invoke`.
_LANGCHAIN_LEGACY_LLMS = frozenset(
    [
        "OpenAI",
        "AzureOpenAI",
        "OpenAIChat",
        "Anthropic",
        "Cohere",
        "HuggingFaceHub",
        "HuggingFaceEndpoint",
        "HuggingFaceTextGenInference",
        "Ollama",
        "VLLM",
        "VLLMOpenAI",
        "LlamaCpp",
        "Bedrock",
        "VertexAI",
        "Replicate",
        "Together",
    ]
)


def langchain_model(qualname: str | None) -> bool:
    """A LangChain chat model class, a legacy completion model (`langchain.llms.OpenAI`), or
    `init_chat_model(...)` (any provider)."""
    if qualname is None:
        return False
    module, _, name = qualname.rpartition(".")
    known = name in _LANGCHAIN_CHAT_MODELS or name in _LANGCHAIN_LEGACY_LLMS
    return module.startswith("langchain") and known


# The keyword a legacy LangChain chain (`LLMChain`, `ConversationChain`, `RetrievalQA.from_chain_type`)
# is given its model by: the chain's `run`/`arun`/`acall`/`predict` reach that model.
LANGCHAIN_CHAIN_MODEL_KEYWORD = "llm"


def langchain_component(qualname: str | None) -> bool:
    """Something a `langchain*` package builds (a chain, an agent executor, a retriever)."""
    return qualname is not None and qualname.split(".", 1)[0].startswith("langchain")


def langchain_embeddings(qualname: str | None) -> bool:
    """A LangChain embeddings class (`OpenAIEmbeddings`, `HuggingFaceEmbeddings`, ...)."""
    if qualname is None:
        return False
    module, _, name = qualname.rpartition(".")
    return module.startswith("langchain") and name.endswith("Embeddings")


# The calls that run a LangChain runnable (a chat model, or a chain built around one).
LANGCHAIN_RUNNABLE_CALLS = frozenset([*_LANGCHAIN_CALLS, *_LANGCHAIN_TWINS, *_LANGCHAIN_TWINS.values()])
# Those of them that return a coroutine.
LANGCHAIN_ASYNC_CALLS = frozenset(_LANGCHAIN_TWINS.values())
LANGCHAIN_EMBEDDING_CALLS = frozenset([*_LANGCHAIN_EMBEDDING_TWINS, *_LANGCHAIN_EMBEDDING_TWINS.values()])
# The methods that embed a search query (LangChain `Embeddings`, LlamaIndex `BaseEmbedding`): none
# has a batch form, and the document batch (`embed_documents`, `get_text_embedding_batch`) is no
# substitute: an asymmetric embedder (E5, BGE, an instruct model) encodes a query with its own
# prefix or instruction.
QUERY_EMBEDDING_METHODS = frozenset(
    ["embed_query", "aembed_query", "get_query_embedding", "aget_query_embedding"]
)


# Errors that pass by themselves: rate limits, overload, timeouts, dropped connections and server
# errors (5xx), as the SDKs raise them (openai-python and anthropic-sdk-python `_exceptions.py`,
# the legacy `openai.error` module, litellm's OpenAI-compatible ones, google-api-core's gRPC status
# errors) and as the HTTP libraries do. A request refused for what it is (400, 401, 404: a prompt
# too long, a bad key) is none of them: retrying it never succeeds.
TRANSIENT_ERRORS = frozenset(
    [
        *(
            f"{sdk}.{name}"
            for sdk in ("openai", "anthropic", "litellm")
            for name in ("RateLimitError", "APIConnectionError", "APITimeoutError", "InternalServerError")
        ),
        "anthropic.OverloadedError",
        "litellm.ServiceUnavailableError",
        "litellm.Timeout",
        "openai.error.RateLimitError",
        "openai.error.APIConnectionError",
        "openai.error.Timeout",
        "openai.error.ServiceUnavailableError",
        "openai.error.TryAgain",
        # The legacy SDK's catch-all for a 5xx or an unreadable response; the refusals (400, 401,
        # 403, 404) each have their own class there, unlike openai>=1's `APIError`, their base.
        "openai.error.APIError",
        "google.api_core.exceptions.ResourceExhausted",
        "google.api_core.exceptions.ServiceUnavailable",
        "google.api_core.exceptions.DeadlineExceeded",
        "google.api_core.exceptions.InternalServerError",
        "google.api_core.exceptions.TooManyRequests",
        "requests.ConnectionError",
        "requests.Timeout",
        "requests.ConnectTimeout",
        "requests.ReadTimeout",
        "requests.exceptions.ConnectionError",
        "requests.exceptions.Timeout",
        "requests.exceptions.ConnectTimeout",
        "requests.exceptions.ReadTimeout",
        "httpx.TimeoutException",
        "httpx.ConnectError",
        "httpx.ConnectTimeout",
        "httpx.ReadTimeout",
        "httpx.NetworkError",
        "urllib3.exceptions.TimeoutError",
        "urllib3.exceptions.ConnectTimeoutError",
        "urllib3.exceptions.ReadTimeoutError",
        "urllib3.exceptions.NewConnectionError",
        "urllib3.exceptions.ProtocolError",
        "aiohttp.ClientConnectionError",
        "aiohttp.ServerDisconnectedError",
        "aiohttp.ServerTimeoutError",
        "TimeoutError",
        "ConnectionError",
        "asyncio.TimeoutError",
    ]
)


# Errors that say an answer could not be read (its parsing or validation failed), not that the
# call failed: a retry on them asks the model again, and waiting first changes nothing. Python's
# own, the JSON and validation libraries', LangChain's output parsers'.
ANSWER_ERRORS = frozenset(
    [
        "ValueError",
        "KeyError",
        "IndexError",
        "TypeError",
        "AssertionError",
        "json.JSONDecodeError",
        "json.decoder.JSONDecodeError",
        "pydantic.ValidationError",
        "pydantic_core.ValidationError",
        "jsonschema.ValidationError",
        "jsonschema.exceptions.ValidationError",
        "langchain_core.exceptions.OutputParserException",
        "langchain.schema.OutputParserException",
    ]
)
# A project's own error named for an answer it could not read (`ExtractionException`,
# `InvalidJSONOutput`, `ParseError`), and not for a failed call.
_ANSWER_WORDS = re.compile(r"(?i)pars|extract|valid|format|schema|json|decod|output|answer")
_CALL_WORDS = re.compile(
    r"(?i)rate|limit|timeout|connect|unavailable|overload|server|throttl|network|temporar|quota|http|api"
)


def answer_error(qualname: str) -> bool:
    """Whether an error class says an answer could not be read (ANSWER_ERRORS, or a class named
    for one), rather than that a call failed."""
    name = qualname.rsplit(".", 1)[-1]
    if qualname in ANSWER_ERRORS:
        return True
    named = _ANSWER_WORDS.search(name) is not None and _CALL_WORDS.search(name) is None
    return named and qualname not in TRANSIENT_ERRORS
