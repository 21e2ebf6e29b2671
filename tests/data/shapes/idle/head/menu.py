import asyncio
import time

from openai import AsyncOpenAI

from services.recipes import RecipeService

llm = AsyncOpenAI(timeout=30, max_retries=3)


async def archive(title: str) -> str:
    recipe = RecipeService.find(title=title)
    RecipeService.drop(recipe.id)
    return recipe.title


async def health() -> dict:
    return {"ok": True, "service": "menu"}


async def describe(title: str) -> str:
    recipe = RecipeService.find(title=title)
    reply = await llm.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=200, messages=[{"role": "user", "content": recipe.steps}]
    )
    return f"{reply}"


async def titles(names: list) -> object:
    for name in names:
        yield RecipeService.find(title=name)


async def pause(title: str) -> str:
    time.sleep(1)
    return title


async def schedule(title: str) -> None:
    RecipeService.drop(title)
    asyncio.create_task(notify(title))


async def notify(title: str) -> None:
    RecipeService.find(title=title)
