"""The package catalog (repo/catalog.py) and the routing that reads it: every entry routes a file
importing it in its own language to its persona; sub-modules refine their package; JavaScript,
Go and Rust sources and manifests carry import signals; project imports carry ML-ness; a manifest
cannot outvote the code of the change; the changed lines outweigh imports on unchanged lines;
security-relevant changed lines of ML code bring in the governance persona."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from archbot import classify, personas, routing
from archbot.repo import catalog
from conftest import GitRepo, Run

RunArchbot = Callable[..., Run]
BUILTINS = personas.load(personas.builtin_texts())
# A real member of each family, to import in its test.
FAMILY_MEMBERS = {
    "langchain_*": "langchain_nomic",
    "torch*": "torch_xla",
    "@ai-sdk/*": "@ai-sdk/openai",
    "@langchain/*": "@langchain/google-genai",
    "@llamaindex/*": "@llamaindex/openai",
}


def source(package: catalog.Package) -> tuple[str, str]:
    """A file of the package's language that imports it, and its path."""
    name = FAMILY_MEMBERS.get(package.name, package.name)
    if package.ecosystem == "python":
        head, _, last = name.rpartition(".")
        line = f"from {head} import {last}" if head and last[0].isupper() else f"import {name}"
        return "app/feature.py", f"{line}\n"
    if package.ecosystem == "js":
        return "web/feature.ts", f'import {{ client }} from "{name}";\n'
    if package.ecosystem == "go":
        return "cmd/feature.go", f'package main\n\nimport (\n\t"fmt"\n\n\t"{name}"\n)\n'
    return "src/feature.rs", f"use {name}::Client;\n"


def route(path: str, text: str, added: frozenset[int] | None = None) -> Any:
    lines = frozenset(range(1, text.count("\n") + 2)) if added is None else added
    return routing.route_file(BUILTINS, path, classify.facts(path, text, lines), {})


# --- the table --------------------------------------------------------------------------------


def test_the_catalog_has_three_hundred_distinct_entries_of_the_five_personas() -> None:
    keys = [(p.ecosystem, p.name) for p in catalog.PACKAGES]

    assert len(keys) >= 300
    assert len(set(keys)) == len(keys)
    assert {p.persona for p in catalog.PACKAGES} == set(catalog.PERSONAS) == set(personas.BUILTIN_ORDER)
    assert {p.ecosystem for p in catalog.PACKAGES} == set(catalog.ECOSYSTEMS)
    assert all(p.domain for p in catalog.PACKAGES)
    assert set(FAMILY_MEMBERS) == {p.name for p in catalog.PACKAGES if p.name.endswith("*")}


@pytest.mark.parametrize("package", catalog.PACKAGES, ids=lambda p: f"{p.ecosystem}:{p.name}")
def test_each_entry_routes_a_file_importing_it_to_its_persona(package: catalog.Package) -> None:
    path, text = source(package)

    routed = route(path, text)

    assert routed.persona == package.persona
    assert routing.Signal("imports", package.name, routing.IMPORT_ADDED) in routed.signals[package.persona]


@pytest.mark.parametrize(
    "package",
    [p for p in catalog.PACKAGES if p.distributions],
    ids=lambda p: f"{p.ecosystem}:{p.name}",
)
def test_each_distribution_name_declares_its_entry(package: catalog.Package) -> None:
    for distribution in package.distributions:
        assert catalog.dependency(distribution, package.ecosystem) is package
        assert catalog.dependency(distribution.upper().replace("-", "_"), package.ecosystem) is package


