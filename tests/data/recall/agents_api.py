import asyncio
import concurrent.futures
from concurrent.futures import ThreadPoolExecutor, as_completed, wait

from asgiref.sync import sync_to_async
from fastapi import APIRouter

from agents.indexing import build_index, load_shard
from agents.models import Agent, Document

router = APIRouter()


@router.get("/agents/{slug}")
async def agent_card(slug: str) -> dict:
    agent = await Agent.objects.aget(slug=slug)
    has_files = agent.document_set.exists()
    total = Document.objects.filter(agent=agent).count()
    newest = Document.objects.filter(agent=agent).order_by("-created").first()
    indexed = await Document.objects.filter(agent=agent, indexed=True).acount()
    recent = Document.objects.filter(agent=agent)[:5]
    titles = await sync_to_async(lambda: list(Document.objects.values_list("title", flat=True)))()
    pinned = await asyncio.to_thread(lambda: Document.objects.filter(pinned=True).count())
    return {
        "has_files": has_files,
        "total": total,
        "newest": newest.title if newest else None,
        "indexed": indexed,
        "recent": [d.title async for d in recent],
        "titles": titles,
        "pinned": pinned,
    }


def agent_card_sync(slug: str) -> dict:
    agent = Agent.objects.get(slug=slug)
    return {"has_files": agent.document_set.exists()}


async def warm_indexes(shards: list[str]) -> list[str]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(build_index, shard) for shard in shards]
        wait(futures)
        return [future.result() for future in futures]


async def load_pair(left_name: str, right_name: str) -> tuple[bytes, bytes]:
    with concurrent.futures.ThreadPoolExecutor() as pool:
        left = pool.submit(load_shard, left_name)
        right = pool.submit(load_shard, right_name)
        first = left.result()
        second = right.result()
    return first, second


async def first_ready(shards: list[str]) -> str:
    with ThreadPoolExecutor() as pool:
        futures = [pool.submit(build_index, shard) for shard in shards]
        for done in as_completed(futures):
            return done.result()
    return ""


async def load_offloaded(name: str) -> bytes:
    with ThreadPoolExecutor() as pool:
        future = pool.submit(load_shard, name)
        return await asyncio.wrap_future(future)


def warm_indexes_sync(shards: list[str]) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent.futures.wait([pool.submit(build_index, shard) for shard in shards])
