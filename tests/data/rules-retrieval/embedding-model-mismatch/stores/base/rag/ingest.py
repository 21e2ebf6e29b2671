"""Index the product manual into the local Chroma store."""

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_openai import OpenAIEmbeddings

EMBEDDINGS = OpenAIEmbeddings(model="text-embedding-3-large")


def index(docs: list[Document]) -> None:
    Chroma.from_documents(docs, EMBEDDINGS, persist_directory="stores/manual", collection_name="manual")
