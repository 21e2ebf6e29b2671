"""Per-document steps of the enrichment pipeline, each one model call."""

import asyncio

from langchain.chains import LLMChain
from langchain_core.prompts import PromptTemplate
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", timeout=30, max_tokens=200)
title_chain = LLMChain(llm=llm, prompt=PromptTemplate.from_template("Title for: {doc}"))
MODEL_LIMIT = asyncio.Semaphore(4)


async def summarize_doc(doc: str) -> str:
    reply = await llm.ainvoke(f"Summarize: {doc}")
    return str(reply.content)


async def title_doc(doc: str) -> str:
    return await title_chain.arun(doc=doc)  # a legacy chain around the chat model


async def tag_doc(doc: str) -> list[str]:
    return (await summarize_doc(doc)).split()  # the model call is one more hop away


async def limited_summary(doc: str) -> str:
    async with MODEL_LIMIT:
        return await summarize_doc(doc)


async def count_words(doc: str) -> int:
    return len(doc.split())
