"""An aiohttp front end whose upstream is warmed by the app's signals."""

from aiohttp import web
from openai import OpenAI
from starlette.applications import Starlette

upstream = OpenAI(timeout=10)
PING = [{"role": "user", "content": "ping"}]


async def warm(app: web.Application) -> None:
    upstream.chat.completions.create(model="gpt-4o-mini", messages=PING, max_tokens=1)


async def close(app: web.Application) -> None:
    upstream.chat.completions.create(model="gpt-4o-mini", messages=PING, max_tokens=1)


async def preload() -> None:
    upstream.chat.completions.create(model="gpt-4o-mini", messages=PING, max_tokens=1)


async def handle(request: web.Request) -> web.Response:
    upstream.chat.completions.create(model="gpt-4o-mini", messages=PING, max_tokens=1)  # positive
    return web.Response(text="ok")


app = web.Application()
app.on_startup.append(warm)
app.on_cleanup.append(close)
front = Starlette(on_startup=[preload])
