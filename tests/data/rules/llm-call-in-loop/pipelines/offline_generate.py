"""Offline generation over a dataset: per item, per shard and per chunk."""

from openai import OpenAI
from vllm import LLM, SamplingParams

llm = LLM(model="org/summariser", revision="3f2a9c1d7e5b8a6f4c2d0e1b9a8f7c6d5e4b3a21")
params = SamplingParams(max_tokens=256, seed=7)
client = OpenAI(timeout=30)


def one_by_one(prompts: list[str]) -> list[str]:
    texts = []
    for prompt in prompts:
        texts.append(llm.generate(prompt, params)[0].outputs[0].text)
    return texts


def by_shard(shards: list[list[dict[str, str]]]) -> list[str]:
    texts = []
    for shard in shards:
        prompts = [row["text"] for row in shard]
        texts.extend(out.outputs[0].text for out in llm.generate(prompts, params))
    return texts


def by_chunk(rows: list[str], size: int) -> list[str]:
    texts = []
    for start in range(0, len(rows), size):
        outputs = llm.generate(rows[start : start + size], sampling_params=params)
        texts.extend(out.outputs[0].text for out in outputs)
    return texts


def digest_chunks(notes: list[str]) -> list[str]:
    digests = []
    for start in range(0, len(notes), 20):
        joined = "\n".join(notes[start : start + 20])
        reply = client.chat.completions.create(
            model="gpt-4o-mini", max_tokens=200, messages=[{"role": "user", "content": joined}]
        )
        digests.append(reply.choices[0].message.content or "")
    return digests


def digest_each(notes: list[str]) -> list[str]:
    digests = []
    for note in notes:
        reply = client.chat.completions.create(
            model="gpt-4o-mini", max_tokens=200, messages=[{"role": "user", "content": note}]
        )
        digests.append(reply.choices[0].message.content or "")
    return digests


def reply_each(conversations: list[list[dict[str, str]]]) -> list[str]:
    return [llm.chat(conversation, params)[0].outputs[0].text for conversation in conversations]


def digest_batches(notes: list[str], size: int) -> list[str]:
    from tqdm import tqdm

    digests = []
    starts = list(range(0, len(notes), size))
    for start in tqdm(starts):  # negative: chunk starts held in a name, wrapped for progress
        joined = "\n".join(notes[start : start + size])
        reply = client.chat.completions.create(
            model="gpt-4o-mini", max_tokens=200, messages=[{"role": "user", "content": joined}]
        )
        digests.append(reply.choices[0].message.content or "")
    return digests


def release_models(names: list[str]) -> None:
    import ollama

    local = ollama.Client(host="http://gpu-box:11434", timeout=30)
    for name in names:
        local.generate(model=name, keep_alive=0)  # negative: no prompt, an unload
    for name in names:
        local.generate(model=name, prompt="ping", keep_alive=0)  # positive: a prompt per model
