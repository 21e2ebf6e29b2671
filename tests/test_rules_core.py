"""The spine's nine rules on realistic fixtures: exact (file, line, severity) findings, negatives included.

Each fixture under tests/data/rules/<rule-id>/ is a small repository tree, staged whole in a fresh
git repository and reviewed through the CLI. The expected findings are written out here, so a rule
that starts flagging a calibration guard (RULES.md §4.3) or moves a line fails its test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GitRepo, Run, places

RunArchbot = Callable[..., Run]

RULE_FIXTURES = Path(__file__).parent / "data" / "rules"

Expected = list[tuple[str, int, str]]

EXPECTED: dict[str, Expected] = {
    # Negatives: placeholders (sk-xxxx…, your-api-key, hf_xxxx…, changeme, ${VAR}), environment
    # lookups, a non-key env var name, `token=` to a non-LLM client, a short literal, a docs site's
    # search-only key beside its app id and index (site/search.js).
    "hardcoded-llm-api-key": [
        ("app/clients.py", 11, "critical"),  # OpenAI key shape
        ("app/clients.py", 13, "critical"),  # Anthropic key shape, on the keyword's own line
        ("app/clients.py", 16, "critical"),  # Hugging Face token
        ("app/clients.py", 17, "critical"),  # Google API key in a constant
        ("app/clients.py", 18, "critical"),  # high-entropy literal into os.environ["*_API_KEY"]
        ("app/clients.py", 19, "critical"),  # high-entropy literal api_key= to a known client
        ("deploy/answer-service.yaml", 14, "critical"),  # key as a literal env value
    ],
    # Negatives: weights_only=True, non-literal weights_only, weights_only=False of a file not
    # downloaded (line 34: the author's choice for its own checkpoint), torch.jit.load,
    # torch.utils.cpp_extension.load, numpy.load without allow_pickle; a chosen torch.load whose
    # kwargs dict has weights_only or is a parameter (unresolved), a loader that is not torch.load,
    # a pickle.loads(pickle.dumps(obj)) round trip, a torch.load given the project's own
    # allow-listed `pickle_module=` (line 120); torch.load given weights_only through a `**` splat
    # the code shows (line 155), or given the caller's own keywords (line 164).
    "unsafe-model-deserialization": [
        ("ranking/artifacts.py", 23, "high"),  # torch.load of a downloaded file, no weights_only
        ("ranking/artifacts.py", 27, "critical"),  # weights_only=False of hf_hub_download
        ("ranking/artifacts.py", 54, "medium"),  # joblib.load of a repository-relative literal
        ("ranking/artifacts.py", 59, "critical"),  # pickle.loads of requests.get(...).content
        ("ranking/artifacts.py", 75, "low"),  # torch.load chosen as `loader`, kwargs dict lacks it
        ("ranking/artifacts.py", 87, "high"),  # the chosen torch.load called on a download
        ("ranking/artifacts.py", 131, "medium"),  # pickle.load of a handle opened on a repository file
        ("ranking/artifacts.py", 142, "medium"),  # a handle on a module constant beside the module
        ("ranking/artifacts.py", 146, "medium"),  # os.path.join(os.path.dirname(__file__), ...)
        ("ranking/artifacts.py", 160, "high"),  # a download, the splat shown without weights_only
        # Not lines 18 (torch.load, torch's release unknown), 63 (pandas.read_pickle), 67
        # (numpy.load(allow_pickle=True)), 126 (torch.load given dill) nor 150 (beside the module,
        # a name given at run time): paths a caller passes on, in a service; nor, in its
        # route handlers, a path no client chooses (restore.py 15, outside the handler) or the
        # module's own cache (restore.py 32, written by save_labels).
        ("ranking/restore.py", 20, "high"),  # a route handler's own parameter
        ("ranking/restore.py", 39, "critical"),  # a path a URL was just fetched to
        # A library (the fixture's .archbot.yml) loads whatever its callers point it at: its own
        # caches (18, 37) as much as the files it never writes (22, 41, 50).
        ("ranking/vocab_cache.py", 18, "high"),
        ("ranking/vocab_cache.py", 22, "high"),
        ("ranking/vocab_cache.py", 37, "high"),
        ("ranking/vocab_cache.py", 41, "high"),
        ("ranking/vocab_cache.py", 50, "high"),
    ],
    # Negatives: trust_remote_code=False, a non-literal flag, the flag in a YAML comment, a call
    # that pins the revision to a commit (line 15, and line 27 through a constant), a load after
    # the caller's opt-in (`if not allow_remote_code: raise`, line 34; `if ...trust_remote_code:`,
    # line 39).
    "trust-remote-code": [
        ("deploy/vllm.yaml", 15, "high"),  # --trust-remote-code in container args
        ("serving/load_model.py", 11, "high"),
        ("serving/load_model.py", 21, "high"),  # revision="main" does not pin it
        ("serving/load_model.py", 46, "high"),  # under an `if` that opts in to nothing
        # Negatives: a name for a directory (`self.load_dir`) and a configuration read from it.
        ("serving/load_model.py", 59, "high"),  # a path that may be a Hub id
        # FunASR imports the code file `remote_code` names: a local one is this checkout's.
        ("serving/speech.py", 8, "high"),  # the downloaded model's own model.py
        ("serving/speech.py", 9, "high"),  # a code file fetched from a URL
        # Not line 18: a project model class inherits PreTrainedModel's loader, which ignores it.
        ("serving/own_model.py", 19, "high"),  # its own from_pretrained hands the flag on
    ],
    # Negatives: 40-hex revision, revision from a constant, an attribute, an argument, a call;
    # local and absolute paths; a builtin dataset name that is not org/name; a pytest module; a
    # `**` splat the code does not show, which may carry the revision (line 30).
    "hf-unpinned-revision": [
        ("training/prepare.py", 14, "medium"),  # no revision
        ("training/prepare.py", 15, "medium"),  # branch
        ("training/prepare.py", 16, "medium"),  # tag
        ("training/prepare.py", 17, "medium"),  # short SHA is ambiguous
        ("training/prepare.py", 24, "medium"),  # SentenceTransformer
        ("training/prepare.py", 25, "medium"),  # pipeline(model=...)
        ("training/prepare.py", 26, "medium"),  # hf_hub_download(repo_id=...)
        ("training/prepare.py", 28, "medium"),  # load_dataset
    ],
    # Negatives: timeout=(3, 30), urlopen with timeout, httpx (5 s default), **options,
    # `self.requests.get` bound to something that is not a requests.Session, a loopback URL to no
    # model path (literal, through a local name, or an f-string whose host is a class constant).
    "http-call-no-timeout": [
        ("llm/gateway.py", 17, "medium"),
        ("llm/gateway.py", 21, "high"),  # literal LLM endpoint
        ("llm/gateway.py", 26, "high"),  # timeout=None to an LLM endpoint
        ("llm/gateway.py", 34, "medium"),  # module-level requests.Session()
        ("llm/gateway.py", 38, "medium"),  # urllib.request.urlopen
        ("llm/gateway.py", 68, "medium"),  # self.requests bound to requests.Session()
        ("llm/gateway.py", 79, "high"),  # a model path on this machine
        ("llm/gateway.py", 107, "medium"),  # the f-string's host is another machine
    ],
    # Negatives: explicit timeouts on clients and LangChain models, request_timeout,
    # default_request_timeout, http_client=, timeout=None on a non-LLM class, httpx.get without one,
    # httpx clients sent only to this machine (a relay to a local server, a local base_url).
    "llm-timeout-disabled": [
        ("llm/clients.py", 11, "high"),  # OpenAI(timeout=None)
        ("llm/clients.py", 13, "high"),  # .with_options(timeout=None)
        ("llm/clients.py", 14, "high"),  # httpx.Client(timeout=None)
        ("llm/clients.py", 17, "high"),  # ChatOpenAI without timeout
        ("llm/clients.py", 18, "high"),  # AzureChatOpenAI without timeout
        ("llm/clients.py", 19, "high"),  # ChatAnthropic without timeout
        ("llm/clients.py", 30, "high"),  # per-call timeout=None
        ("llm/clients.py", 51, "high"),  # a local model server's generate path
    ],
    # Negatives: the async client, asyncio.to_thread(client...create, ...), a run_in_executor
    # lambda, a nested def handed to a thread, ainvoke, httpx.AsyncClient, a sync def.
    "sync-llm-client-in-async": [
        ("api/answers.py", 27, "high"),  # OpenAI()
        ("api/answers.py", 39, "high"),  # Anthropic()
        ("api/answers.py", 66, "high"),  # litellm.completion
        ("api/answers.py", 72, "high"),  # LangChain .invoke
        ("api/answers.py", 79, "high"),  # requests.get
        ("api/answers.py", 87, "medium"),  # local transformers pipeline
        # A web app's lifespan and startup handlers (FastAPI, aiohttp signals, Starlette
        # on_startup) run before any request is served: silent; its handlers are not.
        ("warmup/hooks.py", 24, "high"),
        ("warmup/server.py", 30, "high"),
    ],
    # Negatives: asyncio.sleep, to_thread(time.sleep, ...), an executor lambda, a nested def,
    # time.sleep in a sync def.
    "blocking-sleep-in-async": [
        ("llm/retry.py", 20, "high"),
        ("llm/retry.py", 25, "high"),  # `from time import sleep as pause`
    ],
    # Negatives: max_completion_tokens, max_output_tokens, Anthropic messages.create with and
    # without max_tokens, **params, a config name built with max_output_tokens,
    # ChatOpenAI(max_tokens=...) and ChatOpenAI bound with .bind(max_tokens=...).
    "llm-no-max-tokens": [
        ("llm/generate.py", 20, "medium"),  # chat.completions.create
        ("llm/generate.py", 30, "medium"),  # responses.create
        ("llm/generate.py", 47, "medium"),  # litellm.completion
        ("llm/generate.py", 55, "medium"),  # generate_content without config
        ("llm/generate.py", 64, "medium"),  # generate_content with a config dict lacking the cap
        ("llm/generate.py", 70, "medium"),  # cohere chat
        ("llm/generate.py", 73, "medium"),  # ChatOpenAI(...) never bound
    ],
}


def stage_tree(repo: GitRepo, fixture: Path) -> None:
    for path in sorted(p for p in fixture.rglob("*") if p.is_file()):
        repo.stage(path.relative_to(fixture).as_posix(), path.read_bytes())


# A library's loads: where one of a path a caller passes on is reported (in an application, the
# operator's own artifact: the `run-time` variant, dropped there).
LIBRARY_ROLES = 'roles:\n  "train/**": library\n  "text/**": library\n'


def findings_for(rule: str, out: str) -> Expected:
    report = json.loads(out)
    return sorted((f["file"], f["line"], f["severity"]) for f in places(report) if f["rule"] == rule)


def test_every_spine_rule_has_a_fixture() -> None:
    assert sorted(p.name for p in RULE_FIXTURES.iterdir() if p.name in EXPECTED) == sorted(EXPECTED)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_fixture(rule: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    stage_tree(repo, RULE_FIXTURES / rule)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    assert (result.code, result.err) == (0, "")
    assert findings_for(rule, result.out) == sorted(EXPECTED[rule])


@pytest.mark.parametrize(("roles", "expected"), [(LIBRARY_ROLES, [("train/resume.py", 5, "high")]), ("", [])])
def test_torch_load_is_high_when_the_repo_pins_old_torch(
    roles: str, expected: Expected, repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # In a library, whatever checkpoint its callers name; in an application, the path a caller
    # passes on is the operator's own checkpoint (the `run-time` variant, dropped there).
    repo.stage("requirements.txt", "numpy==1.26.4\ntorch==2.3.1\n")
    repo.commit("pin torch")
    repo.stage(".archbot.yml", roles)
    repo.stage("train/resume.py", "import torch\n\n\ndef resume(path):\n    return torch.load(path)\n")

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    assert findings_for("unsafe-model-deserialization", result.out) == expected


@pytest.mark.parametrize(
    ("manifest", "requirement", "expected"),
    [
        ("pyproject.toml", '[project]\nname = "resume"\ndependencies = ["torch>=2.6.0"]\n', []),
        ("requirements.txt", "torch==2.7.1\n", []),
        ("requirements.txt", "torch>=2.10\n", []),
        ("requirements.txt", "torch>=2.1\n", [("train/resume.py", 5, "low")]),
        (
            "requirements.txt",
            "torch>=2.6\ntorch<2.6 ; python_version < '3.9'\n",
            [("train/resume.py", 5, "high")],
        ),
        ("requirements/base.txt", "torch>=2.6\n", []),
        ("train/requirements.txt", "torch==2.3.1\n", [("train/resume.py", 5, "high")]),
        # A sibling project's (a vendored example's) pin says nothing of this file's torch.
        ("vendor/examples/vision/requirements.txt", "torch==1.11.0+cpu\n", [("train/resume.py", 5, "low")]),
        (
            "serve/pyproject.toml",
            '[project]\nname = "serve"\ndependencies = ["torch>=2.6"]\n',
            [("train/resume.py", 5, "low")],
        ),
    ],
)
def test_torch_load_is_not_reported_where_torch_defaults_to_the_safe_load(
    manifest: str,
    requirement: str,
    expected: list[tuple[str, int, str]],
    repo: GitRepo,
    run_archbot: RunArchbot,
) -> None:
    # torch >= 2.6 loads with weights_only=True by default: a requirement whose floor is 2.6 or
    # later makes the plain call the safe one; a lower floor leaves it to the installed release.
    # The requirements read are those of the directories holding the file, up to the root.
    repo.stage(manifest, requirement)
    repo.commit("require torch")
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    repo.stage("train/resume.py", "import torch\n\n\ndef resume(path):\n    return torch.load(path)\n")

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    assert findings_for("unsafe-model-deserialization", result.out) == expected


def test_a_pickle_named_by_a_data_index_is_no_repository_file(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # `nltk:tokenizers/...` names a resource of NLTK's data index (fetched by `nltk.download`),
    # not a path in the repository.
    repo.stage(
        "text/split.py",
        'import nltk\nfrom transformers import pipeline\n\nCLASSIFY = pipeline("text-classification", '
        'model="./classifier")\n\n\ndef sentences():\n'
        '    return nltk.data.load("nltk:tokenizers/punkt/english.pickle")\n',
    )

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    found = [f for f in places(json.loads(result.out)) if f["rule"] == "unsafe-model-deserialization"]
    assert [(f["file"], f["line"], f["severity"]) for f in found] == [("text/split.py", 8, "medium")]
    assert found[0]["rationale"].startswith("`nltk.data.load` of a `nltk:` resource, fetched from its index.")


NLTK_NAMES = """import nltk
from transformers import pipeline

