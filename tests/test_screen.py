"""The hook's fast path (archbot.screen via the console entry point) answers exactly as the full
review does: the same output and exit code in every repository state, the fast path taken only
when the full review would find nothing ML/LLM-related; and the screen never calls a file plain
that routing would send to a persona."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import secret_corpus
from archbot import classify, diff, personas, policy, review, routing, screen, secrets
from archbot.frontmatter import Cache
from archbot.repo import catalog
from archbot.repo.model import Repository
from archbot.rules import engine, source
from archbot.rules.registry import all_rules
from conftest import GitRepo

PLAIN_MODULE = '''"""Invoice totals."""

from decimal import Decimal


def total(lines: list[tuple[Decimal, int]]) -> Decimal:
    return sum((price * quantity for price, quantity in lines), Decimal("0"))
'''
PLAIN_SCRIPT = "export function formatPrice(cents) {\n  return (cents / 100).toFixed(2);\n}\n"
LLM_MODULE = '''"""Drafts replies to support tickets."""

from openai import OpenAI

client = OpenAI(timeout=20.0, max_retries=2)


def draft(ticket: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-2024-08-06",
        max_tokens=400,
        messages=[{"role": "user", "content": ticket}],
    )
    return reply.choices[0].message.content or ""
'''
# Shaped like a legacy OpenAI key (the gitleaks pattern), assembled so no scanner flags this file.
OPENAI_KEY = "sk-" + "Ab3dE" * 4 + "T3Blbk" + "FJ" + "Zx9Yw" * 4
NO_ML = "archbot: no ML/LLM-related changes\n"
FULL_REVIEW = "import sys; from archbot.cli import main; sys.exit(main())"


def hook(repo: GitRepo) -> tuple[int, str, str, set[str]]:
    """`archbot review` as the hook runs it (via __main__ -> entry), with the modules it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "archbot", "review"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT": "1"},
    )
    lines = result.stderr.splitlines()
    modules = {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}
    errors = "".join(line + "\n" for line in lines if not line.startswith("import time:"))
    return result.returncode, result.stdout, errors, modules


