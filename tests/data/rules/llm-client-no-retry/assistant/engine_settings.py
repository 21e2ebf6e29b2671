"""Where the assistant's engines live, read from the environment."""

from pydantic import Field
from pydantic_settings import BaseSettings


class EngineSettings(BaseSettings):
    draft_base: str = Field(default="http://localhost:11434", description="drafting engine")
    summary_base: str = "http://127.0.0.1:8081"
    review_base: str = Field("https://review-engine.example.net", description="shared reviewer")


def load_settings() -> EngineSettings:
    return EngineSettings()


engine_settings = load_settings()
