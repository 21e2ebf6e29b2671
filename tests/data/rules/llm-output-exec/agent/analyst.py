"""A data-analysis agent whose tools act on model-written text."""

import ast
import os
import pickle
import sqlite3
import subprocess

import yaml
from anthropic import Anthropic
from sqlalchemy import text as sql_text

client = Anthropic(timeout=60)
MODEL = "claude-sonnet-4-5-20250929"


def _user(content: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": content}]


def run_analysis(question: str, frame: object) -> object:
    message = client.messages.create(model=MODEL, max_tokens=1000, messages=_user(question))
    code = message.content[0].text.removeprefix("```python").removesuffix("```")
    namespace = {"df": frame}
    exec(code, namespace)
    return namespace.get("result")


def compute(question: str) -> object:
    message = client.messages.create(model=MODEL, max_tokens=50, messages=_user(question))
    return eval(message.content[0].text)


def run_task(task: str) -> str:
    message = client.messages.create(model=MODEL, max_tokens=200, messages=_user(task))
    command = message.content[0].text.strip()
    done = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    subprocess.run(["git", "status", "--short"], check=True)
    return done.stdout


def open_result(task: str) -> None:
    message = client.messages.create(model=MODEL, max_tokens=200, messages=_user(task))
    os.system(f"xdg-open {message.content[0].text}")


def lookup(conn: sqlite3.Connection, question: str) -> list[tuple[object, ...]]:
    message = client.messages.create(model=MODEL, max_tokens=20, messages=_user(question))
    table = message.content[0].text.strip()
    rows = conn.execute(f"SELECT * FROM {table} LIMIT 10").fetchall()
    notes = conn.execute("SELECT body FROM notes WHERE topic = ?", (table,)).fetchall()
    query = "SELECT count(*) FROM " + table
    counted = conn.execute(query).fetchall()
    return rows + notes + counted


def report_query(question: str) -> object:
    message = client.messages.create(model=MODEL, max_tokens=200, messages=_user(question))
    return sql_text("SELECT id FROM reports WHERE owner = :owner AND title = '" + message.content[0].text + "'")


def load_plan(question: str) -> object:
    message = client.messages.create(model=MODEL, max_tokens=500, messages=_user(question))
    plan = yaml.safe_load(message.content[0].text)
    steps = yaml.load(message.content[0].text, Loader=yaml.SafeLoader)
    literal = ast.literal_eval(message.content[0].text)
    return plan, steps, literal


def load_plan_unsafe(question: str) -> object:
    message = client.messages.create(model=MODEL, max_tokens=500, messages=_user(question))
    return yaml.load(message.content[0].text, Loader=yaml.Loader)


def restore(blob: bytes) -> object:
    return pickle.loads(blob)


def calculator(expression: str) -> float:
    return float(eval(expression, {"__builtins__": {}}))


def commit_changes(diff: str) -> None:
    message = client.messages.create(model=MODEL, max_tokens=100, messages=_user(f"Commit message for:\n{diff}"))
    summary = message.content[0].text.strip()
    subprocess.run(["git", "commit", "-m", summary], check=True)
    subprocess.run([summary, "--version"], check=False)


def define_alias() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec("Plan = dict[str, list[str]]\n", namespace)  # negative: a literal the author wrote
    return namespace
