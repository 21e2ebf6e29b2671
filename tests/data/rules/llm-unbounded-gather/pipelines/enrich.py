"""Enrichment of crawled documents with the steps of another module."""

import asyncio
import itertools

import anyio
import trio
from langchain_core.documents import Document

from pipelines.steps import count_words, limited_summary, summarize_doc, tag_doc, title_doc


async def enrich(docs: list[str]) -> list[str]:
    summaries = await asyncio.gather(*(summarize_doc(d) for d in docs))  # positive: other module
    titles = await asyncio.gather(*[title_doc(d) for d in docs])  # positive: legacy chain .arun
    tasks = [asyncio.create_task(tag_doc(d)) for d in docs]  # positive: create_task per item
    done, _ = await asyncio.wait(tasks)
    for doc in docs:
        asyncio.create_task(summarize_doc(doc))  # positive: a task per item in a for
    return [*summaries, *titles, str(len(done))]


async def enrich_in_task_groups(docs: list[str]) -> None:
    async with anyio.create_task_group() as tg:
        for doc in docs:
            tg.start_soon(summarize_doc, doc)  # positive: anyio task per item
    async with trio.open_nursery() as nursery:
        for doc in docs:
            nursery.start_soon(title_doc, doc)  # positive: trio task per item
        for doc in docs:
            nursery.start_soon(lambda: summarize_doc(doc))  # positive: the lambda's call, per item
            nursery.start_soon(lambda: count_words(doc))  # negative: no model call


async def bounded(docs: list[str], limiter: anyio.CapacityLimiter, pages: list[Document]) -> None:
    await asyncio.gather(*(limited_summary(d) for d in docs))  # negative: shared semaphore
    await asyncio.gather(*(count_words(d) for d in docs))  # negative: no model call
    await asyncio.gather(*(summarize_doc(d) for d in ["intro", "outro"]))  # negative: literal list
    await asyncio.gather(*(asyncio.to_thread(len, d) for d in docs))  # negative: thread pool bounds it
    for batch in itertools.batched(docs, 16):
        await asyncio.gather(*(summarize_doc(d) for d in batch))  # negative: chunked
    tasks = [asyncio.create_task(tag_doc(d)) for d in docs]
    await asyncio.gather(*tasks)  # positive: reported here once, not also at the comprehension
    async with anyio.create_task_group() as tg:
        for doc in docs:
            await limiter.acquire()
            tg.start_soon(summarize_doc, doc)  # negative: a limiter acquired per task started
