"""Offline labelling of product reviews."""

import asyncio

from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from openai import AsyncOpenAI, OpenAI

client = OpenAI(timeout=30)
aclient = AsyncOpenAI(timeout=30)
llm = ChatOpenAI(model="gpt-4o-mini", timeout=30, max_tokens=20)
prompt = ChatPromptTemplate.from_messages([("human", "Classify this review: {review}")])
chain = prompt | llm


def label(reviews: list[str]) -> list[str]:
    labels = []
    for review in reviews:
        labels.append(llm.invoke(f"Classify: {review}").content)  # positive (low)
    return labels


def label_with_chain(reviews: list[str]) -> list[str]:
    return [chain.invoke({"review": r}).content for r in reviews]  # positive (low): runnable chain


async def label_async(reviews: list[str]) -> list[str]:
    out = []
    for review in reviews:
        reply = await aclient.chat.completions.create(  # positive (low): awaited one at a time
            model="gpt-4o-mini", messages=[{"role": "user", "content": review}], max_tokens=5
        )
        out.append(reply.choices[0].message.content or "")
    return out


def translate_greeting() -> list[str]:
    out = []
    for language in ["French", "German"]:  # negative: literal collection
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"Hello in {language}"}], max_tokens=10
        )
        out.append(reply.choices[0].message.content or "")
    return out


def first_acceptable(drafts: list[str]) -> str:
    for draft in drafts:  # negative: stops after success
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": draft}], max_tokens=10
        )
        if reply.choices[0].message.content == "ok":
            return draft
    return ""


def stream_answer(question: str) -> str:
    parts = []
    for chunk in llm.stream(question):  # negative: the call is the loop's iterable
        parts.append(chunk.content)
    return "".join(parts)


async def concurrent(reviews: list[str]) -> list[object]:
    coroutines = [  # negative: creates coroutines for a fan-out
        aclient.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": r}], max_tokens=5
        )
        for r in reviews
    ]
    return await asyncio.gather(*coroutines)


def embed(reviews: list[str]) -> list[object]:
    return [  # negative: embeddings are embedding-call-per-item's concern
        client.embeddings.create(model="text-embedding-3-small", input=r) for r in reviews
    ]


def answer_tools(messages: list[dict[str, object]], tool_calls: list[object]) -> None:
    for call in tool_calls:  # negative: agent tool-call loop
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=100, tools=[call])


def refine_plan(steps: list[str]) -> str:
    history = [{"role": "system", "content": "Refine the plan one step at a time."}]
    for step in steps:  # negative: each call is given the history the loop appends to
        history.append({"role": "user", "content": step})
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=history, max_tokens=50)
        history.append({"role": "assistant", "content": reply.choices[0].message.content or ""})
    return str(history[-1]["content"])


def running_summary(chunks: list[str]) -> str:
    summary = ""
    for chunk in chunks:  # negative: each call is given the summary the previous one wrote
        summary = llm.invoke(f"Summary so far: {summary}\nAdd: {chunk}").content
    return str(summary)


def summarize_each(chunks: list[str]) -> list[str]:
    out = []
    for chunk in chunks:
        prompt = f"Summarize: {chunk}"
        out.append(llm.invoke(prompt).content)  # positive (low): the prompt is set afresh per item
    return out
