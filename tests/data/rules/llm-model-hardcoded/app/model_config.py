"""Per-environment model configuration."""

from langchain_anthropic import ChatAnthropic


def chat_model(env: str) -> ChatAnthropic:
    return ChatAnthropic(model="claude-sonnet-4-5-20250929", timeout=30, max_tokens=800)
