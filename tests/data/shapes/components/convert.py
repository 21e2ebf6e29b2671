import asyncio
import base64
from collections.abc import Iterator


def encoded(path: str) -> str:
    with open(path, "rb") as handle:
        return base64.b64encode(handle.read()).decode()


class PageConverter:
    def run(self, paths: list[str]) -> list[str]:
        return [encoded(path) for path in paths]


class Scorer:
    def run(self, texts: list[str]) -> list[float]:
        return [float(len(text)) for text in texts]

    async def run_async(self, texts: list[str]) -> list[float]:
        scores = []
        for text in texts:
            scores.append(float(len(text)))
            await asyncio.sleep(0)
        return scores


class Formatter:
    def run(self, texts: list[str]) -> str:
        return "\n".join(text.strip() for text in texts)


class Limits:
    def window(self, model: str) -> int:
        return 8192

    async def window_async(self, model: str) -> int:
        await asyncio.sleep(0)
        return 32768


class Sizer:
    def size(self, model: str) -> int: ...

    async def size_async(self, model: str) -> int: ...


class Budget:
    def tokens(self, model: str) -> int:
        raise NotImplementedError

    async def tokens_async(self, model: str) -> int:
        raise NotImplementedError


class LocalBudget(Budget):
    def tokens(self, model: str) -> int:
        return 4096 if model.lower().startswith("small") else 8192


class Index:
    def __init__(self, pages: list[str]) -> None:
        self.pages = pages

    @classmethod
    def from_file(cls, path: str) -> "Index":
        with open(path) as handle:
            return cls(handle.read().split("\f"))


class Renderer:
    def render(self, texts: list[str]) -> str:
        return "".join(f"<p>{text}</p>" for text in texts)

    async def render_async(self, texts: list[str]) -> str:
        return await asyncio.to_thread(self.render, texts)


class PageStream:
    def pages(self, paths: list[str]) -> Iterator[str]:
        for path in paths:
            with open(path) as handle:
                yield handle.read()
