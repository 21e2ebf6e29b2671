from openai import OpenAI

from store.program_store import load_program

client = OpenAI(timeout=30)


def rank(path: str, query: str) -> str:
    program = load_program(path)
    return program(query)
