"""Fake secrets in the shapes real ones take, generated at test time.

Every value is random from a fixed seed and assembled from pieces, so this file holds no key and
does not trip secret scanners. `value` is what is written into a file; `hidden` are the parts that
must never leave the machine or appear in any output (the value itself, or the password of a URL,
or the body lines of a PEM key)."""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import string

_RNG = random.Random(20261121)
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
LOWER_DIGITS = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "_-"


def chars(alphabet: str, count: int) -> str:
    """Random characters with at least one letter and one digit, like any real token body."""
    while True:
        value = "".join(_RNG.choice(alphabet) for _ in range(count))
        mixed = any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
        if not mixed or (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
            return value


def b64(count: int) -> str:
    return base64.b64encode(_RNG.randbytes(count)).decode()


@dataclasses.dataclass(frozen=True)
class Secret:
    kind: str
    env: str  # the variable name it is assigned to in env-style files
    value: str
    hidden: tuple[str, ...]

    @property
    def multiline(self) -> bool:
        return "\n" in self.value


def _plain(kind: str, env: str, value: str) -> Secret:
    return Secret(kind, env, value, (value,))


def _pem(kind: str, label: str) -> Secret:
    body = [b64(48) for _ in range(6)]
    begin, end = "-----BEGIN " + label + " KEY-----", "-----END " + label + " KEY-----"
    value = "\n".join([begin, *body, end])
    return Secret(kind, kind.upper().replace("-", "_"), value, tuple(body))


def _url(kind: str, env: str, scheme: str, user: str, host: str, path: str) -> Secret:
    password = chars(ALNUM, 18)
    value = f"{scheme}://{user}:{password}@{host}{path}"
    return Secret(kind, env, value, (password, value))


def _jwt() -> str:
    def part(payload: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")

    header = part({"alg": "HS256", "typ": "JWT"})
    claims = part({"sub": chars(LOWER_DIGITS, 12), "iat": 1760000000, "scope": "inference"})
    signature = base64.urlsafe_b64encode(_RNG.randbytes(32)).decode().rstrip("=")
    return f"{header}.{claims}.{signature}"


def _openai_project(prefix: str, size: int) -> str:
    return "sk-" + prefix + "-" + chars(URLSAFE, size) + "T3Blbk" + "FJ" + chars(URLSAFE, size)


def build() -> tuple[Secret, ...]:
    """At least 30 distinct shapes; the order is stable (fixed seed)."""
    return (
        _plain(
            "openai-legacy", "OPENAI_API_KEY", "sk-" + chars(ALNUM, 20) + "T3Blbk" + "FJ" + chars(ALNUM, 20)
        ),
        _plain("openai-project", "OPENAI_API_KEY", _openai_project("proj", 74)),
        _plain("openai-service-account", "OPENAI_API_KEY", _openai_project("svcacct", 58)),
        _plain("anthropic", "ANTHROPIC_API_KEY", "sk-ant-" + "api03-" + chars(URLSAFE, 93) + "AA"),
        _plain("anthropic-admin", "ANTHROPIC_ADMIN_KEY", "sk-ant-" + "admin01-" + chars(URLSAFE, 93) + "AA"),
        _plain("aws-access-key-id", "AWS_ACCESS_KEY_ID", "AK" + "IA" + chars(UPPER_DIGITS, 16)),
        _plain("aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", chars(ALNUM + "/+", 40)),
        _plain("github-classic", "GITHUB_TOKEN", "gh" + "p_" + chars(ALNUM, 36)),
        _plain("github-oauth", "GH_OAUTH_TOKEN", "gh" + "o_" + chars(ALNUM, 36)),
        _plain("github-app", "GH_APP_TOKEN", "gh" + "s_" + chars(ALNUM, 36)),
        _plain(
            "github-fine-grained",
            "GH_PAT",
            "github" + "_pat_" + chars(ALNUM, 22) + "_" + chars(ALNUM, 59),
        ),
        _plain("gitlab", "GITLAB_TOKEN", "gl" + "pat-" + chars(URLSAFE, 20)),
        _plain(
            "slack-bot", "SLACK_BOT_TOKEN", "xo" + "xb-" + chars(string.digits, 12) + "-" + chars(ALNUM, 24)
        ),
        _plain(
            "slack-webhook",
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack"
            + ".com/services/T"
            + chars(UPPER_DIGITS, 8)
            + "/B"
            + chars(UPPER_DIGITS, 10)
            + "/"
            + chars(ALNUM, 24),
        ),
        _plain("stripe-secret", "STRIPE_SECRET_KEY", "sk" + "_live_" + chars(ALNUM, 24)),
        _plain("stripe-restricted", "STRIPE_RESTRICTED_KEY", "rk" + "_live_" + chars(ALNUM, 24)),
        _plain("google-api-key", "GOOGLE_API_KEY", "AI" + "za" + chars(URLSAFE, 35)),
        _plain("google-oauth-secret", "GOOGLE_CLIENT_SECRET", "GOC" + "SPX-" + chars(URLSAFE, 28)),
        _pem("rsa-private-key", "RSA PRIVATE"),
        _pem("ec-private-key", "EC PRIVATE"),
        _pem("openssh-private-key", "OPENSSH PRIVATE"),
        _pem("gcp-service-account-key", "PRIVATE"),
        _plain("huggingface", "HF_TOKEN", "h" + "f_" + chars(string.ascii_letters, 34)),
        _plain("cohere", "COHERE_API_KEY", chars(ALNUM, 40)),
        _plain("mistral", "MISTRAL_API_KEY", chars(ALNUM, 32)),
        _plain("groq", "GROQ_API_KEY", "gs" + "k_" + chars(ALNUM, 52)),
        _plain("replicate", "REPLICATE_API_TOKEN", "r8" + "_" + chars(ALNUM, 37)),
        _plain("pinecone", "PINECONE_API_KEY", "pc" + "sk_" + chars(ALNUM, 6) + "_" + chars(ALNUM, 64)),
        _plain("together", "TOGETHER_API_KEY", chars(HEX, 64)),
        _plain("azure-openai", "AZURE_OPENAI_API_KEY", chars(HEX, 32)),
        _plain("jwt", "AUTH_TOKEN", _jwt()),
        _url("basic-auth-url", "MODEL_REGISTRY_URL", "https", "deploy", "models.internal.example", "/v2/"),
        _url(
            "postgres-url",
            "DATABASE_URL",
            "postgresql",
            "feature_store",
            "db.internal.example:5432",
            "/features",
        ),
        _url("mongodb-url", "MONGO_URI", "mongodb+srv", "evals", "cluster0.abcde.mongodb.net", "/runs"),
        _plain("sendgrid", "SENDGRID_API_KEY", "S" + "G." + chars(URLSAFE, 22) + "." + chars(URLSAFE, 43)),
        _plain("twilio", "TWILIO_API_KEY", "S" + "K" + chars(HEX, 32)),
        _plain("npm", "NPM_TOKEN", "np" + "m_" + chars(ALNUM, 36)),
        _plain("pypi", "PYPI_TOKEN", "py" + "pi-" + "AgEIcHlwaS5vcmc" + chars(URLSAFE, 70)),
        _plain("databricks", "DATABRICKS_TOKEN", "da" + "pi" + chars(HEX, 32)),
        _plain("langsmith", "LANGSMITH_API_KEY", "ls" + "v2_pt_" + chars(HEX, 32) + "_" + chars(HEX, 10)),
        _plain("wandb", "WANDB_API_KEY", chars(HEX, 40)),
        _plain("generic-password", "DB_PASSWORD", chars(ALNUM, 10) + "!" + chars(ALNUM, 8)),
        _plain("generic-api-key", "VECTOR_DB_API_KEY", chars(ALNUM + "-_", 32)),
    )


CORPUS = build()


def _escaped(value: str) -> str:
    return value.replace("\n", "\\n")


def python_source(secrets: tuple[Secret, ...]) -> str:
    lines = ["import os", "", "import openai", ""]
    for secret in secrets:
        if secret.multiline:
            lines.append(f'{secret.env} = """{secret.value}"""')
        else:
            lines.append(f'{secret.env} = "{secret.value}"')
    lines += ["", ""]
    for secret in secrets:
        lines.append(f"# staging {secret.env}: {_escaped(secret.value)}")
    lines += [
        "SERVICE_ACCOUNT = {",
        '    "type": "service_account",',
        f'    "private_key": "{_escaped(secrets[-1].value)}",' if secrets[-1].multiline else "",
        "}",
        "",
        "",
        "def ask(question: str) -> str:",
        f'    client = openai.OpenAI(api_key="{secrets[0].value}", timeout=30)',
        "    reply = client.chat.completions.create(",
        '        model=os.environ["MODEL"], max_tokens=256, messages=[{"role": "user", "content": question}]',
        "    )",
        '    return reply.choices[0].message.content or ""',
        "",
    ]
    return "\n".join(lines)


def yaml_manifest(secrets: tuple[Secret, ...]) -> str:
    lines = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: inference",
        "spec:",
        "  replicas: 2",
        "  selector:",
        "    matchLabels: {app: inference}",
        "  template:",
        "    metadata:",
        "      labels: {app: inference}",
        "    spec:",
        "      containers:",
        "        - name: server",
        "          image: vllm/vllm-openai:v0.6.3",
        "          env:",
    ]
    for secret in secrets:
        lines.append(f"            - name: {secret.env}")
        if secret.multiline:
            lines.append("              value: |")
            lines += [f"                {line}" for line in secret.value.split("\n")]
        else:
            lines.append(f'              value: "{secret.value}"')
    return "\n".join(lines) + "\n"


def dotenv(secrets: tuple[Secret, ...]) -> str:
    return "".join(f'{s.env}="{_escaped(s.value)}"\n' for s in secrets)


def dockerfile(secrets: tuple[Secret, ...]) -> str:
    lines = ["FROM vllm/vllm-openai:v0.6.3", "RUN pip install --no-cache-dir openai==1.51.0"]
    for index, secret in enumerate(secrets):
        value = _escaped(secret.value)
        # Both ENV forms: `ENV NAME=value` and the legacy `ENV NAME value`.
        lines.append(f'ENV {secret.env}="{value}"' if index % 2 == 0 else f"ENV {secret.env} {value}")
    lines.append('CMD ["python", "-m", "vllm.entrypoints.openai.api_server"]')
    return "\n".join(lines) + "\n"


def notebook(secrets: tuple[Secret, ...]) -> str:
    source = ["import os\n", "import openai\n", "\n"]
    for secret in secrets:
        source.append(f'os.environ["{secret.env}"] = "{_escaped(secret.value)}"\n')
    source.append('client = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=30)\n')
    document = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


PLANTED_FILES = {
    "app/settings_keys.py": python_source,
    "deploy/inference.yaml": yaml_manifest,
    ".env": dotenv,
    "Dockerfile": dockerfile,
    "notebooks/explore.ipynb": notebook,
}
