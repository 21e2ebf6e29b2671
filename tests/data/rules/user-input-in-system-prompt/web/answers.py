"""Flask answer endpoint."""

from typing import Literal

from flask import Flask, jsonify, request
from openai import OpenAI

app = Flask(__name__)
client = OpenAI(timeout=20)
MODEL = "gpt-4o-mini-2024-07-18"
GUIDELINES = "Answer briefly and cite the help-centre article you used."


@app.route("/v1/answer", methods=["POST"])
def answer():  # type: ignore[no-untyped-def]
    payload = request.get_json()
    tone = payload["tone"]
    resp = client.chat.completions.create(
        model=MODEL,
        max_completion_tokens=400,
        messages=[
            {"role": "developer", "content": "Reply in a %s tone." % tone},
            {"role": "system", "content": GUIDELINES + "\nProduct: routers."},
            {"role": "user", "content": payload["question"]},
        ],
    )
    return jsonify(answer=resp.choices[0].message.content)


@app.route("/v1/answer/<int:max_words>/<lang>", methods=["POST"])
def short_answer(max_words: int, lang: Literal["en", "fr"]):  # type: ignore[no-untyped-def]
    resp = client.chat.completions.create(
        model=MODEL,
        max_completion_tokens=200,
        messages=[
            {"role": "system", "content": f"{GUIDELINES} Use at most {max_words} words, in {lang}."},
            {"role": "user", "content": request.get_json()["question"]},
        ],
    )
    return jsonify(answer=resp.choices[0].message.content)
