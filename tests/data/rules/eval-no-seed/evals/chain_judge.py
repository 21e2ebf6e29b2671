"""A judge run through LangChain chat models: how each samples is set where it is built."""

from langchain_openai import ChatOpenAI

strict_judge = ChatOpenAI(model="gpt-4o-mini", temperature=0, timeout=30)
loose_judge = ChatOpenAI(model="gpt-4o-mini", timeout=30)


def grade(answer: str) -> str:
    return strict_judge.invoke(f"Grade: {answer}").content  # negative: built with temperature=0


def grade_loosely(answer: str) -> str:
    return loose_judge.invoke(f"Grade: {answer}").content  # positive: built with neither


async def grade_with(llm, answer: str) -> str:
    reply = await llm.ainvoke(f"Grade: {answer}")
    return reply.content  # negative above: a model handed in, built elsewhere
