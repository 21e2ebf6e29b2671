from openai import AsyncOpenAI

from services.recipes import RecipeService

llm = AsyncOpenAI(timeout=30, max_retries=3)


async def restock(title: str) -> str:
    RecipeService.find(title=title)
    return title.upper()


async def purge(title: str) -> None:
    recipe = RecipeService.find(title=title)
    RecipeService.drop(recipe.id)
