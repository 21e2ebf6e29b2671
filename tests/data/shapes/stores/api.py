import asyncio
import sqlite3

import psycopg2
from fastapi import Depends
from openai import AsyncOpenAI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from stores.clients import Archive, async_cache, async_search, cache, load_document, motor, search
from stores.db import AsyncFactory, AsyncSessionLocal, SessionLocal, get_db
from stores.models import Document, Tag

llm = AsyncOpenAI(timeout=30, max_retries=3)


class Answerer(Archive):
    async def answer(self, doc_id: str, question: str) -> str:
        document = self.collection.find_one({"_id": doc_id})
        cached = cache.get(question)
        hits = search.search(index="docs", query={"match": {"text": question}})
        search.indices.refresh(index="docs")
        body = self.s3.get_object(Bucket="docs", Key=doc_id)
        url = self.s3.generate_presigned_url("get_object", Params={"Key": doc_id})
        reply = await llm.chat.completions.create(
            model="gpt-4o-2024-08-06", max_tokens=200, messages=[{"role": "user", "content": question}]
        )
        return f"{document}{cached}{hits}{body}{url}{reply}"

    async def answer_offloaded(self, doc_id: str, question: str) -> str:
        document = await asyncio.to_thread(self.collection.find_one, {"_id": doc_id})
        loop = asyncio.get_running_loop()
        cached = await loop.run_in_executor(None, lambda: cache.get(question))
        hits = await run_in_threadpool(search.search, index="docs")
        fresh = await async_cache.get(question)
        more = await async_search.search(index="docs")
        rows = await motor.rag.documents.find({"_id": doc_id}).to_list(10)
        return f"{document}{cached}{hits}{fresh}{more}{rows}"


async def count_documents() -> int:
    return load_document("count") or search.count(index="docs")


async def rows(db: Session = Depends(get_db)) -> list:
    await asyncio.sleep(0)  # awaits: each blocking call is its own place
    found = db.query(Document).filter(Document.title == "a").all()
    db.commit()
    with SessionLocal() as session:
        session.execute(select(Document))
    return found


async def rows_async(db: AsyncSession) -> list:
    db.add(Document(title="a"))
    pending = db.commit()
    async with AsyncSessionLocal() as session:
        session.add(Document(title="b"))
    factory_session = AsyncFactory()
    flushed = factory_session.flush()
    await asyncio.gather(pending, flushed)
    return []


async def peewee_documents(title: str) -> list:
    await asyncio.sleep(0)  # awaits: each blocking call is its own place
    first = Document.get(Document.title == title)
    query = Document.select().where(Document.title == title)
    Document.update(body="").where(Document.title == title).execute()
    draft = Document(title=title, body="")
    draft.save()
    Document.create(title="copy", body="")
    tag = Tag.get(title)
    return [first, query, tag]


async def raw_rows(store, key: str) -> list:
    await asyncio.sleep(0)  # awaits: each blocking call is its own place
    local = sqlite3.connect("app.db")
    local.execute("select * from drafts")  # in the process, on a local file: no server to wait on
    remote = psycopg2.connect("dbname=docs")
    cursor = remote.cursor()
    cursor.execute("select * from docs")
    found = cursor.fetchall()
    store.get(key)
    return [found, remote]
