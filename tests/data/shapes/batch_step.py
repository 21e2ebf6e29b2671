import asyncio
import subprocess

import httpx
from openai import AsyncOpenAI

aclient = AsyncOpenAI(timeout=30, max_retries=3)


def scheduler_host() -> str:
    return subprocess.run(["scontrol", "show", "hostnames"], capture_output=True, text=True).stdout


async def complete(prompt: str) -> str:
    reply = await aclient.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=64, messages=[{"role": "user", "content": prompt}]
    )
    return reply.choices[0].message.content or ""


class GenerationStep:
    def __init__(self, prompts: list[str]) -> None:
        self.prompts = prompts

    async def run_async(self) -> list[str]:
        host = scheduler_host()
        async with httpx.AsyncClient(base_url=host, timeout=10) as http:
            await http.get("/health")
            answers = await asyncio.gather(*(complete(p) for p in self.prompts))
        scheduler_host()
        return answers

    def run(self) -> list[str]:
        return asyncio.run(self.run_async())


class ScoringStep:
    async def score_async(self, answers: list[str]) -> int:
        host = scheduler_host()
        return len(host) + len(answers)

    def run(self, answers: list[str]) -> int:
        return asyncio.run(self.score_async(answers))


async def evaluate(step: ScoringStep, answers: list[str]) -> int:
    return await step.score_async(answers)
