import asyncio
from collections.abc import Iterator

from components.convert import (
    Formatter, Index, Limits, LocalBudget, PageConverter, PageStream, Renderer, Scorer, Sizer
)


class Extractor:
    def __init__(self) -> None:
        self._converter = PageConverter()
        self._scorer = Scorer()
        self._formatter = Formatter()

    def run(self, paths: list[str]) -> str:
        pages = self._converter.run(paths)
        self._scorer.run(pages)
        return self._formatter.run(pages)

    async def run_async(self, paths: list[str]) -> str:
        pages = self._converter.run(paths)
        scores = self._scorer.run(pages)
        threaded = await asyncio.to_thread(self._converter.run, paths)
        awaited = await self._scorer.run_async(threaded)
        return self._formatter.run([*pages, str(scores), str(awaited)])


async def budget(model: str) -> int:
    return Limits().window(model)  # negative: a constant fallback beside its twin calls nothing


async def measured(model: str) -> int:
    return Sizer().size(model)


async def local_budget(model: str) -> int:
    return LocalBudget().tokens(model)  # negative: its class implements no async twin


async def restored(path: str) -> int:
    index = Index.from_file(path)  # negative: an alternate constructor, made once
    return len(index.pages)


async def rendered(texts: list[str]) -> str:
    return Renderer().render(texts)  # negative: its twin only runs render in a thread


async def streamed(paths: list[str]) -> Iterator[str]:
    return PageStream().pages(paths)  # negative: calling a generator function runs none of it
