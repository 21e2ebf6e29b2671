from agents.registry import Registry


async def describe(name: str) -> dict:
    tool = Registry.objects.get(name)
    return {"name": name, "count": Registry.objects.count(), "tool": tool}
