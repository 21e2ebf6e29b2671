"""Sessions to the MCP tool servers the research agent calls."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
