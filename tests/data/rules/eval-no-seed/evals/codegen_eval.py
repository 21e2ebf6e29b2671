"""Sample code completions from the candidate model and score them against the tests."""

from vllm import LLM, SamplingParams

SEED = 7


def sample(prompts: list[str], model: str) -> list[str]:
    llm = LLM(model=model)
    pinned = SamplingParams(n=4, temperature=0.8, seed=SEED, max_tokens=512)
    outputs = llm.generate(prompts, pinned)  # negative: the params pin the sampling
    return [o.outputs[0].text for o in outputs]


def sample_configured(prompts: list[str], model: str, params: SamplingParams) -> list[str]:
    llm = LLM(model=model)
    outputs = llm.generate(prompts, params)  # negative: settings from the caller, unknown here
    return [o.outputs[0].text for o in outputs]


def sample_free(prompts: list[str], model: str) -> list[str]:
    llm = LLM(model=model)
    outputs = llm.generate(prompts)  # positive: default sampling, no seed
    return [o.outputs[0].text for o in outputs]


def sample_with(prompts: list[str], model: str, max_tokens: int, **decoding: float) -> list[str]:
    llm = LLM(model=model)
    params = SamplingParams(max_tokens=max_tokens, **decoding)
    outputs = llm.generate(prompts, params)  # negative: the caller's options may set both
    return [o.outputs[0].text for o in outputs]


def sample_short(prompts: list[str], model: str) -> list[str]:
    llm = LLM(model=model)
    params = SamplingParams(max_tokens=64)
    outputs = llm.generate(prompts, params)  # positive: its own params set neither
    return [o.outputs[0].text for o in outputs]