@pytest.mark.parametrize(
    ("module", "ecosystem", "name", "persona"),
    [
        ("llama_index.core", "python", "llama_index", catalog.SYSTEM),
        ("llama_index.llms.openai", "python", "llama_index.llms", catalog.LLM),
        ("llama_index.vector_stores.qdrant", "python", "llama_index.vector_stores", catalog.SYSTEM),
        ("llama_index.embeddings.openai", "python", "llama_index.embeddings", catalog.SYSTEM),
        (
            "langchain_community.vectorstores.faiss",
            "python",
            "langchain_community.vectorstores",
            catalog.SYSTEM,
        ),
        ("langchain_community.chat_models", "python", "langchain_community.chat_models", catalog.LLM),
        ("langchain_community.tools", "python", "langchain_community", catalog.LLM),
        ("transformers.pipelines", "python", "transformers.pipelines", catalog.MODEL),
        ("ray.serve.handle", "python", "ray.serve", catalog.PLATFORM),
        ("ray.train.torch", "python", "ray.train", catalog.MODEL),
        ("huggingface_hub.InferenceClient", "python", "huggingface_hub.InferenceClient", catalog.LLM),
        ("huggingface_hub.hf_hub_download", "python", "huggingface_hub", catalog.PLATFORM),
        (
            "@langchain/community/vectorstores/chroma",
            "js",
            "@langchain/community/vectorstores",
            catalog.SYSTEM,
        ),
        ("@langchain/core/prompts", "js", "@langchain/core", catalog.LLM),
        (
            "github.com/tmc/langchaingo/vectorstores/qdrant",
            "go",
            "github.com/tmc/langchaingo/vectorstores",
            catalog.SYSTEM,
        ),
        ("github.com/openai/openai-go/v2/option", "go", "github.com/openai/openai-go", catalog.LLM),
        ("candle_core::Tensor", "rust", "candle_core", catalog.MODEL),
    ],
)
def test_sub_modules_refine_their_package(module: str, ecosystem: str, name: str, persona: str) -> None:
    found = catalog.lookup(module, ecosystem)

    assert found is not None and (found.name, found.persona) == (name, persona)


@pytest.mark.parametrize(
    ("module", "ecosystem"),
    [("openaix", "python"), ("torch", "js"), ("aiohttp", "python"), ("air", "js"), ("rigid", "rust")],
)
def test_names_that_only_look_like_entries_match_nothing(module: str, ecosystem: str) -> None:
    assert catalog.lookup(module, ecosystem) is None


def test_a_from_import_of_a_sub_module_routes_by_the_sub_module() -> None:
    llm = route("app/answer.py", "from llama_index.llms.openai import OpenAI\n")
    rag = route("app/store.py", "from llama_index.vector_stores.qdrant import QdrantVectorStore\n")
    client = route("app/hub.py", "from huggingface_hub import InferenceClient\n")

    assert (llm.persona, rag.persona, client.persona) == (catalog.LLM, catalog.SYSTEM, catalog.LLM)
    assert not any(s.value == "huggingface_hub" for s in client.signals[catalog.PLATFORM])


def test_a_shared_name_that_is_a_project_module_is_the_projects_own() -> None:
    class Project:
        def is_module(self, name: str, near: str) -> bool:
            return name.split(".")[0] == "agents"

        def package(self, path: str) -> catalog.Package | None:
            return None

        def signals(
            self, path: str, facts: classify.FileFacts, own: float
        ) -> dict[str, list[routing.Signal]]:
            return {}

    text = "from agents import Runner\nfrom datasets import load_dataset\n"
    facts = classify.facts("app/run.py", text, frozenset((1, 2)))

    routed = routing.route_file(BUILTINS, "app/run.py", facts, {}, (), Project())

    assert routed.persona == catalog.MODEL
    assert [s.value for s in routed.signals[catalog.LLM]] == []


# --- JavaScript, Go and Rust sources and manifests ------------------------------------------------

GO_SOURCE = """package main

import (
\t"context"
\tqdrant "github.com/qdrant/go-client/qdrant"
)

import "github.com/sashabaranov/go-openai"
"""
RUST_SOURCE = """extern crate tch;
pub use async_openai::types::CreateChatCompletionRequest;
use crate::config::Settings;
use std::sync::Arc;
"""
PACKAGE_JSON = """{
  "name": "web",
  "dependencies": {
    "react": "^18.0.0",
    "@anthropic-ai/sdk": "^0.30.0"
  },
  "devDependencies": {"@pinecone-database/pinecone": "^3.0.0"}
}
"""
GO_MOD = """module example.com/app

go 1.22

require github.com/tmc/langchaingo v0.1.12

require (
\tgithub.com/google/uuid v1.6.0
\tgithub.com/qdrant/go-client v1.12.0 // indirect
)
"""
CARGO_TOML = """[package]
name = "app"

[dependencies]
serde = "1"
candle-core = { version = "0.8" }

[dev-dependencies.criterion]
version = "0.5"
"""


