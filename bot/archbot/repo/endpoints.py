"""Where HTTP calls go (shared by the families that judge calls, routing and the hook's screen):
the HTTP methods, the hosted model APIs by what they serve, the serving paths of model servers,
this machine. The screen reads it without the review pipeline: it imports only `re` at run time."""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the screen reads this module)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Final, Literal

HTTP_METHODS = frozenset(["get", "post", "put", "patch", "delete", "head", "options", "request"])
# Hosted model APIs, one entry per host, by what they serve: "generation" (a model that samples
# text: chat, completions, embeddings) or "scoring" (a hosted classifier: toxicity, moderation).
# A URL on one of these hosts is a model call whatever its path.
HOSTED_MODEL_APIS: Final[Mapping[str, Literal["generation", "scoring"]]] = {
    "api.openai.com": "generation",
    "api.anthropic.com": "generation",
    "generativelanguage.googleapis.com": "generation",
    "api.mistral.ai": "generation",
    "api.groq.com": "generation",
    "api.together.xyz": "generation",
    "api.deepseek.com": "generation",
    "api.cohere.com": "generation",
    "api-inference.huggingface.co": "generation",
    "router.huggingface.co": "generation",
    "commentanalyzer.googleapis.com": "scoring",  # Perspective API: toxicity scores
}


def _hosts(kind: str) -> str:
    """The hosts of one kind, as a pattern matching the whole host only (not `xapi.openai.com`)."""
    hosts = (re.escape(host) for host, served in HOSTED_MODEL_APIS.items() if served == kind)
    return "|".join(rf"(?<![\w.-]){host}(?![\w.-])" for host in hosts)


# A URL that reaches a generative model: a serving path (OpenAI-compatible, TGI, Ollama) or host.
LLM_ENDPOINT = re.compile(
    r"/v1/(chat/)?completions|/v1/embeddings|/v1/messages|/generate\b|:11434|/api/(generate|chat)\b|"
    + _hosts("generation")
)
# What marks a file's code as a client of a generative model by itself, with no SDK imported
# (routing, the hook's screen): the OpenAI-compatible serving paths, Ollama's port, the hosted
# APIs' hosts. Narrower than LLM_ENDPOINT: `/generate`, `/api/chat` and `/v1/messages` also name
# routes of applications that serve no model.
MODEL_CLIENT_URL = re.compile(
    r"/v1/(?:chat/)?completions(?![\w-])|/v1/embeddings(?![\w-])|:11434\b|" + _hosts("generation")
)
# A URL that reaches any hosted model, a scoring one included (what retries and timeouts concern).
MODEL_ENDPOINT = re.compile(f"{LLM_ENDPOINT.pattern}|{_hosts('scoring')}")

# A URL whose host is this machine: a process the code runs beside (a sidecar, a server it started).
LOOPBACK_URL = re.compile(r"^\w+://(?:localhost|127(?:\.\d+){3}|\[::1\])(?::|/|$)", re.IGNORECASE)

# URLs the standard library opens without the network: a `data:` URL is decoded in place (nothing
# to wait for), a `file:` URL read from disk (nothing to time out).
DATA_URL = re.compile(r"^data:", re.IGNORECASE)
OFFLINE_URL = re.compile(r"^(?:data|file):", re.IGNORECASE)
