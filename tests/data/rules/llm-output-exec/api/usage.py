"""Usage reports of the chat service: filters built as bound parameters."""

import sqlite3

import openai
from fastapi import FastAPI

app = FastAPI()
client = openai.OpenAI(timeout=30)


@app.get("/usage")
async def usage(since: str, team: str | None = None) -> list[tuple[int, int]]:
    clauses, params = ["day >= ?"], [since]
    if team:
        clauses.append("team = ?")
        params.append(team)
    where = " AND ".join(clauses)
    cursor = sqlite3.connect("usage.db").cursor()
    return cursor.execute(f"SELECT day, tokens FROM usage WHERE {where}", params).fetchall()


@app.get("/usage/top")
async def top(team: str) -> list[tuple[int, int]]:
    cursor = sqlite3.connect("usage.db").cursor()
    query, limit = f"SELECT user, tokens FROM usage WHERE team = '{team}'", 10
    return cursor.execute(query).fetchmany(limit)