@pytest.mark.parametrize(
    ("path", "text", "imports"),
    [
        (
            "cmd/main.go",
            GO_SOURCE,
            {"context", "github.com/qdrant/go-client/qdrant", "github.com/sashabaranov/go-openai"},
        ),
        ("src/lib.rs", RUST_SOURCE, {"tch", "async_openai"}),
        ("web/package.json", PACKAGE_JSON, {"react", "@anthropic-ai/sdk", "@pinecone-database/pinecone"}),
        (
            "go.mod",
            GO_MOD,
            {"github.com/tmc/langchaingo", "github.com/google/uuid", "github.com/qdrant/go-client"},
        ),
        ("Cargo.toml", CARGO_TOML, {"serde", "candle-core", "criterion"}),
        ("web/chat.js", 'const { OpenAI } = require("openai");\nimport("./local.js");\n', {"openai"}),
    ],
)
def test_sources_and_manifests_of_other_languages_carry_their_imports(
    path: str, text: str, imports: set[str]
) -> None:
    assert set(classify.facts(path, text, frozenset()).imports) == imports


@pytest.mark.parametrize(
    ("path", "text", "persona", "signal"),
    [
        ("web/package.json", PACKAGE_JSON, catalog.LLM, "@anthropic-ai/sdk"),
        ("go.mod", GO_MOD, catalog.LLM, "github.com/tmc/langchaingo"),
        ("Cargo.toml", CARGO_TOML, catalog.MODEL, "candle_core"),
    ],
)
def test_manifest_dependencies_are_signals_of_their_persona(
    path: str, text: str, persona: str, signal: str
) -> None:
    routed = route(path, text)

    assert routed.persona == persona
    assert routing.Signal("depends", signal, routing.IMPORT_ADDED) in routed.signals[persona]


def test_a_manifest_counts_at_most_one_added_import_per_persona() -> None:
    text = "torch==2.3\ntransformers==4.44\naccelerate==0.33\npeft==0.12\n"

    routed = route("requirements.txt", text)

    assert routed.scores[catalog.MODEL] == routing.MANIFEST_CAP


# --- the change outweighs what is around it ------------------------------------------------------

HEAVY_MODEL_FILE = """import torch
import transformers
import accelerate
import peft
import deepspeed


def answer(client, question):
    import openai

    return client.chat.completions.create(model=MODEL, messages=[question], max_tokens=200)
"""


def test_the_changed_lines_outweigh_imports_on_unchanged_lines() -> None:
    changed = frozenset(range(8, 12))

    routed = route("app/helper.py", HEAVY_MODEL_FILE, changed)
    unchanged = route("app/helper.py", HEAVY_MODEL_FILE, frozenset((1,)))

    assert routed.scores[catalog.MODEL] > routed.scores[catalog.LLM]
    assert routed.persona == catalog.LLM
    assert unchanged.persona == catalog.MODEL


def test_a_manifest_cannot_outvote_the_code_files_of_the_change() -> None:
    requirements = route("requirements.txt", "torch==2.3\npeft==0.12\ntrl==0.9\n")
    conda = route("environment.yml", "dependencies:\n  - pytorch\n  - pip:\n    - transformers==4.44\n")
    code = route("app/client.py", "import openai\n")

    assignments = routing.assign([requirements, conda, code], max_personas=1)

    assert requirements.scores[catalog.MODEL] + conda.scores[catalog.MODEL] > code.scores[catalog.LLM]
    assert [(a.name, a.files) for a in assignments] == [
        (catalog.LLM, ("requirements.txt", "environment.yml", "app/client.py"))
    ]


def test_tests_weigh_less_than_the_library_when_personas_are_ranked() -> None:
    test = route("tests/test_store.py", "import chromadb\nimport qdrant_client\nimport faiss\n")
    library = route("pkg/client.py", "import openai\n")

    ranked = routing.assign(
        [test, library], 1, roles={"tests/test_store.py": "test", "pkg/client.py": "library"}
    )
    unweighed = routing.assign([test, library], 1)

    assert [a.name for a in ranked] == [catalog.LLM]
    assert [a.name for a in unweighed] == [catalog.SYSTEM]


# --- security-relevant content brings in the governance persona --------------------------------