CLASSIFY = pipeline("text-classification", model="./classifier")


def sentences(language, root):
    nltk.data.load("tokenizers/punkt/english.pickle")
    nltk.data.load(f"taggers/{language}/tagger.pickle")
    nltk.data.load("/srv/models/english.pickle")
    nltk.data.load(f"{root}/english.pickle")
    nltk.data.load(f"file:{root}/english.pickle")
"""


def test_a_relative_name_given_to_nltk_is_a_resource_of_its_index(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # NLTK looks a name with no scheme up in its data path (its default protocol is `nltk:`): a
    # relative name, or an f-string beginning with one, is a resource of the index (medium), not a
    # repository file or a path decided at run time. An absolute path is a file chosen at run time
    # (high), and so are an f-string beginning with a value and a `file:` URL.
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    repo.stage("text/split.py", NLTK_NAMES)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    found = [f for f in places(json.loads(result.out)) if f["rule"] == "unsafe-model-deserialization"]
    assert sorted((f["line"], f["severity"]) for f in found) == [
        (8, "medium"),
        (9, "medium"),
        (10, "high"),
        (11, "high"),
        (12, "high"),
    ]


@pytest.mark.parametrize(
    ("manifest", "text", "lines"),
    [
        # From 3.9.1 nltk.data.load refuses to build classes or functions (CVE-2024-39705).
        ("requirements.txt", "nltk>=3.9.1\n", []),
        ("pyproject.toml", '[project]\nname = "split"\ndependencies = ["nltk>=3.9.1,<4", "regex"]\n', []),
        ("setup.py", "from setuptools import setup\nsetup(install_requires=['torch', 'nltk==3.9.2'])\n", []),
        ("text/requirements.txt", "nltk>=3.9.1\nnltk\n", []),
        # Older releases admitted, or nothing said: reported as before.
        ("requirements.txt", "nltk>=3.8\n", [8, 9, 10, 11, 12]),
        ("requirements.txt", "nltk~=3.9\n", [8, 9, 10, 11, 12]),
        ("requirements.txt", "nltk>=3.9.1\nnltk<3.9 ; python_version < '3.9'\n", [8, 9, 10, 11, 12]),
        ("requirements.txt", "nltk\n", [8, 9, 10, 11, 12]),
        ("requirements.txt", "nltk-contrib>=3.9.1\n", [8, 9, 10, 11, 12]),
        # A sibling project's requirement says nothing of this file's.
        ("tools/requirements.txt", "nltk>=3.9.1\n", [8, 9, 10, 11, 12]),
    ],
)
def test_nltk_from_the_release_that_refuses_code_is_not_reported(
    manifest: str, text: str, lines: list[int], repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.write(manifest, text)
    repo.commit("requirements")
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    repo.stage("text/split.py", NLTK_NAMES)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    found = [f for f in places(json.loads(result.out)) if f["rule"] == "unsafe-model-deserialization"]
    assert [f["line"] for f in found] == lines


AGENT_CONFIG = """chat:
  generator:
    model: acme/vision-chat
    pipeline_kwargs:

      trust_remote_code: true
