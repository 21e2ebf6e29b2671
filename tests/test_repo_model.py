"""The repository model on real git repositories: which revision it reads, the module map, symbols
through imports and re-exports, classes across modules, the call graph, and its bounds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from archbot import sources
from archbot.repo.model import Budget, Class, Repository
from conftest import GitRepo

PACKAGE = {
    "src/shop/__init__.py": "from .clients import LLMClient as LLMClient\nfrom .settings import *\n",
    "src/shop/settings.py": (
        'TIMEOUT = 30\nDEFAULTS = {"timeout": TIMEOUT, "max_retries": 2}\n__all__ = ["DEFAULTS"]\n'
    ),
    "src/shop/clients.py": (
        "import openai\n"
        "from openai.lib.azure import AzureOpenAI\n"
        "from . import settings\n"
        "from .base import Base\n"
        "\n"
        "Client = openai.OpenAI\n"
        "\n"
        "\n"
        "class LLMClient(Base):\n"
        "    def __init__(self, url: str, **kwargs):\n"
        "        super().__init__(url)\n"
        "        self.client = AzureOpenAI(**kwargs)\n"
        "\n"
        "    async def ask(self, prompt):\n"
        "        return await self.post(prompt)\n"
        "\n"
        "\n"
        "def make_client():\n"
        "    return Client(timeout=settings.TIMEOUT)\n"
    ),
    "src/shop/base.py": (
        "import requests\n"
        "\n"
        "\n"
        "class Base:\n"
        "    def __init__(self, url):\n"
        "        self.url = url\n"
        "        self.session = requests.Session()\n"
        "\n"
        "    def post(self, body):\n"
        "        return self.session.post(self.url, json=body)\n"
    ),
    "src/shop/api/routes.py": (
        "from shop import LLMClient\n"
        "from ..clients import make_client\n"
        "\n"
        "\n"
        "def handler(prompt):\n"
        "    client = LLMClient('http://llm')\n"
        "    make_client()\n"
        "    return client.ask(prompt)\n"
    ),
    "scripts/json.py": "VALUE = 1\n",
    "scripts/report.py": "import json\nimport helpers\n\nhelpers.make_client()\n",
    "scripts/helpers.py": "def make_client():\n    return None\n",
    "tools/helpers.py": "def make_client():\n    return 1\n",
}


def build(repo: GitRepo, files: dict[str, str]) -> Repository:
    for path, text in files.items():
        repo.stage(path, text)
    change = sources.staged()
    return Repository(change.list_repo, change.post.read, change.post.prefetch)


@pytest.fixture
def shop(repo: GitRepo) -> Repository:
    return build(repo, PACKAGE)


def test_the_model_reads_the_index_for_a_staged_review_not_the_working_tree(repo: GitRepo) -> None:
    repo.stage("app/llm.py", "TIMEOUT = 30\n")
    repo.write("app/llm.py", "TIMEOUT = None\n")  # unstaged: not what would be committed
    change = sources.staged()
    model = Repository(change.list_repo, change.post.read)

    module = model.module("app/llm.py")

    assert module is not None
    assert ast.unparse(module.assigned["TIMEOUT"]) == "30"


def test_the_model_reads_the_head_commit_of_a_range_not_the_working_tree(repo: GitRepo) -> None:
    repo.stage("app/llm.py", "TIMEOUT = 1\n")
    base = repo.commit("base")
    repo.stage("app/llm.py", "TIMEOUT = 2\n")
    repo.stage("app/extra.py", "X = 1\n")
    repo.commit("head")
    repo.write("app/llm.py", "TIMEOUT = 3\n")
    repo.write("app/untracked.py", "Y = 1\n")
    change = sources.ref_range(base, "HEAD")
    model = Repository(change.list_repo, change.post.read)

    module = model.module("app/llm.py")

    assert module is not None and ast.unparse(module.assigned["TIMEOUT"]) == "2"
    assert model.python_files == ("app/extra.py", "app/llm.py")


def test_module_map_handles_src_layouts_packages_and_script_folders(shop: Repository) -> None:
    assert shop.module_name("src/shop/clients.py") == "shop.clients"
    assert shop.module_name("src/shop/__init__.py") == "shop"
    assert shop.module_name("src/shop/api/routes.py") == "shop.api.routes"
    assert shop.module_name("scripts/report.py") == "report"
    assert shop.module_path("shop.clients") == "src/shop/clients.py"
    assert shop.module_path("shop") == "src/shop/__init__.py"
    # A loose module is importable from its own folder, the nearest one first...
    assert shop.module_path("helpers", near="scripts/report.py") == "scripts/helpers.py"
    assert shop.module_path("helpers", near="tools/other.py") == "tools/helpers.py"
    # ...but not from elsewhere, and a standard-library name never maps into the repository.
    assert shop.module_path("helpers", near="src/shop/clients.py") is None
    assert shop.module_path("json", near="scripts/report.py") is None
    assert shop.module_path("openai") is None


def test_lookup_follows_imports_relative_imports_and_package_re_exports(shop: Repository) -> None:
    routes = shop.module("src/shop/api/routes.py")
    assert routes is not None

    client = shop.lookup(routes, "LLMClient")
    factory = shop.lookup(routes, "make_client")

    assert client is not None and client.cls is not None
    assert (client.qualname, client.cls.module.path) == ("shop.clients.LLMClient", "src/shop/clients.py")
    assert factory is not None and factory.function is not None
    assert factory.function.qualname == "shop.clients.make_client"


def test_lookup_follows_module_aliases_constants_star_imports_and_submodules(shop: Repository) -> None:
    clients = shop.module("src/shop/clients.py")
    package = shop.module("src/shop/__init__.py")
    assert clients is not None and package is not None

    alias = shop.lookup(clients, "Client")
    settings = shop.lookup(clients, "settings")
    defaults = shop.lookup(package, "DEFAULTS")
    base = shop.lookup(package, "base")

    assert alias is not None and (alias.qualname, alias.in_project) == ("openai.OpenAI", False)
    assert settings is not None and settings.is_module and settings.qualname == "shop.settings"
    timeout = shop.member(settings, "TIMEOUT")
    assert timeout is not None and isinstance(timeout.value, ast.Constant) and timeout.value.value == 30
    assert defaults is not None and isinstance(defaults.value, ast.Dict)
    assert base is not None and base.is_module and base.qualname == "shop.base"


def test_symbol_finds_project_definitions_by_dotted_name(shop: Repository) -> None:
    ask = shop.symbol("shop.clients.LLMClient.ask")
    post = shop.symbol("shop.LLMClient.post")  # re-exported class, inherited method

    assert ask is not None and ask.function is not None and ask.function.is_async
    assert post is not None and post.function is not None
    assert (post.function.qualname, post.function.module.path) == ("shop.base.Base.post", "src/shop/base.py")
    assert shop.symbol("shop.clients.missing") is None


def test_classes_know_bases_methods_and_self_attributes_across_modules(shop: Repository) -> None:
    found = shop.symbol("shop.clients.LLMClient")
    assert found is not None and found.cls is not None
    cls = found.cls

    bases = shop.base_classes(cls)
    init = cls.methods["__init__"]

    assert [b.qualname for b in bases if isinstance(b, Class)] == ["shop.base.Base"]
    assert (init.parameters, init.kwargs_parameter) == (("self", "url"), "kwargs")
    assert ast.unparse(init.calls[0]) == "super().__init__(url)"
    assert sorted(cls.attributes) == ["client"]
    assert [(owner.name, ast.unparse(v)) for owner, v in shop.attribute_values(cls, "session")] == [
        ("Base", "requests.Session()")
    ]
    method = shop.method(cls, "post")
    assert method is not None and method.owner is not None and method.owner.name == "Base"


def test_a_class_named_as_its_imported_base_derives_from_the_import(repo: GitRepo) -> None:
    # `class Dataset(Dataset)` rebinds the name only after its bases are read: its base is the
    # import, and a subclass of it reaches that import too. A class naming itself without an
    # import has no base the model can name.
    model = build(
        repo,
        {
            "clips/data.py": (
                "from torch.utils.data import Dataset\n\n\nclass Dataset(Dataset):\n    pass\n\n\n"
                "class Clips(Dataset):\n    pass\n"
            ),
            "clips/odd.py": "class Odd(Odd):\n    pass\n",
        },
    )
    module, odd = model.module("clips/data.py"), model.module("clips/odd.py")
    assert module is not None and odd is not None

    assert model.subclasses_external(module.classes["Dataset"]) == ["torch.utils.data.Dataset"]
    assert model.subclasses_external(module.classes["Clips"]) == ["torch.utils.data.Dataset"]
    assert model.base_classes(odd.classes["Odd"]) == []


def test_the_word_screen_asks_git_for_the_index_or_the_head_commit_and_reads_nothing(repo: GitRepo) -> None:
    repo.stage("app/a.py", "make_client()\n")
    repo.stage("app/b.py", "X = 1\n")
    repo.stage("docs/c.md", "make_client\n")
    repo.write("app/b.py", "make_client()\n")  # unstaged: not what would be committed
    staged = sources.staged()
    model = Repository(staged.list_repo, staged.post.read, staged.post.prefetch, search=staged.search)

    assert model.containing(("make_client",)) == ("app/a.py",)
    assert model.containing(("make_client", "X =")) == ("app/a.py", "app/b.py")
    assert model.containing(("make_client",), "*.md") == ("docs/c.md",)
    assert model.containing(("nowhere",)) == ()
    assert model.read == 0

    base = repo.commit("base")
    repo.stage("app/b.py", "make_client()\n")
    repo.commit("head")
    repo.write("app/a.py", "X = 2\n")
    ranged = sources.ref_range(base, "HEAD")
    model = Repository(ranged.list_repo, ranged.post.read, ranged.post.prefetch, search=ranged.search)

    assert model.containing(("make_client",)) == ("app/a.py", "app/b.py")
    assert model.read == 0


def test_callers_are_found_across_the_repository_parsing_only_files_that_mention_them(
    shop: Repository,
) -> None:
    callers = shop.callers("make_client")

    found = sorted(
        (site.module.path, site.call.lineno, site.function.name if site.function else None)
        for site in callers.sites
    )
    assert callers.complete
    assert found == [
        ("scripts/report.py", 4, None),
        ("src/shop/api/routes.py", 7, "handler"),
    ]
    # Only the five files whose text mentions the name were parsed (definitions mention it too).
    assert shop.parsed == 5


def test_definitions_are_found_by_name_parsing_only_files_that_define_them(shop: Repository) -> None:
    (ask,) = shop.definitions("ask")
    (base,) = shop.definitions("Base")
    several = shop.definitions("make_client")

    assert (ask.qualname, ask.module.path if ask.module else None) == (
        "shop.clients.LLMClient.ask",
        "src/shop/clients.py",
    )
    assert base.cls is not None and base.cls.module.path == "src/shop/base.py"
    # More than one: the caller asks for two to know the name is ambiguous.
    assert sorted(s.module.path for s in several if s.module) == ["scripts/helpers.py", "src/shop/clients.py"]
    assert shop.definitions("nowhere") == []
    # Three files define one of the names; the search stopped at two `make_client` (tools/ unread).
    assert shop.parsed == 3


def test_a_broken_or_oversized_module_is_unknown_not_an_error(repo: GitRepo) -> None:
    model = build(
        repo,
        {"app/broken.py": "def f(:\n", "app/big.py": "X = 1\n" * 50, "app/ok.py": "Y = 2\n"},
    )
    small = Repository(model._list_files, model._read, budget=Budget(max_file_bytes=100))

    assert model.module("app/broken.py") is None
    assert small.module("app/big.py") is None
    assert small.module("app/ok.py") is not None
    assert model.module("README.md") is None


def test_one_file_in_a_five_thousand_file_repository_parses_only_what_it_reaches() -> None:
    files = {f"pkg/mod{n}.py": f"def helper_{n}():\n    return {n}\n" for n in range(5_000)}
    files["pkg/__init__.py"] = ""
    files["pkg/service.py"] = "from pkg.mod7 import helper_7\n\n\ndef run():\n    return helper_7()\n"
    reads: list[str] = []

    def read(path: str) -> bytes | None:
        reads.append(path)
        return files[path].encode() if path in files else None

    model = Repository(lambda: tuple(sorted(files)), read)
    service = model.module("pkg/service.py")
    assert service is not None

    target = model.lookup(service, "helper_7")
    callers = model.callers("helper_7")

    assert target is not None and target.function is not None
    assert target.function.module.path == "pkg/mod7.py"
    assert sorted(s.module.path for s in callers.sites) == ["pkg/service.py"]
    # The name search reads every file once but parses only the two that mention it.
    assert model.parsed == 2
    assert len(reads) == len(set(reads))


@pytest.mark.parametrize(
    "budget",
    # Ten modules, or the bytes of ten: mod0..mod9 are 7 bytes each. Never time: a busy machine
    # reads the same modules (and the persona review sends the same request, answered by its cache).
    [Budget(max_modules=10), Budget(max_parse_bytes=70)],
    ids=["modules", "bytes"],
)
def test_the_parsing_budget_bounds_what_one_review_parses(budget: Budget) -> None:
    files = {f"pkg/mod{n}.py": f"X{n} = {n}\n" for n in range(50)}
    model = Repository(
        lambda: tuple(sorted(files)),
        lambda path: files[path].encode() if path in files else None,
        budget=budget,
    )

    parsed = [model.module(f"pkg/mod{n}.py") for n in range(50)]

    assert sum(m is not None for m in parsed) == 10
    assert model.parsed == 10
    assert not model.budget_left


def test_a_changed_file_is_adopted_not_parsed_again(shop: Repository) -> None:
    tree = ast.parse("VALUE = 3\n")

    module = shop.adopt("src/shop/settings.py", tree)

    assert shop.module("src/shop/settings.py") is module
    assert module.name == "shop.settings" and module.tree is tree
    assert shop.parsed == 0


def test_glob_text_and_mentions_answer_from_the_same_revision(shop: Repository, tmp_path: Path) -> None:
    import re

    assert shop.glob("*.py")[:2] == ["scripts/helpers.py", "scripts/json.py"]
    assert shop.text("scripts/json.py") == "VALUE = 1\n"
    assert shop.mentions(re.compile(r"AzureOpenAI"), "*.py")
    assert not shop.mentions(re.compile(r"anthropic"), "*.py")


def test_module_of_names_the_file_holding_a_node_another_module_resolved(shop: Repository) -> None:
    routes = shop.module("src/shop/api/routes.py")
    clients = shop.module("src/shop/clients.py")
    assert routes is not None and clients is not None
    (handler,) = routes.functions.values()
    init = clients.classes["LLMClient"].methods["__init__"]
    (client_call,) = [n for n in ast.walk(init.node) if isinstance(n, ast.Call) and "Azure" in ast.unparse(n)]

    assert shop.module_of(client_call) is clients
    assert shop.module_of(handler.node) is routes
    assert shop.module_of(ast.parse("x = 1")) is None
