import asyncio
from concurrent.futures import Future, ThreadPoolExecutor

from openai import OpenAI

client = OpenAI(timeout=30, max_retries=3)


class EventBus:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=4)

    def _deliver(self, event: str) -> None:
        with open("events.log", "a") as handle:
            handle.write(event)

    def emit(self, event: str) -> Future[None]:
        return self._pool.submit(self._deliver, event)

    async def aemit(self, event: str) -> None:
        await asyncio.to_thread(self._deliver, event)

    def publish(self, event: str):
        return self._pool.submit(self._deliver, event)

    async def apublish(self, event: str) -> None:
        await asyncio.to_thread(self._deliver, event)

    def flush(self) -> None:
        self._pool.shutdown(wait=True)

    async def aflush(self) -> None:
        self._pool.shutdown(wait=False)
