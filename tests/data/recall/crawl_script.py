import asyncio

import aiohttp


async def crawl(urls: list[str]) -> list[str]:
    pages = []
    async with aiohttp.ClientSession() as session:
        for url in urls:
            async with session.get(url) as response:
                pages.append(await response.text())
    return pages


if __name__ == "__main__":
    asyncio.run(crawl(["https://example.com"]))
