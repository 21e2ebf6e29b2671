"""Nightly answering of the support backlog."""

import asyncio

import anyio
import trio
from langchain_core.documents import Document

from pipelines.answer_steps import (
    answer_all,
    answer_later,
    answer_question,
    chat,
    completion_llm,
    continue_dialogue,
    grade_chain,
    normalise,
)


async def answer_backlog(questions: list[str]) -> list[str]:
    answers = []
    for question in questions:
        answers.append(await answer_question(question))  # positive: one hop, awaited per item
    return answers


async def answer_in_threads(questions: list[str]) -> list[str]:
    answers = []
    for question in questions:
        answers.append(await anyio.to_thread.run_sync(chat.invoke, question))  # positive: offload
    for question in questions:
        await trio.to_thread.run_sync(lambda: chat.invoke(question))  # positive: offload of a lambda
    return answers


async def legacy_calls(questions: list[str]) -> list[str]:
    graded = []
    for question in questions:
        graded.append(await completion_llm.apredict(question))  # positive: legacy apredict
        graded.append(await grade_chain.acall({"answer": question}))  # positive: legacy chain acall
    return graded


async def not_per_item(questions: list[str], pages: list[Document]) -> list[str]:
    history: list[str] = []
    for question in questions:
        history.append(continue_dialogue(history, question))  # negative: carries the history
    for _ in questions:
        history.append(normalise(history[-1]))  # negative: no model call
    for page in pages:
        history.extend(answer_all([page.page_content]))  # negative: a batch call
    for question in ["What is archbot?", "Who runs it?"]:
        history.append(await answer_question(question))  # negative: literal collection
    coroutines = [answer_question(q) for q in questions]  # negative: a fan-out, not a loop
    history.extend(await asyncio.gather(*coroutines[:4]))
    for question in questions:
        history.append(await asyncio.to_thread(normalise, question))  # negative: offload, no model
    return history


GREETINGS = {"fr": "Bonjour", "de": "Hallo"}


async def greet_all() -> list[str]:
    return [await answer_question(text) for _, text in GREETINGS.items()]  # negative: a constant


async def walk_stages(project: str) -> list[str]:
    stages = [f"Plan {project}", f"Review {project}"]
    return [await answer_question(stage) for _, stage in enumerate(stages)]  # negative: a local literal


async def fan_out(questions: list[str]) -> list[object]:
    return await asyncio.gather(*[answer_later(q) for q in questions])  # negative: coroutines built


def vectorise(passages: list[str]) -> list[list[float]]:
    from pipelines.answer_steps import embed_passage

    return [embed_passage(p) for p in passages]  # negative: a step named for embedding