def full_review(repo: GitRepo) -> tuple[int, str, str]:
    """The same command through the click CLI only: what the hook printed before the fast path."""
    result = subprocess.run(
        [sys.executable, "-c", FULL_REVIEW, "review"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT": "1"},
    )
    return result.returncode, result.stdout, result.stderr


def assert_same_as_full_review(repo: GitRepo, fast: bool) -> tuple[int, str, str]:
    code, out, err, modules = hook(repo)
    assert (code, out, err) == full_review(repo)
    assert ("archbot.cli" not in modules) is fast
    return code, out, err


def test_plain_commit_takes_the_fast_path(repo: GitRepo) -> None:
    repo.commit("initial")
    repo.stage("shop/invoice.py", PLAIN_MODULE)
    repo.stage("web/static/price.js", PLAIN_SCRIPT)
    repo.stage("docs/invoice.md", "# Invoices\n\nTotals are computed server side.\n")
    repo.stage("assets/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")

    assert assert_same_as_full_review(repo, fast=True) == (0, NO_ML, "")


def test_deletions_and_an_empty_index_take_the_fast_path(repo: GitRepo) -> None:
    repo.stage("agents/old_llm.py", LLM_MODULE)
    repo.commit("initial")
    assert assert_same_as_full_review(repo, fast=True) == (0, NO_ML, "")

    repo.git("rm", "-q", "agents/old_llm.py")
    assert assert_same_as_full_review(repo, fast=True) == (0, NO_ML, "")


def test_llm_code_goes_to_the_full_review(repo: GitRepo) -> None:
    repo.stage("support/drafts.py", LLM_MODULE)

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert code == 0
    assert out.splitlines()[-1].startswith("archbot: ")
    assert out != NO_ML


def test_a_provider_key_in_a_plain_file_goes_to_the_full_review(repo: GitRepo) -> None:
    repo.stage("shop/settings.py", f'PAYMENT_TIMEOUT = 30\nFALLBACK_KEY = "{OPENAI_KEY}"\n')

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert code == 1
    assert "[hardcoded-llm-api-key]" in out


def test_a_model_url_in_a_file_without_an_sdk_goes_to_the_full_review(repo: GitRepo) -> None:
    repo.stage(
        "shop/assistant.py",
        "import requests\n\n\ndef answer(messages):\n"
        '    reply = requests.post("https://llm.example.org/v1/chat/completions", json=messages)\n'
        "    return reply.json()\n",
    )

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert code == 0
    assert "shop/assistant.py:5" in out and "[http-call-no-timeout]" in out


def test_a_keyword_split_across_whitespace_goes_to_the_full_review(repo: GitRepo) -> None:
    """Routing joins `a . b` into the token `a.b`: the screen must not miss it."""
    repo.stage(
        "shop/notify.py",
        "def send(client, text):\n"
        "    client . chat . completions . create(messages=[text])\n"
        "    return client.messages . create(system_prompt=text, max_tokens=5, tool_choice=None)\n",
    )

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert code == 0
    assert out != NO_ML


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".archbot.yml", "paths:\n  exclude: ['vendor/**']\n"),
        (".archbot.yaml", "fail_on: high\n"),
        ("pyproject.toml", '[project]\nname = "shop"\n\n[tool.archbot]\nfail_on = "high"\n'),
    ],
)
def test_a_config_file_goes_to_the_full_review(repo: GitRepo, name: str, text: str) -> None:
    repo.write(name, text)
    repo.commit("config")
    repo.stage("shop/invoice.py", PLAIN_MODULE)

    assert assert_same_as_full_review(repo, fast=False) == (0, NO_ML, "")


def test_a_broken_config_fails_the_same_way(repo: GitRepo) -> None:
    repo.write(".archbot.yml", "fail_on: sometimes\n")
    repo.commit("config")
    repo.stage("shop/invoice.py", PLAIN_MODULE)

    code, out, err = assert_same_as_full_review(repo, fast=False)

    assert (code, out) == (2, "")
    assert err.startswith(f"archbot: {repo.path / '.archbot.yml'}: 'fail_on' has invalid value 'sometimes'")


def test_pyproject_without_archbot_settings_keeps_the_fast_path_invalid_toml_of_ours_does_not(
    repo: GitRepo,
) -> None:
    repo.write(
        "pyproject.toml",
        '[project]\nname = "shop"\nversion = "1.0"\n\n[dependency-groups]\ndev = ["archbot>=0.1"]\n',
    )
    repo.commit("project")
    repo.stage("shop/invoice.py", PLAIN_MODULE)
    assert assert_same_as_full_review(repo, fast=True) == (0, NO_ML, "")

    repo.write("pyproject.toml", '[project]\nname = "shop"\n\n[tool.archbot]\nfail_on = "high\n')
    code, out, err = assert_same_as_full_review(repo, fast=False)
    assert (code, out) == (2, "")
    assert err.startswith("archbot: ") and "invalid TOML" in err

    # A pyproject.toml that never names archbot is another tool's: a table declared twice (which
    # TOML forbids and some packaging tools accept) stops no review.
    repo.write(
        "pyproject.toml",
        '[tool.poetry.extras]\nfast = ["uvloop"]\n\n[tool.poetry.extras]\nio = ["aiofiles"]\n',
    )
    assert assert_same_as_full_review(repo, fast=True) == (0, NO_ML, "")


def test_repository_personas_go_to_the_full_review(repo: GitRepo) -> None:
    """A persona of the repository's own may route files no built-in persona would."""
    repo.write(
        ".archbot/personas/billing-reviewer.md",
        "---\nname: billing-reviewer\ndescription: Reviews invoice arithmetic.\n"
        "archbot:\n  imports: [decimal]\n  keywords: [Decimal]\n---\nCheck rounding.\n",
    )
    repo.commit("persona")
    repo.stage("shop/invoice.py", PLAIN_MODULE)

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert code == 0
    assert out != NO_ML


