import json

from langchain_core.embeddings import Embeddings
from openai import OpenAI

client = OpenAI(timeout=30, max_retries=3)


class Rows:
    def __init__(self, embedder: Embeddings) -> None:
        self.embedder = embedder

    def build(self, texts: list[str], metadatas: list[dict]) -> list[dict]:
        vectors = self.embedder.embed_documents(texts)
        found = []
        for text, metadata, vector in zip(texts, metadatas, vectors):
            found.append({"text": text, "meta": json.loads(json.dumps(metadata)), "v": vector})
        found.append({"first": json.loads(json.dumps(vectors[0]))})
        return found


def grade(questions: list[str]) -> list[dict]:
    replies = [
        client.chat.completions.create(
            model="gpt-4o-2024-08-06", max_tokens=100, messages=[{"role": "user", "content": q}]
        )
        .choices[0]
        .message.content
        for q in questions
    ]
    verdicts = []
    for question, reply in zip(questions, replies):
        asked = json.loads(question)
        verdicts.append({"question": asked, "verdict": json.loads(reply)})
    for number, reply in enumerate(replies):
        counted = json.loads(str(number))
        verdicts.append({"number": counted, "again": json.loads(reply)})
    return verdicts
