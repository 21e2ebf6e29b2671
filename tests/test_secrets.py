"""One table of secret shapes serves detection and redaction: each entry pinned, and the names a
credential is kept under."""

from __future__ import annotations

import string

import pytest

from archbot import policy, screen, secrets
from secret_corpus import ALNUM, CORPUS, chars

BY_KIND = {s.kind: s for s in CORPUS}
# A sample of each shape: the corpus secret of that shape, or one built here for the loose shapes.
SAMPLES: dict[str, tuple[str, str]] = {
    "openai-api-key": ("OPENAI_API_KEY", BY_KIND["openai-project"].value),
    "anthropic-api-key": ("ANTHROPIC_API_KEY", BY_KIND["anthropic"].value),
    "anthropic-admin-api-key": ("ANTHROPIC_ADMIN_KEY", BY_KIND["anthropic-admin"].value),
    "huggingface-access-token": ("HF_TOKEN", BY_KIND["huggingface"].value),
    "google-api-key": ("GOOGLE_API_KEY", BY_KIND["google-api-key"].value),
    "openai-key": ("OPENAI_API_KEY", "sk-" + chars(ALNUM, 32)),
    "anthropic-key": ("ANTHROPIC_API_KEY", "sk-ant-" + "api03-" + chars(ALNUM, 40)),
    "huggingface-token": ("HF_TOKEN", "h" + "f_" + chars(ALNUM, 34)),
    "aws-access-key-id": ("AWS_ACCESS_KEY_ID", BY_KIND["aws-access-key-id"].value),
    "aws-secret-access-key": ("AWS_SECRET_ACCESS_KEY", BY_KIND["aws-secret-access-key"].value),
    "github-token": ("GITHUB_TOKEN", BY_KIND["github-classic"].value),
    "google-oauth-secret": ("GOOGLE_CLIENT_SECRET", BY_KIND["google-oauth-secret"].value),
    "slack-token": ("SLACK_BOT_TOKEN", BY_KIND["slack-bot"].value),
    "slack-webhook": ("SLACK_WEBHOOK_URL", BY_KIND["slack-webhook"].value),
    "gitlab-token": ("GITLAB_TOKEN", BY_KIND["gitlab"].value),
    "stripe-key": ("STRIPE_SECRET_KEY", BY_KIND["stripe-secret"].value),
    "groq-key": ("GROQ_API_KEY", BY_KIND["groq"].value),
    "replicate-token": ("REPLICATE_API_TOKEN", BY_KIND["replicate"].value),
    "pinecone-key": ("PINECONE_API_KEY", BY_KIND["pinecone"].value),
    "langsmith-key": ("LANGSMITH_API_KEY", BY_KIND["langsmith"].value),
    "sendgrid-key": ("SENDGRID_API_KEY", BY_KIND["sendgrid"].value),
    "twilio-key": ("TWILIO_API_KEY", BY_KIND["twilio"].value),
    "npm-token": ("NPM_TOKEN", BY_KIND["npm"].value),
    "pypi-token": ("PYPI_TOKEN", BY_KIND["pypi"].value),
    "databricks-token": ("DATABRICKS_TOKEN", BY_KIND["databricks"].value),
    "jwt": ("AUTH_TOKEN", BY_KIND["jwt"].value),
    "url-password": ("DATABASE_URL", BY_KIND["postgres-url"].value),
    "private-key": ("TLS_KEY", BY_KIND["rsa-private-key"].value.replace("\n", "\\n")),
}


def test_every_shape_has_a_sample() -> None:
    assert set(SAMPLES) == set(secrets.SHAPES)


@pytest.mark.parametrize("kind", list(secrets.SHAPES))
def test_each_shape_is_detected_where_it_says_and_always_redacted(kind: str) -> None:
    name, value = SAMPLES[kind]
    shape = secrets.SHAPES[kind]
    assigned = f'{name}="{value}"'
    unnamed = f'value = "{value}"'

    found = list(secrets.detect(assigned))
    if shape.detect == "never":
        assert found == []
    else:
        assert (found[0].kind, found[0].exact) == (kind, True)
        assert value.endswith(found[0].secret) or found[0].secret == value
    if shape.detect == "assigned":
        assert list(secrets.detect(unnamed)) == []
    if shape.detect == "anywhere" and kind != "aws-secret-access-key":  # that one is its name
        assert [d.kind for d in secrets.detect(unnamed)] == [kind]
        assert secrets.provider_key(value) is not None
    redacted, count = secrets.redact(assigned)
    assert count >= 1 and "<secret:" in redacted


