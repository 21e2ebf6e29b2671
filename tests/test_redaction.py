"""What leaves the machine: secrets become typed placeholders, names stay as they are."""

from __future__ import annotations

import pytest

from archbot import secrets

OPENAI_KEY = "sk-proj-" + "Ab3d52hNSIwi6HZSlGbCou9n" * 2
RANDOM_PASSWORD = "Zx81kLmQ2pWvT7rB9sQ4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'client = OpenAI(api_key="{OPENAI_KEY}")',
            'client = OpenAI(api_key="<secret:openai-key, 56 chars>")',
        ),
        (f'db_password = "{RANDOM_PASSWORD}"', 'db_password = "<secret:credential, 20 chars>"'),
        (
            f"  - name: SERVICE_TOKEN\n    value: {RANDOM_PASSWORD}\n",
            "  - name: SERVICE_TOKEN\n    value: <secret:credential, 20 chars>\n",
        ),
        (
            "postgres://app:Hq7pL2vX9wK4@db:5432/app",
            "postgres://app:<secret:url-password, 12 chars>@db:5432/app",
        ),
    ],
    ids=["provider-key", "assigned", "k8s-env", "url-password"],
)
def test_secrets_become_typed_placeholders(text: str, expected: str) -> None:
    assert secrets.redact(text) == (expected, 1)


@pytest.mark.parametrize(
    "text",
    [
        "token: MY_SERVICE_TOKEN_V2",
        "client = OpenAI(api_key=OPENAI_KEY_FROM_ENV_2)",
        "token_ids = tokenizer_Batch2.encode(question)",
        "keys = ModelKeys_v2_Loader",
        'api_key = os.environ["OPENAI_API_KEY"]',
        "password = self.config.db_password",
        "secret_key: ${SECRET_KEY}",
    ],
)
def test_names_where_a_value_could_be_are_left_alone(text: str) -> None:
    assert secrets.redact(text) == (text, 0)