@pytest.mark.parametrize(
    ("line", "mark"),
    [
        ("    return eval(answer.text)", "code execution"),
        ("    exec(generated_code, namespace)", "code execution"),
        ("    subprocess.run(command, shell=True)", "code execution"),
        ("    state = pickle.loads(blob)", "deserialization"),
        ("    weights = torch.load(path)", "deserialization"),
        ("    env = jinja2.sandbox.SandboxedEnvironment()", "sandboxing"),
        ("    password = settings.db_password", "credentials"),
        ("    headers = {'Authorization': bearer(token)}", "auth"),
    ],
)
def test_security_relevant_changed_lines_bring_in_the_governance_persona(line: str, mark: str) -> None:
    text = f"import openai\n\n\ndef run(answer, blob, path, command, settings, token):\n{line}\n"

    routed = route("app/agent_tools.py", text, frozenset((1, 5)))
    assignments = routing.assign([routed], max_personas=2)

    assert routed.persona == catalog.LLM
    assert routing.Signal("security", mark, routing.SECURITY_WEIGHT) in routed.signals[catalog.PLATFORM]
    assert [(a.name, a.files) for a in assignments] == [
        (catalog.LLM, ("app/agent_tools.py",)),
        (catalog.PLATFORM, ("app/agent_tools.py",)),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("app/agent_tools.py", "import openai\n\n\ndef run(model):\n    model.to(device).eval()\n"),
        ("shop/admin.py", "import json\n\n\ndef run(blob):\n    return eval(blob)\n"),
    ],
)
def test_no_governance_persona_for_model_eval_or_for_code_that_is_not_ml(path: str, text: str) -> None:
    routed = route(path, text, frozenset((1, 5)))

    assert not [s for s in routed.signals[catalog.PLATFORM] if s.kind == "security"]
    assert [a.name for a in routing.assign([routed], max_personas=2)] == (
        [catalog.LLM] if routed.persona else []
    )


@pytest.mark.parametrize(
    ("path", "text", "url", "weight"),
    [
        # A client of a model through plain HTTP: an OpenAI-compatible path, Ollama's port, a
        # hosted API's host; in Python and in a TypeScript source. Named on an added line or not.
        (
            "shop/assistant.py",
            'import requests\n\nURL = "http://models.internal/v1/chat/completions"\n',
            "/v1/chat/completions",
            routing.MODEL_URL_ADDED,
        ),
        ("shop/drafts.py", 'BASE = "http://127.0.0.1:11434"\n', ":11434", routing.MODEL_URL_ADDED),
        (
            "web/summarize.ts",
            'const r = await fetch("https://api.anthropic.com/v1/messages", init);\n',
            "api.anthropic.com",
            routing.MODEL_URL_ADDED,
        ),
    ],
)
def test_a_model_url_routes_a_file_that_imports_no_sdk(path: str, text: str, url: str, weight: float) -> None:
    routed = route(path, text, frozenset((len(text.splitlines()),)))

    assert routed.persona == catalog.LLM
    assert routing.Signal("endpoint", url, weight) in routed.signals[catalog.LLM]
    assert routing.ml_related(routed)


def test_a_model_url_on_unchanged_lines_alone_routes_nothing() -> None:
    """A UI's text names a provider's URL as a placeholder: the locale file's change goes to no
    persona (its code still names a model, so the rules read it as they read a file importing an
    SDK on unchanged lines)."""
    text = (
        "export default {\n  baseUrlPlaceholder: 'https://api.openai.com/v1',\n"
        "  prompts: 'Prompts',\n  rerank: 'Rerank',\n  save: 'Save',\n};\n"
    )

    routed = route("web/src/locales/en.ts", text, frozenset((5,)))

    assert routing.Signal("endpoint", "api.openai.com", routing.MODEL_URL_FILE) in routed.signals[catalog.LLM]
    assert routed.persona is None


def test_a_model_url_on_unchanged_lines_does_not_choose_the_persona() -> None:
    """A change that cuts retrieved rows (`top_k`, line 7), beside a judge's URL it had already: as
    many words of each persona's on the file's other lines, the URL does not tip the choice."""
    text = (
        "import requests\n\n"
        'JUDGE = "https://api.openai.com/v1/chat/completions"\n\n\n'
        "def score(rows, top_k, prompt_template, chat_history, chunk_size):\n"
        "    return sorted(rows)[:top_k]\n"
    )

    routed = route("quality/run.py", text, frozenset((7,)))

    assert routed.persona == catalog.SYSTEM
    assert routing.Signal("endpoint", "api.openai.com", routing.MODEL_URL_FILE) in routed.signals[catalog.LLM]