@pytest.mark.parametrize(
    "text",
    [
        'OPENAI_API_KEY="sk-your-key-here-0000000000"',
        "HF_TOKEN: hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        'api_key = "${OPENAI_API_KEY}"',
        "apiKey: {{ .Values.openai.apiKey }}",
        "OPENAI_API_KEY=<paste-your-key>",
        'api_key="sk-example-0123456789abcdefghij"',
        "aws_access_key_id='AKIA6666666666666666'",
        "aws_secret_access_key='6666666666666666666666666666666666666666'",
        'OPENAI_API_KEY="sk-proj-0000000000000000000000000000"',
        # Words: typed by a person, not drawn at random.
        'slack_tools(token="xoxb-explicit-token")',
        'OPENAI_API_KEY="sk-my-test-key-for-the-docs"',
        # Counted runs: typed by a person, not drawn at random.
        'ANTHROPIC_API_KEY="sk-ant-api03-abcdefghijklmnopqrstuvwx"',
        'OPENAI_API_KEY="sk-proj-0123456789abcdefQx7Lm2Nv"',
        'headers = {"X-Api-Key": "qk_1234567Hq8Zt2Lm4Nv6Bx0Pc3"}',
        # Interleaved counted runs: letters and digits each counting up.
        'connection = {"client_secret": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6"}',
        # A hex body where the provider draws letters of both cases: made from a hash or a UUID.
        "remote = 'https://ghp_5be2c0A9d41F7e8B3c6D0a2f9E4b7C1d8A3e6F0b@github.com/o/r.git'",
        'STRIPE_KEY = "sk_live_9f86d081884c7d659a2feaa0c55ad015"',
        # Capitals, small letters and digits in a fixed rhythm: generated to look random.
        'API_SECRET = "Rk4Tn8Wp2Vb6Xq9Zm3Lc7Hd5Fs1Gj0Yh4Ue8Pa2"',
        'OPENAI_API_KEY = "sk-proj-7wQe3rTy9uIo1pAs5dFg2hJk8lZx4cVb6nMq"',
        # A walk along a keyboard row, forwards or back.
        '"aws_secret_access_key": "Zt4QWERTYu8Pm2Lq7Vx9Nc3Bd6Hk1Rw5Ys0Gj2Fa"',
        'OPENAI_API_KEY="sk-proj-Hq8Zt2LkjhgfdsLm4Nv6Bx0Pc3Rw5"',
        # A token of a known prefix whose body is short typed parts, not drawn ids and a secret.
        'return {"token": "xoxb-111-222-xyz", "app_token": "xapp-A111-222-xyz"}',
        # A hex key redacted by typing a word into it.
        'BACKEND_API_TOKEN = "e7595fe6cwords815f7d18cd4cf63075"',
        'SERVICE_TOKEN = "9c1e4b7a02tokenf3d8a6e5b4c7d2e1f0a9b8"',
        # A docs site's search-only key (served to every visitor), beside its app id and index.
        'docsearch({\n  appId: "QW3RTY12AB",\n  indexName: "guides",\n'
        '  apiKey: "5f0c9e2ab17d4c83e6a9b0f4d27c1e58",\n});',
    ],
)
def test_placeholders_are_not_secrets(text: str) -> None:
    assert list(secrets.detect(text)) == []


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("env:SEARCH_SERVICE_API_KEY", False),
        ("os.environ/ANTHROPIC_API_KEY", False),  # LiteLLM's config syntax
        ("$OPENAI_API_KEY_FOR_THE_EVALS", False),
        ("secret:PROVIDER_TOKEN_PRODUCTION", False),
        ("env:R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf", True),  # a key after the prefix, not a name
        ("R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf", True),
        # Letters past `f` all in one typed word: a hex key redacted by hand; spread out, drawn.
        ("e7595fe6cwords815f7d18cd4cf63075", False),
        ("q7x2k9m4v8z1p6r3t5w0y2n7b4c8d1f6", True),
        ("e7595fe6c9a815f7d18cd4cf63075b2e", True),
    ],
)
def test_a_reference_to_where_the_key_lives_is_no_key(value: str, secret: bool) -> None:
    assert secrets.looks_like_secret(value) == secret


def test_a_short_counted_run_in_a_random_key_is_still_a_secret() -> None:
    text = 'OPENAI_API_KEY="sk-4Fq9Lz2Xabcde7Nc3Bm8Tj1Rs5Yp6Gd0W"'
    assert [d.kind for d in secrets.detect(text)] == ["openai-key"]


def test_a_hex_body_is_a_key_where_the_provider_draws_hex() -> None:
    text = (
        'DEEPSEEK_API_KEY="sk-9f86d081884c7d659a2feaa0c55ad015"\n'
        'GH="ghp_Hq8ZBYARYRKHmIRBtrGWo0A9YEHjWtWtLTPEz"'
    )
    assert [d.kind for d in secrets.detect(text)] == ["github-token", "openai-key"]


