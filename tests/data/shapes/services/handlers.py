from openai import AsyncOpenAI

from services.base import CrudService
from services.recipes import DraftService, RecipeService, TagIndex
from services.tickets import TicketQueue

llm = AsyncOpenAI(timeout=30, max_retries=3)


async def suggest(title: str) -> str:
    recipe = RecipeService.find(title=title)
    RecipeService.drop(recipe.id)
    later = RecipeService.pending()
    draft = DraftService.find(title=title)
    unknown = CrudService.find(title=title)
    service = RecipeService()
    count = service.total()
    tags = TagIndex.tags_of(title)
    reply = await llm.chat.completions.create(
        model="gpt-4o-2024-08-06", max_tokens=200, messages=[{"role": "user", "content": title}]
    )
    return f"{recipe}{later}{draft}{unknown}{count}{tags}{reply}"


class Kitchen(RecipeService):
    @classmethod
    async def newest(cls, title: str) -> str:
        recipe = cls.model.get(cls.model.title == title)
        reply = await llm.chat.completions.create(
            model="gpt-4o-2024-08-06", max_tokens=200, messages=[{"role": "user", "content": recipe.steps}]
        )
        return f"{reply}"


class Triage(TicketQueue):
    async def route(self, title: str) -> str:
        waiting = self.model.objects.filter(title=title).count()
        queued = self.model.objects.filter(title=title)
        reply = await llm.chat.completions.create(
            model="gpt-4o-2024-08-06", max_tokens=200, messages=[{"role": "user", "content": title}]
        )
        return f"{waiting}{queued}{reply}"
