import redis

from services.base import CrudService
from services.tables import Draft, Recipe


class RecipeService(CrudService):
    model = Recipe


class DraftService(CrudService):
    model = Draft


class TagIndex:
    client = redis.Redis(host="tags")

    @classmethod
    def tags_of(cls, title: str) -> list:
        return cls.client.smembers(f"tags:{title}")
