"""Request bodies of the completion backends."""

from evals.backends.served import PinnedServer, ServedModel


class TextCompletions(ServedModel):
    def build_request(self, prompts: list[str], temperature: float) -> dict:
        return {
            "model": self.model,
            "prompt": prompts,
            "max_tokens": 256,
            "temperature": temperature,
            "stop": ["\n\n"],
        }

    def score_request(self, prompts: list[str]) -> dict:
        # Greedy scoring: a literal temperature of 0 leaves nothing for a seed to fix.
        return {"model": self.model, "prompt": prompts, "temperature": 0, "max_tokens": 1, "logprobs": 1}


class ChatCompletions(TextCompletions):
    def build_request(self, prompts: list[str], temperature: float) -> dict:
        messages = [{"role": "user", "content": p} for p in prompts]
        return {"model": self.model, "messages": messages, "top_p": 0.95, "n": 1}


class ClaudeMessages(ServedModel):
    # Anthropic's Messages API has no seed to pass.
    def build_request(self, prompts: list[str], temperature: float) -> dict:
        messages = [{"role": "user", "content": p} for p in prompts]
        return {
            "model": self.model,
            "system": "Answer briefly.",
            "messages": messages,
            "max_tokens": 256,
            "temperature": temperature,
        }


class UnknownServer(ServedModel):
    # Keys every chat API shares: which API this is (and whether it takes a seed) is not known.
    def build_request(self, prompts: list[str], temperature: float) -> dict:
        return {"model": self.model, "messages": prompts, "temperature": temperature, "max_tokens": 64}


class PinnedCompletions(PinnedServer):
    def build_request(self, prompts: list[str], temperature: float) -> dict:
        return {"model": "served", "prompt": prompts, "stop": ["</s>"], "seed": self._sampling_seed}

    def probe_request(self, prompt: str) -> dict:
        # The base's seed is read (above): a request without it is not this rule's.
        return {"model": "served", "prompt": prompt, "temperature": 1.0, "stop": ["</s>"]}
