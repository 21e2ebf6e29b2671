"""Tutor API: answers maths questions in a configurable style."""

from string import Template

from anthropic import AsyncAnthropic
from fastapi import Depends, FastAPI
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from openai import AsyncOpenAI
from pydantic import BaseModel

app = FastAPI()
openai_client = AsyncOpenAI(timeout=20)
claude = AsyncAnthropic(timeout=20)
GPT_MODEL = "gpt-4o-mini-2024-07-18"
CLAUDE_MODEL = "claude-haiku-4-5-20251001"
llm = ChatOpenAI(model=GPT_MODEL, timeout=20, max_tokens=500)
SYSTEM_PROMPT = "You are a patient maths tutor. Answer maths questions only."
SUBJECT_PROMPT = Template("You tutor $subject. Refuse questions about anything else.")


class Ask(BaseModel):
    question: str
    persona: str
    level: str


class School(BaseModel):
    name: str


def current_school() -> School:
    return School(name="Northside High")


@app.post("/ask")
async def ask(body: Ask) -> dict[str, str]:
    resp = await openai_client.chat.completions.create(
        model=GPT_MODEL,
        max_completion_tokens=500,
        messages=[
            {"role": "system", "content": f"You are {body.persona}. Stay in character."},
            {"role": "user", "content": body.question},
        ],
    )
    return {"answer": resp.choices[0].message.content or ""}


@app.post("/ask/{subject}")
async def ask_subject(subject: str, body: Ask, school: School = Depends(current_school)) -> dict[str, str]:
    level = body.level.strip().lower()
    system = "You tutor " + level + " students."
    message = await claude.messages.create(
        model=CLAUDE_MODEL,
        max_tokens=500,
        system=system,
        messages=[{"role": "user", "content": body.question}],
    )
    branded = await openai_client.responses.create(
        model=GPT_MODEL,
        max_output_tokens=300,
        instructions=f"You work for {school.name}. Be encouraging.",
        input=body.question,
    )
    scoped = await openai_client.responses.create(
        model=GPT_MODEL,
        max_output_tokens=300,
        instructions=SUBJECT_PROMPT.substitute(subject=subject),
        input=f"Question: {body.question}",
    )
    return {"answer": message.content[0].text, "branded": branded.output_text, "scoped": scoped.output_text}


@app.post("/chain")
async def chain_answer(body: Ask) -> dict[str, str]:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are a tutor. Answer at {level} level."), ("human", "{question}")]
    )
    result = await (prompt | llm).ainvoke({"level": body.level, "question": body.question})
    persona = ChatPromptTemplate.from_messages([("system", "You are " + body.persona), ("human", "{q}")])
    styled = await (persona | llm).ainvoke({"q": body.question})
    messages = [
        SystemMessage(content="Answer as {}.".format(body.persona)),
        HumanMessage(content=body.question),
    ]
    direct = await llm.ainvoke(messages)
    safe = await llm.ainvoke([SystemMessage(content=SYSTEM_PROMPT), HumanMessage(content=f"Q: {body.question}")])
    return {"a": str(result.content), "b": str(styled.content), "c": str(direct.content), "d": str(safe.content)}


def persona_messages(persona: str, question: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": f"You are {persona}."},
        {"role": "user", "content": question},
    ]
