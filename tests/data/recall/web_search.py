import aiohttp

SEARCH_URL = "https://search.example.com/v1/search"


async def search(query: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.post(SEARCH_URL, json={"q": query, "limit": 10}) as response:
            return await response.json()


async def summarize(page: str) -> str:
    payload = {"model": "summarizer", "messages": [{"role": "user", "content": page}]}
    async with aiohttp.ClientSession() as session:
        async with session.post("http://vllm:8000/v1/chat/completions", json=payload) as response:
            body = await response.json()
            return body["choices"][0]["message"]["content"]


async def read_page(url: str) -> str:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.get(url) as response:
            return await response.text()


async def read_page_per_request(url: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=20)) as response:
            return await response.text()


async def read_page_unbounded(url: str) -> str:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout()) as session:
        async with session.get(url) as response:
            return await response.text()


async def read_with(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as response:
        return await response.text()


async def read_configured(url: str, **options: object) -> str:
    async with aiohttp.ClientSession(**options) as session:
        async with session.get(url) as response:
            return await response.text()
