"""Credentials committed to the repository."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from archbot import secrets
from archbot.classify import ALL_KINDS
from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import LOOPBACK_HOSTS, llm_client_kind, string_value
from archbot.rules.source import PythonFile, SourceFile

RULES = Family()

_KEY_KWARGS = frozenset(
    [
        "api_key",
        "token",
        "openai_api_key",
        "anthropic_api_key",
        "hf_token",
        "use_auth_token",
        "google_api_key",
        "cohere_api_key",
        "groq_api_key",
        "mistral_api_key",
    ]
)
_ENV_NAME = re.compile(r".*_(API_KEY|TOKEN)$")


@RULES.rule(
    "hardcoded-llm-api-key",
    title="Provider API key or token in source or config",
    severity=Severity.CRITICAL,
    persona="ai-architect-agent",
    kinds=ALL_KINDS,
)
def hardcoded_llm_api_key(src: SourceFile) -> Iterator[Hit]:
    """A provider key or token written into a file of any kind: Python (dict literals and module
    constants too), notebooks, YAML and Helm values, `.env`, Dockerfile `ENV`/`ARG`, JS/TS, Go,
    Rust. Critical when the value has a provider key's shape — one that identifies itself (OpenAI,
    Anthropic, Hugging Face, Google, AWS, GitHub, Groq, Replicate, Pinecone, LangSmith, ... the
    table in `archbot.secrets`) anywhere on the line, or a looser one (`sk-...`, `hf_...`) as the
    value of a credential name (`HF_TOKEN: hf_...`, `apiKey: "sk-..."`); high for a random
    token-like literal under a credential name (`COHERE_API_KEY="..."`). Placeholders
    (`your-key`, `xxxx`, `${VAR}`, `{{ .Values.token }}`), names about a credential rather than the
    credential (`SECRET_NAME`, `HF_TOKEN_PATH`) and token counts (`max_tokens`) are skipped, as is
    a random literal under a credential name in code a data file quotes (between escaped quotes:
    a dataset's programs, a fixture's source file; a notebook's code is the repository's), and a
    random literal or a looser key shape under a credential name in text a string of the code
    holds (`redact('{"client_secret": "..."}')`, `scrub('api_key = "sk-..."')`: a redactor's or a
    parser's test input). So is a random literal under a name for no hosted service
    (`IDP_CLIENT_SECRET`, `JWT_SECRET_KEY`) in a file whose every service address (a URL, a
    `*_HOST` setting) is this machine's (`localhost`, `127.0.0.1`): the credential of a service
    its developer runs locally. A random literal under a name for no hosted service is the `own`
    variant: in a test it is the secret the test hands the code it tests (a signing key, a shared
    secret of a known-answer vector, a fixture's password), not a key to anyone's account, and is
    not reported there; a provider's key shape, or a literal under a provider's name
    (`DEEPGRAM_API_KEY`), is reported in tests too.

    Why:
        A committed key is exposed to everyone with read access and to every clone, fork and CI log;
        keys in public repositories are scraped and abused within minutes, and rotating them
        breaks every deployment that copied them.
    Fix:
        Revoke the key now, then read it from the environment or a secret manager
        (`os.environ["OPENAI_API_KEY"]`, a Kubernetes `secretKeyRef`, a CI secret).
    Bad:
        client = OpenAI(api_key="sk-proj-4f9...T3BlbkFJ...")
    Good:
        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    """
    reported: set[int] = set()
    if isinstance(src, PythonFile):
        for line, detail in _literal_keys(src):
            if line not in reported:
                reported.add(line)
                yield Hit(line, detail)
    for number in sorted(src.changed - reported):
        found = _committed(src, number)
        if found is None:
            continue
        if found.exact:
            yield Hit(number, f"{found.label} {secrets.mask(found.secret)} on this line.")
        else:
            yield Hit(
                number,
                f"`{found.name}` is set to the literal {secrets.mask(found.secret)}.",
                Severity.HIGH,
                variant="" if secrets.names_a_provider(found.name or "") else "own",
            )


def _committed(src: SourceFile, number: int) -> secrets.Detected | None:
    """The first secret on a changed line; a value line is read with the line before it, where a
    `- name: X` / `value: ...` pair keeps its name."""
    line = src.line(number)
    before = src.line(number - 1) + "\n"
    window = before + line
    found = next((d for d in secrets.detect(window) if d.start >= len(before)), None)
    if found is None or found.name is None:
        return found
    # A literal known by the name it is assigned to (a looser key shape, `api_key = "sk-..."`, or a
    # random value): that assignment may be text a string of the code holds.
    if _inside_a_string(src, window, found):
        return None
    if not found.exact:
        # Known by its name alone: the object around it may be a search config, or the assignment
        # may be code quoted as data.
        around = "\n".join(src.line(n) for n in range(number - 6, number + 7))
        if (
            secrets.search_config(around)
            or _quoted_code(src, window, found)
            or _table_column(src, number, found)
            or _for_a_local_service(src, found)
        ):
            return None
    return found


# A service's address as a file writes it: a URL (`http://localhost:3302`,
# `postgres://app:pw@127.0.0.1/db`, `ws://127.0.0.1:8765`) or a host setting (`POSTGRES_HOST=
# localhost`, `sip_domain: 127.0.0.1`).
_SERVICE_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s\"'<>`)]+")
_HOST_SETTING = re.compile(
    r"(?im)^[ \t]*(?:export[ \t]+)?[\w.-]*(?:host|hostname|domain|server)[\"']?[ \t]*[:=]"
    r"[ \t]*[\"']?([\w.\[\]:-]+)"
)


def _for_a_local_service(src: SourceFile, found: secrets.Detected) -> bool:
    """A random literal under a credential name that names no hosted service (`M2M_APP_SECRET`,
    `JWT_SECRET_KEY`, `API_KEY`), in a file whose every service address is this machine's
    (`localhost`, `127.0.0.1`): the credential of a service the developer runs locally (a dev
    identity server, a local knowledge base, a test database's app), made for that setup. A name
    for a provider (`OPENAI_API_KEY`) opens an account elsewhere, and a provider's key shape is
    reported wherever it is."""
    if found.name is None or secrets.names_a_provider(found.name):
        return False
    hosts = [_host(url) for url in _SERVICE_URL.findall(src.text)]
    hosts += [match.lower().strip("[]") for match in _HOST_SETTING.findall(src.text)]
    return bool(hosts) and all(host is not None and _local_host(host) for host in hosts)


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _local_host(host: str) -> bool:
    """This machine (`localhost`, `127.0.0.1`, `app.localhost`); not `*.local`, which names
    Kubernetes' services too (`db.ns.svc.cluster.local`)."""
    return host in LOOPBACK_HOSTS or host.endswith(".localhost")


# Source code, whose string literals hold text the code handles.
_CODE_KINDS = frozenset(["python", "javascript", "typescript", "go", "rust"])


def _inside_a_string(src: SourceFile, window: str, found: secrets.Detected) -> bool:
    """In code, the name and its literal sit inside a string the line opened before them
    (`redact('{"client_secret":"..."}')`, `parse('api_key="..."')`): text the code hands to a
    parser, a redactor or a prompt (a test's input, most often), not a setting of its own."""
    if src.kind not in _CODE_KINDS or not found.name:
        return False
    named = window.rfind(found.name, 0, found.start)
    if named < 0:
        return False
    start = window.rfind("\n", 0, named) + 1
    opened: str | None = None
    opened_at = escaped = False
    for at in range(start, named):
        char = window[at]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif opened is None and char in "\"'`":
            opened, opened_at = char, at == named - 1
        elif char == opened:
            opened = None
    # A string opened right before the name and closed right after it is the name's own quotes.
    own_quotes = opened_at and window[named + len(found.name) : named + len(found.name) + 1] == opened
    return opened is not None and not own_quotes


def _quoted_code(src: SourceFile, window: str, found: secrets.Detected) -> bool:
    """The assignment sits inside a string of a data file: its value between escaped quotes
    (`"source": "const std::string output_secret = \\"...\\";"`), or, in JSON, given by `=`
    (`"prompt": "def fetch(ftp_password='...')"`: JSON itself writes only `"name": value`). It is
    a dataset's program or a fixture's source file, whose names and values are the data's, not
    this repository's settings. A notebook's JSON quotes its own code so: that code is the
    repository's."""
    if src.kind != "other":
        return False
    if window[max(0, found.start - 2) : found.start] in ('\\"', "\\'"):
        return True
    if not found.name or not src.path.endswith((".json", ".jsonl")):
        return False
    named = window.rfind(found.name, 0, found.start)
    between = window[named + len(found.name) : found.start] if named >= 0 else ""
    return "=" in between and ":" not in between


# One entry of a flat table, one per line: `"name": "value",`, `name: value`, `NAME=value`.
_TABLE_ENTRY = re.compile(
    r"""\s*["']?(?P<name>[\w.\-]+)["']?\s*[:=]\s*["']?(?P<value>[A-Za-z0-9+/=_\-]+)["']?\s*,?\s*(?:#.*|//.*)?"""
)
_COMMENT = re.compile(r"\s*(?:#|//)")
# A column: this many hex values of one length, at most a third of them under credential names.
_COLUMN_LENGTH = 5
_HEX = frozenset("0123456789abcdef")


def _table_column(src: SourceFile, number: int, found: secrets.Detected) -> bool:
    """The literal is one hex value of a column: a run of entries, line after line, whose values
    are all hex digits of its length, most of them under names of no credential (a table of
    digests keyed by tool name, where `credential_get` is one more tool). A key is one value under
    one name; digests computed alike for a list of things are the table's data. Only hex: keys
    generated as random tokens stand beside ids of their own length in a `.env`."""
    length = _hex_length(found.secret)
    if length is None:
        return False
    alike = credentials = 0
    for step in (-1, 1):
        at = number if step == 1 else number - 1
        while 0 < at <= len(src.lines):
            text = src.line(at)
            entry = _TABLE_ENTRY.fullmatch(text)
            if entry is None and not _COMMENT.match(text):
                break
            if entry is not None and _hex_length(entry.group("value")) == length:
                alike += 1
                credentials += secrets.credential_name(entry.group("name"))
            at += step
    return alike >= _COLUMN_LENGTH and 3 * credentials <= alike


def _hex_length(value: str) -> int | None:
    return len(value) if _HEX.issuperset(value.lower()) and (value.islower() or value.isupper()) else None


def _literal_keys(src: PythonFile) -> Iterator[tuple[int, str]]:
    names = src.names
    for call in src.changed_calls():
        client = llm_client_kind(names.call_name(call))
        for keyword in call.keywords:
            value = string_value(keyword.value)
            if (
                keyword.arg in _KEY_KWARGS
                and value is not None
                and secrets.looks_like_secret(value)
                and (client is not None or keyword.arg != "token")
            ):
                line = src.changed_line(keyword.value)
                if line is not None:
                    yield line, f"`{keyword.arg}=` is the literal {secrets.mask(value)}."
    for node in src.nodes.walked:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        value = string_value(node.value)
        if (
            isinstance(target, ast.Subscript)
            and names.qualname(target.value) == "os.environ"
            and value is not None
            and secrets.looks_like_secret(value)
        ):
            env_name = string_value(target.slice)
            line = src.changed_line(node)
            if env_name and _ENV_NAME.match(env_name) and line is not None:
                yield (
                    line,
                    f"`os.environ[{env_name!r}]` is set to the literal {secrets.mask(value)}.",
                )
