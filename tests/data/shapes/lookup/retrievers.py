"""Retrievers: the base runs a subclass's hooks, sync and async."""

import asyncio

import httpx
from sentence_transformers import SentenceTransformer


class Retriever:
    def retrieve(self, query: str) -> list[str]:
        return self._retrieve(query)

    async def aretrieve(self, query: str) -> list[str]:
        return await self._aretrieve(query)

    def _retrieve(self, query: str) -> list[str]:
        raise NotImplementedError

    async def _aretrieve(self, query: str) -> list[str]:
        raise NotImplementedError


class GraphLookup(Retriever):
    """Walks an in-memory graph: its async hook only runs the sync one."""

    def __init__(self, edges: dict[str, list[str]]) -> None:
        self.edges = edges

    def _retrieve(self, query: str) -> list[str]:
        return sorted(self.edges.get(query, []))

    async def _aretrieve(self, query: str) -> list[str]:
        return self._retrieve(query)


class RemoteLookup(Retriever):
    """Asks a search service: its async hook awaits the service."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.encoder = SentenceTransformer("./encoder")

    def _retrieve(self, query: str) -> list[str]:
        return httpx.get(self.url, params={"q": query}, timeout=10).json()["hits"]

    async def _aretrieve(self, query: str) -> list[str]:
        async with httpx.AsyncClient(timeout=10) as client:
            reply = await client.get(self.url, params={"q": query})
        return reply.json()["hits"]


class ThreadedLookup(Retriever):
    """Its async hook hands the sync one to a thread."""

    def _retrieve(self, query: str) -> list[str]:
        return httpx.get("https://search.internal/q", params={"q": query}, timeout=10).json()["hits"]

    async def _aretrieve(self, query: str) -> list[str]:
        return await asyncio.to_thread(self._retrieve, query)
