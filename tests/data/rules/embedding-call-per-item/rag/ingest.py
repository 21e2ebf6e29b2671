"""Ingestion of knowledge-base chunks into the vector store."""

import itertools

import cohere
from google import genai
from langchain_openai import OpenAIEmbeddings
from openai import OpenAI
from sentence_transformers import SentenceTransformer

client = OpenAI(timeout=30)
embedder = OpenAIEmbeddings(model="text-embedding-3-small")
encoder = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2", revision="8b3219a92973c328a8e22fadcfa821b5dc75636a")
co = cohere.ClientV2(timeout=30)
gemini = genai.Client(http_options={"timeout": 30_000})


def ingest(chunks: list[object]) -> list[object]:
    vectors: list[object] = []
    for chunk in chunks:
        vectors.append(embedder.embed_query(chunk.text))  # positive
        vectors.append(client.embeddings.create(model="text-embedding-3-small", input=chunk.text))  # positive
        vectors.append(encoder.encode(chunk.text))  # positive
        vectors.append(co.embed(texts=[chunk.text], model="embed-v4.0", input_type="search_document"))  # positive
        vectors.append(gemini.models.embed_content(model="text-embedding-004", contents=chunk.text))  # positive
    return vectors


def encode_each(docs: list[str]) -> list[object]:
    return [encoder.encode(d) for d in docs]  # positive: comprehension


def batched(docs: list[str]) -> list[object]:
    vectors: list[object] = []
    for batch in itertools.batched(docs, 64):  # negative: batches
        vectors.extend(client.embeddings.create(model="text-embedding-3-small", input=list(batch)).data)
    for start in range(0, len(docs), 64):  # negative: a slice is a batch
        window = docs[start : start + 64]
        vectors.extend(client.embeddings.create(model="text-embedding-3-small", input=window).data)
        vectors.extend(encoder.encode(docs[start : start + 64], batch_size=64))
    return vectors


def whole(docs: list[object]) -> list[list[float]]:
    return embedder.embed_documents([d.text for d in docs])  # negative: one batched call


def query_variants() -> list[list[float]]:
    return [embedder.embed_query(q) for q in ["refund policy", "shipping time"]]  # negative: literal


def per_section(sections: list[object]) -> list[object]:
    out: list[object] = []
    for section in sections:
        out.append(client.embeddings.create(model="text-embedding-3-small", input=section.paragraphs))
    return out  # negative above: a plural field is already a list


def expanded_search(sub_queries: list[str]) -> dict[str, object]:
    return {q: embedder.embed_query(q) for q in dict.fromkeys(sub_queries)}  # negative: queries


def rerank_inputs(questions: list[object]) -> list[object]:
    vectors: list[object] = []
    for question in questions:
        vectors.append(embedder.embed_query(question.text))  # negative: queries have no batch form
        vectors.append(encoder.encode(question.text))  # positive: encode takes a batch
    return vectors


def passages(docs: list[str]) -> list[object]:
    return [embedder.embed_query(d) for d in docs]  # positive: documents through the query API


class IntentRouter:
    """Routes a question to the closest intent by its examples."""

    EXAMPLES = {"billing": ["refund my order", "update my card"], "shipping": ["where is my parcel"]}

    def __init__(self) -> None:
        self.centroids = {}
        for intent, examples in self.EXAMPLES.items():
            self.centroids[intent] = encoder.encode(examples)  # negative: a class constant, fixed
        self.seen: list[str] = []

    def remember(self) -> list[object]:
        return [encoder.encode(text) for text in self.seen]  # positive: a list the program fills
