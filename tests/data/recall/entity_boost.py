import asyncio


class EntityBoost:
    def __init__(self, embedding_model, embedder, store, cache) -> None:
        self.embedding_model = embedding_model
        self.embedder = embedder
        self.store = store
        self.cache = cache

    def boost(self, entities: list[tuple[str, str]], texts: list[str], batches: list[list[str]]) -> dict:
        scores: dict[str, float] = {}
        for _, text in entities:
            vector = self.embedding_model.embed(text, "search")
            scores[text] = self.store.best_score(vector)
        for entity in entities:
            name = entity[1].strip().lower()
            scores[name] = self.store.best_score(self.embedding_model.get_embedding(name))
        vectors = self.embedding_model.embed_batch([text for _, text in entities])
        for label in ("person", "place"):
            self.embedding_model.embed(label)
        for batch in batches:
            self.embedder.embed(batch)
        try:
            vectors = self.embedding_model.embed_batch(texts)
        except RuntimeError:
            vectors = [self.embedding_model.embed(text) for text in texts]
        for text in texts:
            self.cache.embed(text)
        return {"scores": scores, "vectors": vectors}

    async def aboost(self, entities: list[tuple[str, str]], texts: list[str]) -> dict:
        loop = asyncio.get_running_loop()
        found: dict[str, float] = {}
        for _, text in entities:
            vector = await asyncio.to_thread(self.embedding_model.embed, text, "search")
            query = await loop.run_in_executor(None, self.embedder.embed_query, text)
            found[text] = self.store.best_score(vector) + self.store.best_score(query)
        vectors = await asyncio.to_thread(self.embedding_model.embed_batch, texts)
        return {"found": found, "vectors": vectors}
