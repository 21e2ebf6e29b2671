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
