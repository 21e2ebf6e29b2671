"""A small Flask front end for the report generator."""

import anthropic
from flask import Flask, request

app = Flask(__name__)


def parse_filter() -> object:
    return eval(request.args["filter"])


@app.route("/report")
def report() -> str:
    columns = request.args.get("columns", "id")
    return ",".join(sorted(columns.split(",")))
