"""Provider clients for the answer service (a fixture: every key in it is fake)."""

import os

import anthropic
from huggingface_hub import InferenceClient
from openai import OpenAI

from app.metrics import StatsClient

openai_client = OpenAI(api_key="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")
claude = anthropic.Anthropic(
    api_key="sk-ant-api03-CfrL1spNxnyVmihA-2O76UMFxFkM-R5Kjp1vRt_1fjORS-6ilI8ihN5KXSc7Tvo-hBKqFYY-kv5ZJr3J1TWDtkwtDDb_xAA",
    timeout=30,
)
hub = InferenceClient(model="acme/zephyr-chat", token="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")
GEMINI_KEY = "AIzaA4uoRgnatmUdjAWtGSU8po-799NksnRH9uc"
os.environ["COHERE_API_KEY"] = "n88HxjSI6bWHtP3fS2qHx6kwXoIIXGvO"
fallback = OpenAI(base_url="https://llm-gateway.internal/v1", api_key="Qm7vTz2KpX9wLc4RbN8sHd1J")

# Placeholders, environment lookups and non-secret values are fine.
local = OpenAI(api_key="sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
sandbox = OpenAI(api_key="your-api-key")
hub_docs = InferenceClient(token="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
from_env = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
os.environ.setdefault("ANTHROPIC_API_KEY", os.environ.get("CLAUDE_KEY", ""))
os.environ["APP_BUILD_ID"] = "n88HxjSI6bWHtP3fS2qHx6kwXoIIXGvO"
os.environ["HF_TOKEN"] = "changeme-changeme-changeme"
stats = StatsClient(token="Qm7vTz2KpX9wLc4RbN8sHd1J")
short = OpenAI(api_key="sk-test")
