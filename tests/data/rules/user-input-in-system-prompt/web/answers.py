"""Flask answer endpoint."""

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
