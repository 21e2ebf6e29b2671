from lookup.retrievers import GraphLookup, RemoteLookup, ThreadedLookup


async def neighbours(query: str) -> list[str]:
    graph = GraphLookup({"a": ["b"]})
    return graph.retrieve(query)  # negative: the async twin's hook only runs the sync one


async def search(query: str) -> list[str]:
    remote = RemoteLookup("https://search.internal/q")
    return remote.retrieve(query)  # positive: the class's aretrieve awaits the service


async def threaded(query: str) -> list[str]:
    lookup = ThreadedLookup()
    return lookup.retrieve(query)  # positive: its aretrieve runs the request in a thread