def test_outside_a_repository_the_error_is_the_full_reviews(tmp_path: Path, repo: GitRepo) -> None:
    outside = GitRepo(tmp_path / "plain-folder")
    outside.path.mkdir()

    code, out, err = assert_same_as_full_review(outside, fast=False)

    assert (code, out) == (2, "")
    assert err.startswith("archbot: not inside a git repository")


def test_a_conflicted_index_goes_to_the_full_review(repo: GitRepo) -> None:
    repo.stage("shop/invoice.py", PLAIN_MODULE)
    repo.commit("initial")
    repo.git("checkout", "-q", "-b", "other")
    repo.stage("shop/invoice.py", PLAIN_MODULE.replace("Invoice totals", "Totals of invoices"))
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    repo.stage("shop/invoice.py", PLAIN_MODULE.replace("Invoice totals", "Invoice sums"))
    repo.commit("main")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo.path, capture_output=True, check=False)
    assert merge.returncode != 0

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert (code, out) == (2, "")


# --- the screen is sound: whatever routing sends to a persona, the screen lets through ----------

BUILTINS = personas.load(personas.builtin_texts())
TRIGGER_WORDS = sorted(
    {w for p in BUILTINS.values() for w in (*p.triggers.imports, *p.triggers.keywords, *p.context.keywords)}
    | {n for p in catalog.PACKAGES for n in (p.name, *p.distributions) if p.ecosystem in ("python", "rust")}
)
SOURCE_NAMES = sorted({p.name.rstrip("*") for p in catalog.PACKAGES if p.ecosystem in ("js", "go", "rust")})

TRIGGERS = screen.persona_triggers(iter(t for _, t in personas.builtin_texts()), Cache(Path(os.devnull)))
assert TRIGGERS is not None


def variants(word: str) -> st.SearchStrategy[str]:
    """A trigger as code may spell it: as is, upper-cased, with `-`/`_` swapped, dots spaced out."""
    bare = word.removesuffix("*")
    return st.sampled_from(
        [
            bare,
            bare.upper(),
            bare.replace("_", "-"),
            bare.replace("-", "_"),
            bare.replace(".", " . "),
            bare + "x",
        ]
    )


fragments = st.one_of(
    st.sampled_from(TRIGGER_WORDS).flatmap(variants).map(lambda w: f"import {w}"),
    st.sampled_from(TRIGGER_WORDS).flatmap(variants).map(lambda w: f"value = {w}(1)"),
    st.sampled_from(TRIGGER_WORDS).flatmap(variants).map(lambda w: f"{w}>=1.0"),
    st.sampled_from(TRIGGER_WORDS).flatmap(variants).map(lambda w: f'FROM {w}/{w}:latest  # "{w}"'),
    st.sampled_from(SOURCE_NAMES).map(lambda w: f'import {{ x }} from "{w}";'),
    st.sampled_from(SOURCE_NAMES).map(lambda w: f'import "{w}"'),
    st.sampled_from(SOURCE_NAMES).map(lambda w: f"use {w}::Client;"),
    st.sampled_from(SOURCE_NAMES).map(lambda w: f'    "{w}": "^1.0",'),
    st.sampled_from(SOURCE_NAMES).map(lambda w: f"\t{w} v1.0.0"),
    st.sampled_from(["total = 0", "def f(x):", "    return x", "# a comment", f'KEY = "{OPENAI_KEY}"']),
    st.sampled_from(
        [
            'URL = "http://localhost:11434/api/generate"',
            'requests.post("https://api.groq.com/openai/v1/chat/completions")',
            'u = f"{base}/v1/embeddings"',
        ]
    ),
)
paths = st.sampled_from(
    [
        "shop/invoice.py",
        "app/llm/client.py",
        "requirements.txt",
        "deps/requirements-ml.txt",
        "Dockerfile",
        "web/app.js",
        "notes.md",
        "environment.yml",
        "pyproject.toml",
        "setup.py",
        "docs/notebook.ipynb",
        "k8s/serve.yaml",
        "web/chat.ts",
        "cmd/main.go",
        "src/lib.rs",
        "Cargo.toml",
        "go.mod",
        "src/langchain_core/runnables/base.py",
    ]
)


