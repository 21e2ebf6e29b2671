from openai import OpenAI
from openai.lib.azure import AzureOpenAI

shared = OpenAI()


class AzureGenerator:
    def __init__(self, endpoint: str, deployment: str) -> None:
        self.deployment = deployment
        self.client = AzureOpenAI(api_version="2024-06-01", azure_endpoint=endpoint)


class BoundedGenerator:
    def __init__(self, options: dict) -> None:
        self.client = OpenAI(timeout=30)
        self.configured = OpenAI(**options)

    def fresh(self) -> OpenAI:
        return OpenAI()
