import asyncio

from events.bus import EventBus, client

bus = EventBus()


async def run_flow(question: str) -> str:
    started = bus.emit("started")
    queued = bus.publish("queued")
    await asyncio.wrap_future(queued)
    answer = client.chat.completions.with_raw_response
    bus.flush()
    await asyncio.wrap_future(started)
    return f"{question}{answer}"
