"""Checks of the tool runner with the subprocess call patched out."""

import subprocess
from unittest import mock

import openai


@mock.patch("api.calc.subprocess.run")
def check_tool(run: mock.MagicMock, tool: str) -> subprocess.CompletedProcess:
    run.return_value = subprocess.CompletedProcess(args=f"tools/{tool} --quiet", returncode=0)
    return run.return_value


def client() -> openai.OpenAI:
    return openai.OpenAI(timeout=10)
