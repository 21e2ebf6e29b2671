import asyncio

from openai import OpenAI

client = OpenAI(timeout=30)


class Drafts:
    def write(self, topic):
        return client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": topic}], max_tokens=200
        )


class Renderer:
    """Its backend is whatever the caller passes: nothing says it is `Drafts`, whose `write`
    merely shares the name of the method called on it."""

    def __init__(self, backend):
        self.backend = backend

    async def render_all(self, pages):
        async def one(page):
            return await self.backend.write(page)

        return await asyncio.gather(*[one(page) for page in pages])
