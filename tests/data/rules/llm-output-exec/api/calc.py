"""Calculator and tool endpoints of the assistant."""

import subprocess

from fastapi import Depends, FastAPI
from openai import OpenAI
from pydantic import BaseModel

app = FastAPI()
client = OpenAI(timeout=20)


class Ask(BaseModel):
    question: str
    expression: str


def settings() -> dict[str, str]:
    return {"rounding": "round(x, 4)"}


@app.post("/calc")
def calc(body: Ask) -> dict[str, float]:
    return {"value": eval(body.expression)}


@app.post("/tools/{tool}")
def run_tool(tool: str) -> dict[str, str]:
    command = f"tools/{tool} --quiet"
    done = subprocess.run(command, shell=True, capture_output=True, text=True)
    return {"out": done.stdout}


@app.post("/exec")
def execute(payload: dict[str, str]) -> None:
    code = payload["code"]
    exec(code)


@app.get("/round")
def rounding(digits: int, cfg: dict[str, str] = Depends(settings)) -> dict[str, float]:
    x = 3.14159
    return {"value": eval(cfg["rounding"]) + eval(f"{digits} * 0")}


def offline(expression: str) -> float:
    return float(eval(expression))


@app.post("/explain")
def explain(body: Ask) -> dict[str, str]:
    reply = client.responses.create(model="gpt-4o-mini-2024-07-18", input=body.question, max_output_tokens=200)
    return {"answer": reply.output_text}