@settings(max_examples=300, deadline=None)
@given(path=paths, lines=st.lists(fragments, min_size=1, max_size=6))
def test_routing_never_sends_a_file_the_screen_calls_plain(path: str, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    body = "".join(f"+{line}\n" for line in text.splitlines())
    (changed,) = diff.parse(
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )
    facts = classify.facts(path, text, frozenset(changed.added_lines))
    routed = routing.route_file(BUILTINS, path, facts, {}, review._secret_signals(changed))

    if routed.persona is not None:
        assert screen.may_be_routed(path, text.encode(), TRIGGERS)


def test_every_provider_key_of_the_corpus_has_a_screened_prefix() -> None:
    keys = [s.value for s in secret_corpus.build() if secrets.provider_key(s.value) is not None]

    assert len(keys) >= 5
    assert [k for k in keys if not screen.PROVIDER_KEY_START.search(k.encode())] == []


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("requirements/ml.in", "Huggingface-Hub==0.20.3\n"),
        (
            "shop/notify.py",
            "def f(c):\n    c . chat . completions()\n    c.messages .create()\n"
            "    c . responses. create()\n",
        ),
        ("shop/settings.py", f'FALLBACK = "{OPENAI_KEY}"\n'),
        ("support/reply.py", "from support.conversation import prompts\n"),
        ("deploy/ranker.yaml", "image: nvcr.io/nvidia/tritonserver:24.08-py3\n"),
        ("web/package.json", '{"dependencies": {"ai": "^4.0.0"}}\n'),
        ("web/chat.ts", 'import { generateText } from "ai";\n'),
        ("src/infer.rs", "pub use ort::session::Session;\n"),
        ("Cargo.toml", '[dependencies]\nrig-core = "0.5"\n'),
        ("go.mod", "module x\n\nrequire (\n\tgithub.com/tmc/langchaingo v0.1.12\n)\n"),
        ("requirements.txt", "Scikit-Learn==1.5\n"),
    ],
)
def test_spellings_routing_normalises_are_screened(path: str, text: str) -> None:
    """Requirement names are compared folded, dotted names with spaces joined, keys by shape."""
    body = "".join(f"+{line}\n" for line in text.splitlines())
    (changed,) = diff.parse(
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(text.splitlines())} @@\n{body}"
    )
    facts = classify.facts(path, text, frozenset(changed.added_lines))

    assert routing.route_file(BUILTINS, path, facts, {}, review._secret_signals(changed)).persona is not None
    assert screen.may_be_routed(path, text.encode(), TRIGGERS)


def test_a_catalog_packages_own_module_is_screened_by_its_path(tmp_path: Path) -> None:
    """A module of a catalog package's own code (routing.ProjectModules.package) has no word of
    its own to screen: its path holds the package's name."""
    files = {
        "src/dspy/__init__.py": b"",
        "src/dspy/predict/__init__.py": b"",
        "src/dspy/predict/x.py": b"X = 1\n",
    }
    repo = Repository(lambda: tuple(files), files.get)
    facts = classify.facts("src/dspy/predict/x.py", "X = 1\n", frozenset((1,)))

    signals = routing.ProjectModules(repo).signals("src/dspy/predict/x.py", facts, 0.0)

    assert signals == {catalog.LLM: [routing.Signal("package", "dspy", routing.PACKAGE_WEIGHT)]}
    assert screen.path_may_be_routed("src/dspy/predict/x.py", TRIGGERS)
    assert not screen.path_may_be_routed("src/shop/predict/x.py", TRIGGERS)


