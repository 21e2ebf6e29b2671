"""Sessions to the MCP tool servers the research agent calls."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from mcp import ClientSession, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client


@asynccontextmanager
async def stdio_tools(params: StdioServerParameters) -> AsyncIterator[ClientSession]:
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:  # positive: no read timeout
            await session.initialize()
            yield session


@asynccontextmanager
async def sse_tools(url: str, read_timeout: timedelta) -> AsyncIterator[ClientSession]:
    async with sse_client(url) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=read_timeout) as session:  # negative
            await session.initialize()
            yield session


@asynccontextmanager
async def sse_tools_positional(url: str) -> AsyncIterator[ClientSession]:
    async with sse_client(url) as (read, write):
        async with ClientSession(read, write, timedelta(seconds=30)) as session:  # negative: positional
            yield session


@asynccontextmanager
async def http_tools(url: str) -> AsyncIterator[ClientSession]:
    async with streamablehttp_client(url) as (read, write, _):
        async with ClientSession(read, write) as session:  # negative: the HTTP transport bounds reads
            yield session


@asynccontextmanager
async def any_tools(url: str | None, params: StdioServerParameters) -> AsyncIterator[ClientSession]:
    if url is None:
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:  # positive: this one reads stdio
                yield session
    else:
        async with streamablehttp_client(url) as (read, write, _):
            async with ClientSession(read, write) as session:  # negative
                yield session


class ToolBox:
    """A component that bounds every tool call itself."""

    def __init__(self, tool_timeout: float = 30.0) -> None:
        self.tool_timeout = tool_timeout

    async def open(self, read, write) -> None:
        self.session = ClientSession(read, write)  # negative: its tool calls are bounded below

    async def run(self, name: str, arguments: dict) -> object:
        return await asyncio.wait_for(self.session.call_tool(name, arguments), timeout=self.tool_timeout)


class ScopedToolBox:
    async def open(self, read, write) -> None:
        self.session = ClientSession(read, write)  # negative: a deadline scope bounds call_tool

    async def run(self, name: str, arguments: dict) -> object:
        async with asyncio.timeout(20):
            return await self.session.call_tool(name, arguments)


class LooseToolBox:
    async def open(self, read, write) -> None:
        self.session = ClientSession(read, write)  # positive: only its handshake is bounded

    async def run(self, name: str, arguments: dict) -> object:
        await asyncio.wait_for(self.session.initialize(), timeout=5)
        return await self.session.call_tool(name, arguments)


class StackedToolBox:
    async def connect(self, url: str | None, params: StdioServerParameters) -> None:
        self.stack = AsyncExitStack()
        if url is not None:
            self.transport = streamablehttp_client(url)
            read, write, _ = await self.stack.enter_async_context(self.transport)
            self.session = ClientSession(read, write)  # negative: an HTTP transport entered on the stack
        else:
            read, write = await self.stack.enter_async_context(stdio_client(params))
            self.session = ClientSession(read, write)  # positive: stdio entered on the stack

    async def reconnect(self, url: str, legacy: bool) -> None:
        if legacy:
            self.transport = sse_client(url)
            read, write = await self.stack.enter_async_context(self.transport)
            self.session = ClientSession(read, write)  # negative: an SSE transport held in self
        else:
            self.transport = streamablehttp_client(url)
            read, write, _ = await self.stack.enter_async_context(self.transport)
            self.session = ClientSession(read, write)  # negative: the transport this branch holds


class ManualToolBox:
    async def connect(self, url: str, params: StdioServerParameters) -> None:
        self.transport = sse_client(url)
        streams = await self.transport.__aenter__()
        self.session = ClientSession(*streams)  # negative: an SSE transport entered by hand
        self.local = stdio_client(params)
        pipes = await self.local.__aenter__()
        self.local_session = ClientSession(*pipes)  # positive: stdio entered by hand


async def open_either(url: str | None, params: StdioServerParameters, stack: AsyncExitStack) -> ClientSession:
    if url is None:
        client = stdio_client(params)
    else:
        client = sse_client(url)
    transports = await stack.enter_async_context(client)
    return await stack.enter_async_context(ClientSession(*transports))  # positive: stdio on one branch


class UnpackedToolBox:
    async def open_remote(self, url: str, stack: AsyncExitStack) -> ClientSession:
        remote = await stack.enter_async_context(sse_client(url, timeout=10))
        read, write = remote
        return ClientSession(read, write)  # negative: streams unpacked from the SSE transport's name

    async def open_local(self, params: StdioServerParameters, stack: AsyncExitStack) -> ClientSession:
        local = await stack.enter_async_context(stdio_client(params))
        read, write = local
        return ClientSession(read, write)  # positive: streams unpacked from the stdio transport's name


def compatible_transport(url: str) -> object:
    """The transport of whichever SDK release is installed."""
    return getattr(mcp_client_module(), "streamable_http_client", streamablehttp_client)(url)


def mcp_client_module() -> object:
    import mcp.client.streamable_http as module

    return module


class CompatibleToolBox:
    async def connect(self, url: str) -> None:
        self.transport = compatible_transport(url)
        read, write, _ = await self.transport.__aenter__()
        self.session = ClientSession(read, write)  # negative: three values: the streamable HTTP transport


class DeadlineToolBox:
    async def connect(self, url: str, params: StdioServerParameters, timeout: float) -> None:
        self.transport = sse_client(url)
        self.read, self.write = await asyncio.wait_for(self.transport.__aenter__(), timeout=timeout)
        self.session = ClientSession(self.read, self.write)  # negative: SSE entered under a deadline
        self.local = stdio_client(params)
        self.pipe_in, self.pipe_out = await asyncio.wait_for(self.local.__aenter__(), timeout=timeout)
        self.local_session = ClientSession(self.pipe_in, self.pipe_out)  # positive: stdio, held in self
