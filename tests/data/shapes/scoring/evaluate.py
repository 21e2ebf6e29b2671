from openai import AsyncOpenAI

from scoring.telemetry import (
    Embedder,
    adapter_location,
    append_log,
    build_judge,
    create_report,
    embedder_factory,
    load_template,
    package_version,
    parse_rubric,
    read_attachments,
    read_scoring_config,
    remote_settings,
    send_event,
    shared_session,
    track,
)

client = AsyncOpenAI(timeout=30, max_retries=3)


class Evaluator:
    def __init__(self) -> None:
        self.embedder: Embedder | None = None

    async def evaluate(self, samples: list[str], config_path: str) -> list[str]:
        embedder = embedder_factory("text-embedding-3-small")
        settings = read_scoring_config(config_path)
        judge = Embedder("judge")
        scores = []
        for sample in samples:
            if self.embedder is None:
                self.embedder = Embedder("lazy")
            name = build_judge(sample)
            answer = await client.chat.completions.create(
                model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": sample}]
            )
            scores.append(f"{answer.choices[0].message.content}{name}{embedder.name}{judge.name}{settings}")
        return scores

    async def generate(self, prompt: str, rubric_path: str) -> str:
        rubric = parse_rubric(rubric_path)
        answer = await client.chat.completions.create(
            model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": f"{rubric}{prompt}"}]
        )
        track({"event": "generation", "tokens": answer.usage.total_tokens})
        create_report(prompt)
        template = load_template()
        append_log(f"{package_version()} {template}")
        read_attachments([prompt])
        return answer.choices[0].message.content or ""

    async def grade_cases(self, case_paths: list[str]) -> list[str]:
        grades = []
        for path in case_paths:
            case = parse_rubric(path)
            answer = await client.chat.completions.create(
                model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": f"{case}"}]
            )
            grades.append(answer.choices[0].message.content or "")
        return grades

    async def publish(self, prompt: str) -> str:
        shared_session()
        limits = remote_settings()
        answer = await client.chat.completions.create(
            model="gpt-4o-2024-08-06", max_tokens=50, messages=[{"role": "user", "content": prompt}]
        )
        send_event({"prompt": prompt, "answer": answer.id, **limits})
        return adapter_location(prompt)
