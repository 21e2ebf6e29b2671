"""Concurrent summarization of crawled documents."""

import asyncio
import itertools

from openai import AsyncOpenAI

client = AsyncOpenAI(timeout=30)
SHARED_LIMIT = asyncio.Semaphore(8)


async def summarize(doc: str) -> str:
    reply = await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": doc}], max_tokens=200
    )
    return reply.choices[0].message.content or ""


async def summarize_limited(doc: str) -> str:
    async with SHARED_LIMIT:
        return await summarize(doc)


async def summarize_own_limit(doc: str) -> str:
    limit = asyncio.Semaphore(4)  # created per call: every call gets its own
    async with limit:
        return await summarize(doc)


async def word_count(doc: str) -> int:
    return len(doc.split())


async def unbounded(docs: list[str]) -> list[str]:
    first = await asyncio.gather(*(summarize(d) for d in docs))  # positive
    tasks = [asyncio.create_task(summarize(d)) for d in docs]
    second = await asyncio.gather(*tasks)  # positive: tasks built by a comprehension
    third = await asyncio.gather(*(summarize_own_limit(d) for d in docs))  # positive: per-call semaphore
    pending = []
    for doc in docs:
        pending.append(summarize(doc))
    for finished in asyncio.as_completed(pending):  # positive: built by append in a for
        await finished
    vectors = await asyncio.gather(  # positive: the LLM call itself is the element
        *[client.embeddings.create(model="text-embedding-3-small", input=[d]) for d in docs]
    )
    async with asyncio.TaskGroup() as group:
        for doc in docs:
            group.create_task(summarize(doc))  # positive
    return [*first, *second, *third, str(len(vectors))]


async def bounded(docs: list[str]) -> None:
    await asyncio.gather(*(summarize_limited(d) for d in docs))  # negative: shared semaphore
    await asyncio.gather(summarize(docs[0]), summarize(docs[-1]))  # negative: fixed arity
    await asyncio.gather(*(summarize(d) for d in docs[:5]))  # negative: literal slice
    await asyncio.gather(*(word_count(d) for d in docs))  # negative: no LLM call
    await asyncio.gather(*(summarize(d) for d in ["intro", "outro"]))  # negative: literal list
    for batch in itertools.batched(docs, 16):
        await asyncio.gather(*(summarize(d) for d in batch))  # negative: chunked


async def bounded_by_caller(docs: list[str]) -> list[str]:
    limit = asyncio.Semaphore(8)  # created once for the whole fan-out

    async def one(doc: str) -> str:
        async with limit:
            return await summarize(doc)

    return await asyncio.gather(*(one(d) for d in docs))  # negative


async def split_question(question: str) -> list[str]:
    reply = await summarize(f"Split into parts, one per line: {question}")
    parts = [line for line in reply.splitlines() if line.strip()]
    if len(parts) > 1:
        return parts[:3]
    return [question]


async def related_documents(question: str) -> list[str]:
    reply = await summarize(f"List the documents about: {question}")
    return reply.splitlines()


async def answer_parts(question: str) -> list[str]:
    parts = await split_question(question)
    first = await asyncio.gather(*(summarize(p) for p in parts))  # negative: at most three
    found = await related_documents(question)
    second = await asyncio.gather(*(summarize(d) for d in found))  # positive: as many as listed
    return [*first, *second]