def test_a_short_keyboard_walk_in_a_random_key_is_still_a_secret() -> None:
    text = 'OPENAI_API_KEY="sk-4Fq9Lz2Xqwert7Nc3Bm8Tj1Rs5Yp6Gd0W"'
    assert [d.kind for d in secrets.detect(text)] == ["openai-key"]


def test_a_key_beside_an_app_id_alone_is_still_a_secret() -> None:
    text = 'client({\n  appId: "QW3RTY12AB",\n  apiKey: "5f0c9e2ab17d4c83e6a9b0f4d27c1e58",\n});'
    assert [d.kind for d in secrets.detect(text)] == ["credential-literal"]


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        (
            'const client = new OpenAI({ apiKey: "sk-4Fq92MkTmgZqu7xajxm00oBo7OqqIvu" });',
            "openai-key",
            "apiKey",
        ),
        ("HF_TOKEN: hf_8dKq2LzX7vNw3Rt5Yp1Zs6Hc4Bm0Gf9J", "huggingface-token", "HF_TOKEN"),
        ("ENV HF_TOKEN=hf_8dKq2LzX7vNw3Rt5Yp1Zs6Hc4Bm0Gf9J", "huggingface-token", "HF_TOKEN"),
        ("ENV HF_TOKEN hf_8dKq2LzX7vNw3Rt5Yp1Zs6Hc4Bm0Gf9J", "huggingface-token", "HF_TOKEN"),
        (
            'LANGFUSE_SECRET_KEY = \\\n    "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"',  # a line continuation
            "credential-literal",
            "LANGFUSE_SECRET_KEY",
        ),
        ('{"openai_api_key": "sk-4Fq92MkTmgZqu7xajxm00oBo7OqqIvu"}', "openai-key", "openai_api_key"),
        ('os.Setenv("OPENAI_API_KEY", "sk-4Fq92MkTmgZqu7xajxm00oBo7OqqIvu")', "openai-key", "OPENAI_API_KEY"),
        ('apiKey := "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"', "credential-literal", "apiKey"),
        (
            'pub const COHERE_API_KEY: &str = "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf";',
            "credential-literal",
            "COHERE_API_KEY",
        ),
        ('const dbPassword string = "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"', "credential-literal", "dbPassword"),
        (
            "  - name: OPENAI_API_KEY\n    value: sk-4Fq92MkTmgZqu7xajxm00oBo7OqqIvu",
            "openai-key",
            "OPENAI_API_KEY",
        ),
        # A Kubernetes Secret's data, base64 of a drawn key.
        (
            "data:\n  SESSION_SECRET: Ujd2VHoyS3BYOXdMYzRSYk44c0hkMUpxV201WWUzVWY=",
            "credential-literal",
            "SESSION_SECRET",
        ),
        # Drawn hex keys (32 digits, 3.3 and 3.4 bits a character): Azure's shape.
        ('"azure": {"api_key": "a4c123b1612dd272d1371c17149d4395"}', "credential-literal", "api_key"),
        ("SEARCH_API_KEY=107F80E222F828767EFC2F91624A8940", "credential-literal", "SEARCH_API_KEY"),
    ],
)
def test_values_under_a_credential_name(text: str, kind: str, name: str) -> None:
    (found,) = secrets.detect(text)

    assert (found.kind, found.name) == (kind, name)
    assert text[found.start : found.start + len(found.secret)] == found.secret


