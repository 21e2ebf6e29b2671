"""Model-backed steps shared by the batch jobs."""

from langchain.chains import LLMChain
from langchain.llms import OpenAI
from langchain_core.prompts import PromptTemplate
from langchain_openai import ChatOpenAI

chat = ChatOpenAI(model="gpt-4o-mini", timeout=30, max_tokens=300)
completion_llm = OpenAI(temperature=0, max_tokens=100)
grade_chain = LLMChain(llm=chat, prompt=PromptTemplate.from_template("Grade: {answer}"))


async def answer_question(question: str) -> str:
    reply = await chat.ainvoke(question)
    return str(reply.content)


def continue_dialogue(history: list[str], turn: str) -> str:
    return str(chat.invoke([*history, turn]).content)


def answer_all(questions: list[str]) -> list[str]:
    return [str(m.content) for m in chat.batch(questions)]


def normalise(text: str) -> str:
    return " ".join(text.split())


def answer_later(question: str):
    return chat.ainvoke(question)


def embed_passage(text: str) -> list[float]:
    return [float(len(part)) for part in str(chat.invoke(f"Vectorise: {text}").content).split()]
