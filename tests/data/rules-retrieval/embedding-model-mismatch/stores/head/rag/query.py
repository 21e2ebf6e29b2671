"""Answer questions from the manual and the ticket stores."""

import chromadb
from langchain_chroma import Chroma
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_openai import OpenAIEmbeddings
from sentence_transformers import SentenceTransformer


def manual_store() -> Chroma:
    small = OpenAIEmbeddings(model="text-embedding-3-small")
    return Chroma(persist_directory="stores/manual", collection_name="manual", embedding_function=small)


def faq_store() -> Chroma:
    bge = HuggingFaceEmbeddings(model_name="BAAI/bge-small-en-v1.5")
    return Chroma(persist_directory="stores/manual", collection_name="faq", embedding_function=bge)


def manual_store_again() -> Chroma:
    large = OpenAIEmbeddings(model="text-embedding-3-large")
    return Chroma(persist_directory="stores/manual", collection_name="manual", embedding_function=large)


def configured_store(model_name: str) -> Chroma:
    configured = OpenAIEmbeddings(model=model_name)
    return Chroma(persist_directory="stores/manual", collection_name="manual", embedding_function=configured)


ENCODER = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")
QUERY_ENCODER = SentenceTransformer("BAAI/bge-base-en-v1.5")
client = chromadb.PersistentClient(path="stores/raw")
tickets = client.get_or_create_collection("tickets")


def add_tickets(texts: list[str], ids: list[str]) -> None:
    tickets.add(ids=ids, documents=texts, embeddings=ENCODER.encode(texts).tolist())


def search_tickets(question: str) -> dict:
    vector = QUERY_ENCODER.encode([question]).tolist()
    return tickets.query(query_embeddings=vector, n_results=5)


def search_tickets_consistently(question: str) -> dict:
    return tickets.query(query_embeddings=ENCODER.encode([question]).tolist(), n_results=5)