@pytest.mark.parametrize(
    "text",
    [
        'token = "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"',  # a bare token: pagination, CSRF, test values
        'cache_key = "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"',
        # `*_KEY` alone names lookup keys as often as credentials; with a key shape it is reported.
        'OPENAI_KEY = "R7vTz2KpX9wLc4RbN8sHd1JqWm5Ye3Uf"',
        's3_key: "models/2024/llama-3-8b/model-00001-of-00004.safetensors"',
        'API_KEY = "short-1234"',
        'OPENAI_API_KEY = "abcdefghijklmnopqrstuvwxyzabcd"',  # no digits: a word, not a key
        'revision = "4f3b1c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"',
        # Stand-ins typed by a person: words and numbers.
        "PHOENIX_SECRET=phoenix-secret-abc-123-for-development-only",
        'api_key = "sk-ant-abcdefg1234567890"',
        '"ADMIN_SECRET": "validadminsecret12345678901234567890"',
        'client = OpenAI(api_key="NotRequiredSinceWeAreLocal")',
        'session_secret = "leak-canary-value-0xCAFEF00D"',  # words and a number written in hex
        # A key's shape around a body typed three at a time.
        'STRIPE_SECRET_KEY = "sk_live_29Xyz789Abc123Mno456"',
        'HF_TOKEN = "hf_Pqr567Stu890Efg234Jkl678Xyz0123Cde"',
        # Hex a person typed or that a digest fills: too short for a key, or of one or two digits.
        'api_key = "9d4b1e7a0c3f8e2d"',
        'API_SECRET = "0000000000000000000000000000000a"',
        "  password: 'infini_rag_flow_OS_01'",
        # A class name under a name that says token for another reason (a token-classification head).
        'MISTRAL3_TOKEN_CLASSIFIER = "Mistral3ForTokenClassification"',
        'QWEN3_MOE_TOKEN_HEAD = "Qwen3MoeForTokenClassificationLM"',
        # Keys meant to be public: PostHog project keys, Stripe publishable keys.
        'POSTHOG_API_KEY = "phc_Hw2KzDtnQhVkWLKePqeZZgW4onicr50WXx2Kq9Lz5Xv7Nc"',
        # An empty value: the next line is another assignment, not this one's value.
        "ANALYTICS_PASSWORD=\nANALYTICS_DATABASE=events_3\n",
        "TELEMETRY_TOKEN=\nTELEMETRY_SERVICE=ingest_v2-eu\n",
        "auth:\n  api_token:\n  tenant: Acme_Prod_Tenant_7\n",
        # A Kubernetes Secret's data, base64 of a stand-in or of words a person typed.
        "data:\n  SESSION_SECRET: cmFua2VyLWRldi1zZXNzaW9uLXNlY3JldC1jaGFuZ2UtbWU=",
        "data:\n  ADMIN_PASSWORD: c3RhZ2luZy1hZG1pbi1wYXNzd29yZC0yMDI0",
        # Not a literal: the first name of an expression.
        '{"endpoint_api_key": gpt2_custom_connection.secrets["endpoint_api_key"]}',
    ],
)
def test_values_that_are_not_secrets(text: str) -> None:
    assert list(secrets.detect(text)) == []


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        ("HF_TOKEN", True),
        ("hf_token", True),
        ("OPENAI_API_KEY", True),
        ("openaiApiKey", True),
        ("apiKey", True),
        ("APIKey", True),
        ("anthropicAPIKey", True),
        ("api-key", True),
        ("db_password", True),
        ("DB_PASSWD", True),
        ("client_secret", True),
        ("GOOGLE_APPLICATION_CREDENTIALS_JSON", True),
        ("access_token", True),
        ("token", True),
        ("OPENAI_KEY", True),
        ("SECRET_NAME", False),
        ("secretName", False),
        ("HF_TOKEN_PATH", False),
        ("hfTokenSecretName", False),
        ("tokenUrl", False),
        ("TOKEN_ENDPOINT", False),
        ("max_tokens", False),
        ("maxTokens", False),
        ("MAX_TOTAL_TOKENS", False),
        ("TOKENIZERS_PARALLELISM", False),
        ("tokenizer", False),
        ("stop_tokens", False),
        ("token_limit", False),
        ("api_key_env", False),
        ("API_KEY_ID", False),
        ("secretRef", False),
        ("hashed_secret", False),
        ("password_hash", False),
        ("apiKeySha256", False),
        ("TOKEN_DIGEST", False),
        ("hashicorp_token", True),
        ("model", False),
        ("monkey", False),
    ],
)
def test_credential_names(name: str, credential: bool) -> None:
    assert secrets.credential_name(name) is credential


@pytest.mark.parametrize("provider", sorted(secrets.KEY_PROVIDERS))
def test_each_provider_name_names_a_hosted_service(provider: str) -> None:
    """Each entry, written as a setting (`DEEPGRAM_API_KEY`) and as a field (`deepgramKey`), names
    the account its key opens."""
    assert secrets.names_a_provider(f"{provider.upper()}_API_KEY")
    assert secrets.names_a_provider(f"{provider}Key")
    assert secrets.credential_name(f"{provider.upper()}_KEY")


@pytest.mark.parametrize(
    "name", ["REQUEST_SHARED_SECRET", "jwt_secret_key", "client_secret", "API_KEY", "db_password", "exam_key"]
)
def test_a_name_for_no_hosted_service_names_no_provider(name: str) -> None:
    assert not secrets.names_a_provider(name)


def test_detection_reads_only_lines_with_a_hint() -> None:
    """A line with no credential word and no key prefix is not searched further."""
    assert list(secrets.detect("x = " + chars(string.ascii_letters + string.digits, 64))) == []


def test_the_policy_screens_with_the_credential_words() -> None:
    """The pre-commit screen skips a file for this rule when none of its words occur: every name
    a literal is reported under holds one of them."""
    assert policy.POLICY["hardcoded-llm-api-key"].needs == secrets.CREDENTIAL_WORDS


def test_the_key_start_is_one_pattern_everywhere() -> None:
    assert secrets.KEY_START.pattern == policy.KEY_START
    assert secrets.KEY_START.pattern.encode() == screen.PROVIDER_KEY_START.pattern
