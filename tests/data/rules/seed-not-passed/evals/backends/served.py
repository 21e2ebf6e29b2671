"""Models behind an HTTP inference server, scored by the evaluation suite."""

import requests


class ServedModel:
    """A model behind an inference server; subclasses say what a request body looks like."""

    def __init__(self, endpoint: str, model: str, seed: int = 0) -> None:
        self.endpoint = endpoint
        self.model = model
        self._seed = int(seed)

    def build_request(self, prompts: list[str], temperature: float) -> dict:
        raise NotImplementedError

    def generate(self, prompts: list[str], temperature: float = 0.0) -> dict:
        response = requests.post(self.endpoint, json=self.build_request(prompts, temperature), timeout=120)
        response.raise_for_status()
        return response.json()


class PinnedServer:
    """A server whose subclasses forward the sampling seed themselves."""

    def __init__(self, endpoint: str, sampling_seed: int = 7) -> None:
        self.endpoint = endpoint
        self._sampling_seed = sampling_seed
