"""Question answering over the product manual."""

import logging

from fastapi import FastAPI
from openai import OpenAI
from pydantic import BaseModel

app = FastAPI()
client = OpenAI(timeout=20)
log = logging.getLogger(__name__)
TEMPLATE = "Answer from the manual only.\nManual:\n{context}\nQuestion: {question}"


class Query(BaseModel):
    question: str
    session_id: str


def build_prompt(question: str, context: str) -> str:
    return TEMPLATE.format(context=context, question=question)


def complete(prompt: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18", max_tokens=400, messages=[{"role": "user", "content": prompt}]
    )
    return resp.choices[0].message.content or ""


@app.post("/ask")
def ask(body: Query) -> dict[str, str]:
    question = body.question
    log.info("ask prompt=%s session=%s", question, body.session_id)
    log.info("ask session=%s", body.session_id)
    log.info("prompt template=%s", TEMPLATE)
    answer = complete(build_prompt(question, "manual text"))
    log.info("question length=%d", len(question))
    return {"answer": answer}


@app.post("/summary")
def summary(body: Query) -> dict[str, str]:
    question = body.question
    prompt = TEMPLATE.format(context="release notes", question=question)
    log.info("summarizing %s", question)
    resp = client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18", max_tokens=200, messages=[{"role": "user", "content": prompt}]
    )
    return {"summary": resp.choices[0].message.content or ""}