retriever:
  top_k: 4
"""
UNNAMED_CONFIG = "chat:\n  pipeline_kwargs:\n    trust_remote_code: true\n"
# The key says which model it names (`embedding_hf_model_name`).
EMBEDDING_CONFIG = (
    "huggingface:\n  embedding_hf_model_name: acme/embed-text-v1.5\n  access_token: ${HF_TOKEN:}\n"
    "  trust_remote_code: true\nvectorstore:\n  database: qdrant\n"
)

# A model card whose key names the Hub repository (`hub_repo`), and one naming only its data.
CARD_CONFIG = (
    "name: acme_chat_small\nfamily: chat\nmodel_config:\n  hub_repo: acme/chat-small\n"
    "  trust_remote_code: true\ncheckpoint: hub://acme/chat-small\n"
)
DATA_CONFIG = "corpus:\n  data_files: corpora/train\n  trust_remote_code: true\n"


@pytest.mark.parametrize(
    ("packaged", "config", "expected"),
    [
        # A library's configuration naming the model it trusts: a default its maintainers chose.
        (True, AGENT_CONFIG, []),
        (True, CARD_CONFIG, []),
        (False, CARD_CONFIG, [("config/agent.yaml", 5, "high")]),
        (True, DATA_CONFIG, [("config/agent.yaml", 3, "high")]),
        (True, UNNAMED_CONFIG, [("config/agent.yaml", 3, "high")]),
        (True, EMBEDDING_CONFIG, []),
        (False, EMBEDDING_CONFIG, [("config/agent.yaml", 4, "high")]),
        # An application ships the model it names: it is told.
        (False, AGENT_CONFIG, [("config/agent.yaml", 6, "high")]),
    ],
)
def test_remote_code_switched_on_for_a_model_the_configuration_names(
    packaged: bool, config: str, expected: list[tuple[str, int, str]], repo: GitRepo, run_archbot: RunArchbot
) -> None:
    if packaged:
        repo.stage(
            "pyproject.toml",
            '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "agentkit"\nversion = "1.0"\n',
        )
    repo.stage("agentkit/__init__.py", "from transformers import pipeline\n")
    repo.stage("config/agent.yaml", config)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    assert findings_for("trust-remote-code", result.out) == expected


def test_trust_remote_code_in_a_dockerfile_command(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(
        "serving/Dockerfile",
        "FROM vllm/vllm-openai:v0.6.3\n"
        "# the old phi checkpoints need --trust-remote-code\n"
        'CMD ["--model", "acme/phi-mini-chat", "--trust-remote-code", "--port", "8000"]\n',
    )

    result = run_archbot(
        "review", "--format", "json", "--fail-on", "never", "--persona", "ai-architect-agent"
    )

    assert findings_for("trust-remote-code", result.out) == [("serving/Dockerfile", 3, "high")]
