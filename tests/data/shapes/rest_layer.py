import json

import requests

COMPLETIONS_URL = "https://llm.internal/v1/completions"


class RestCompletion:
    def __init__(self, key: str) -> None:
        self.key = key
        self.url = "https://api.openai.com/v1/completions"
        self.status_url = "https://metrics.internal/status"

    def complete(self, prompt: str) -> str:
        body = json.dumps({"prompt": prompt})
        response = requests.request("POST", self.url, data=body, timeout=30)
        return response.json()["choices"][0]["text"]

    def complete_constant(self, prompt: str) -> str:
        response = requests.request(method="post", url=COMPLETIONS_URL, json={"prompt": prompt}, timeout=30)
        return response.json()["choices"][0]["text"]

    def status(self) -> str:
        return requests.request("POST", self.status_url, timeout=5).text

    def listing(self) -> str:
        return requests.request("GET", self.url, timeout=5).text

    def chosen(self, verb: str) -> str:
        return requests.request(verb, self.url, timeout=5).text