# --- rules that speak in every file: the words they need are screened ---------------------------

DATA = Path(__file__).parent / "data"
ANY_SCOPE = {rule for rule, entry in policy.POLICY.items() if entry.scope == "any"}


def corpus_files() -> list[Path]:
    return sorted(
        p for folder in ("rules", "rules-infra", "recall") for p in (DATA / folder).rglob("*") if p.is_file()
    )


def any_scope_findings(path: str, text: str) -> list[str]:
    """The `any` rules that report on `path` when every line of it is new, run unrestricted."""
    repo = Repository(lambda: (path,), lambda _: text.encode())
    src = source.make(path, text, frozenset(range(1, text.count("\n") + 2)), True, repo)
    specs = {rule: spec for rule, spec in all_rules().items() if rule in ANY_SCOPE}
    return sorted({f.rule for f in engine.run([src], specs).findings})


def test_the_words_any_rule_needs_occur_wherever_it_reports_in_the_fixtures() -> None:
    reported = 0
    for file in corpus_files():
        text = file.read_text(encoding="utf-8", errors="replace")
        path = file.relative_to(DATA).as_posix().split("/", 2)[-1]
        for rule in any_scope_findings(path, text):
            reported += 1
            assert policy.may_fire(rule, text, text.lower()), (file, rule)
            assert screen.needs_review(path, text.encode(), TRIGGERS), (file, rule)
    assert reported >= 8


secret_values = st.sampled_from(
    [OPENAI_KEY, "hf_" + "Qw3rTy" * 6, "AIza" + "Sy" + "B7x9Kq2" * 5, "zX81kQ0pLm29NvB7cT4wR6yH3jU5"]
)
any_rule_lines = st.one_of(
    secret_values.map(lambda v: f'client = OpenAI(api_key="{v}")'),
    secret_values.map(lambda v: f'client = InferenceClient(token="{v}")'),
    secret_values.map(lambda v: f'os.environ["ACME_API_KEY"] = "{v}"'),
    secret_values.map(lambda v: f'HF_TOKEN = "{v}"'),
    st.sampled_from(
        [
            "model = AutoModel.from_pretrained(name, trust_remote_code=True)",
            'args = ["--model", "acme/ranker", "--trust-remote-code"]',
            "import os",
            "total = 0",
        ]
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    path=st.sampled_from(["shop/settings.py", "deploy/serve.yaml", "Dockerfile", ".env"]),
    lines=st.lists(any_rule_lines, min_size=1, max_size=4),
)
def test_screen_lets_through_every_file_an_any_rule_reports_on(path: str, lines: list[str]) -> None:
    text = (
        "import os\nfrom openai import OpenAI\n" + "\n".join(lines) + "\n"
        if path.endswith(".py")
        else "\n".join(lines) + "\n"
    )

    for rule in any_scope_findings(path, text):
        assert policy.may_fire(rule, text, text.lower())
        assert screen.needs_review(path, text.encode(), TRIGGERS)


def test_a_trust_flag_in_a_plain_manifest_goes_to_the_full_review(repo: GitRepo) -> None:
    repo.stage(
        "deploy/ranker.yaml", 'containers:\n  - args: ["--model", "acme/ranker", "--trust-remote-code"]\n'
    )

    code, out, _ = assert_same_as_full_review(repo, fast=False)

    assert code == 0
    assert "[trust-remote-code]" in out


def test_a_word_a_rule_needs_sends_a_plain_commit_to_the_full_review_which_stays_silent(
    repo: GitRepo,
) -> None:
    repo.stage("shop/session.py", "def refresh(token: str) -> str:\n    return token[::-1]\n")

    assert assert_same_as_full_review(repo, fast=False) == (0, NO_ML, "")