@pytest.mark.parametrize(
    "text",
    [
        # Routes of applications that serve no model: a report generator, a support chat, messages.
        'requests.post(f"{BASE}/generate", json=order)\n',
        'requests.post(f"{BASE}/api/chat", json={"room": room, "text": text})\n',
        'requests.get("https://mail.example.org/v1/messages")\n',
        'requests.get("https://shop.example.org/v1/completions-report")\n',
    ],
)
def test_urls_of_other_apis_route_nothing(text: str) -> None:
    routed = route("shop/orders.py", f"import requests\n\n{text}")

    assert routed.persona is None and not routing.ml_related(routed)


# --- real repositories: a change per language, sub-modules, project-import propagation ----------


def route_json(run_archbot: RunArchbot) -> dict[str, Any]:
    result = run_archbot("route", "--staged", "--format", "json")
    assert result.code == 0, result.err
    return {f["path"]: f for f in json.loads(result.out)["files"]}


def test_a_change_in_every_language_routes_by_the_catalog(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write("README.md", "app\n")
    repo.commit("init")
    repo.stage("app/answer.py", "from llama_index.llms.openai import OpenAI\n\nLLM = OpenAI()\n")
    repo.stage("app/store.py", "from llama_index.vector_stores.qdrant import QdrantVectorStore\n")
    repo.stage(
        "web/chat.ts",
        'import Anthropic from "@anthropic-ai/sdk";\n\nexport const client = new Anthropic();\n',
    )
    repo.stage("cmd/main.go", GO_SOURCE)
    repo.stage("src/lib.rs", RUST_SOURCE)
    repo.stage("web/package.json", PACKAGE_JSON)
    repo.stage("go.mod", GO_MOD)
    repo.stage("Cargo.toml", CARGO_TOML)

    files = route_json(run_archbot)

    assert {path: f["routed_to"] for path, f in files.items()} == {
        "app/answer.py": catalog.LLM,
        "app/store.py": catalog.SYSTEM,
        "web/chat.ts": catalog.LLM,
        "cmd/main.go": catalog.LLM,
        "src/lib.rs": catalog.LLM,
        "web/package.json": catalog.LLM,
        "go.mod": catalog.LLM,
        "Cargo.toml": catalog.MODEL,
    }
    assert "imports llama_index.llms" in files["app/answer.py"]["signals"][catalog.LLM]
    assert "imports github.com/qdrant/go-client" in files["cmd/main.go"]["signals"][catalog.SYSTEM]
    assert "depends candle_core" in files["Cargo.toml"]["signals"][catalog.MODEL]


def test_a_frameworks_own_modules_are_its_domain(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """In a catalog package's own repository its modules are that package's code: a module of
    `src/litellm/` with an unchanged import of its own package is routed to the package's persona."""
    repo.write("pyproject.toml", '[project]\nname = "litellm"\n')
    repo.write("src/litellm/__init__.py", "")
    repo.write("src/litellm/router/__init__.py", "")
    repo.write(
        "src/litellm/router/pick.py",
        "from litellm.types import Choice\n\n\ndef pick(options):\n    return 1\n",
    )
    repo.write(
        "tests/test_pick.py",
        "from litellm.router.pick import pick\n\n\ndef test_pick():\n    assert pick([])\n",
    )
    repo.commit("init")
    repo.stage(
        "src/litellm/router/pick.py",
        "from litellm.types import Choice\n\n\ndef pick(options):\n    return 2\n",
    )
    repo.stage(
        "tests/test_pick.py",
        "from litellm.router.pick import pick\n\n\ndef test_pick():\n    assert pick([1])\n",
    )

    files = route_json(run_archbot)

    assert files["src/litellm/router/pick.py"]["routed_to"] == catalog.LLM
    # Its import of its own package is a project import: the package signal says it once.
    signals = files["src/litellm/router/pick.py"]["signals"][catalog.LLM]
    assert "package litellm" in signals and "imports litellm" not in signals
    assert files["tests/test_pick.py"]["routed_to"] is None
    assert files["tests/test_pick.py"]["ml_related"] is True


PROJECT_LAYERS = """import torch


class Attention(torch.nn.Module):
    pass
"""


def test_project_imports_carry_the_ml_ness_of_the_modules_they_import(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """`kernels/attention.py` imports torch on an unchanged line (below the threshold alone) and a
    project module that is model code: together they route it. A module importing only project
    code that is not ML stays unrouted, and so does one with no signal of its own."""
    repo.write("server/__init__.py", "")
    repo.write("server/layers.py", PROJECT_LAYERS)
    repo.write("server/text.py", "import re\n\n\ndef clean(s):\n    return s\n")
    repo.write("server/kernels/__init__.py", "")
    body = "\n\ndef run(x):\n    return {}\n"
    repo.write(
        "server/kernels/attention.py", "import torch\n\nfrom ..layers import Attention" + body.format(1)
    )
    repo.write("server/kernels/plain.py", "from server.text import clean" + body.format(1))
    repo.write("server/kernels/bare.py", "from server.layers import Attention" + body.format(1))
    repo.commit("init")
    repo.stage(
        "server/kernels/attention.py", "import torch\n\nfrom ..layers import Attention" + body.format(2)
    )
    repo.stage("server/kernels/plain.py", "from server.text import clean" + body.format(2))
    repo.stage("server/kernels/bare.py", "from server.layers import Attention" + body.format(2))

    files = route_json(run_archbot)

    attention = files["server/kernels/attention.py"]
    assert attention["routed_to"] == catalog.MODEL
    assert "via server.layers imports torch" in attention["signals"][catalog.MODEL]
    assert files["server/kernels/plain.py"]["routed_to"] is None
    assert files["server/kernels/bare.py"]["routed_to"] is None
    assert files["server/kernels/bare.py"]["ml_related"] is False


def test_route_prints_role_scores_and_the_signals_behind_them(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.write("README.md", "app\n")
    repo.commit("init")
    repo.stage("requirements.txt", "torch==2.3\npeft==0.12\n")
    repo.stage("app/client.py", "import openai\n\n\ndef ask(q):\n    return eval(q)\n")

    text = run_archbot("route", "--staged").out

    assert "app/client.py -> llm-ml-engineer" in text
    assert "  role: service (application code: no distributable package declares it)" in text
    assert "imports openai" in text and "security code execution" in text
    assert "depends peft, depends torch" not in text and "depends peft" in text
    assert "persona llm-ml-engineer:" in text and "persona ai-architect-agent:" in text


def test_a_module_of_a_package_of_ml_modules_is_supported_by_its_siblings(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """`ops/fused.py` imports torch on an unchanged line only; most modules beside it are model
    code, so it is routed. The same file among plain modules stays below the threshold."""
    for directory, sibling in (("ops", "import torch\n"), ("util", "import json\n")):
        repo.write(f"{directory}/__init__.py", "")
        repo.write(f"{directory}/first.py", sibling)
        repo.write(f"{directory}/second.py", sibling)
        repo.write(f"{directory}/fused.py", "import torch\n\n\ndef run(x):\n    return 1\n")
    repo.commit("init")
    for directory in ("ops", "util"):
        repo.stage(f"{directory}/fused.py", "import torch\n\n\ndef run(x):\n    return 2\n")

    files = route_json(run_archbot)

    assert files["ops/fused.py"]["routed_to"] == catalog.MODEL
    assert (
        "via ops/ modules are ml-architecture-expert's code"
        in files["ops/fused.py"]["signals"][catalog.MODEL]
    )
    assert files["util/fused.py"]["routed_to"] is None


def test_a_module_inside_a_refined_sub_module_is_that_work(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """In llama_index's own repository, `llama_index/vector_stores/` is RAG code: its import of the
    package root is a project import, and an unchanged LLM client import does not outweigh it."""
    repo.write("llama_index/__init__.py", "")
    repo.write("llama_index/vector_stores/__init__.py", "")
    body = "from llama_index.core import Settings\nimport openai\n\n\ndef add(nodes):\n    return {}\n"
    repo.write("llama_index/vector_stores/local.py", body.format(1))
    repo.commit("init")
    repo.stage("llama_index/vector_stores/local.py", body.format(2))

    routed = route_json(run_archbot)["llama_index/vector_stores/local.py"]

    assert routed["routed_to"] == catalog.SYSTEM
    assert "package llama_index.vector_stores" in routed["signals"][catalog.SYSTEM]
    assert "imports llama_index" not in routed["signals"][catalog.SYSTEM]


@pytest.mark.parametrize("name", catalog.PERSONAS)
def test_personas_show_counts_the_catalog_packages_of_a_persona(name: str, run_archbot: RunArchbot) -> None:
    packages = [p for p in catalog.PACKAGES if p.persona == name]

    shown = run_archbot("personas", "show", name).out

    assert f"\ncatalog packages: {len(packages)} (" in shown
