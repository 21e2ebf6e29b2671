"""The shared resolvers on real git repositories: names through aliases and re-exports, objects
through `self.attr` and factories, call targets, keyword values through dicts and `**kwargs`,
forwarding summaries, configuration taint and LangChain pipe chains."""

from __future__ import annotations

import ast

import pytest

from archbot import sources
from archbot.repo.model import Repository
from archbot.repo.resolve import Names, Tree
from conftest import GitRepo

PROJECT = {
    "app/__init__.py": "from .http import post_json\n",
    "app/http.py": (
        "import requests\n"
        "\n"
        "SESSION = requests.Session()\n"
        "\n"
        "\n"
        "def _send(method, url, **kw):\n"
        "    return SESSION.request(method, url, **kw)\n"
        "\n"
        "\n"
        "def post_json(url, body, **kwargs):\n"
        "    kwargs.setdefault('headers', {})\n"
        "    return _send('POST', url, json=body, **kwargs)\n"
    ),
    "app/llm.py": (
        "import json\n"
        "import yaml\n"
        "from openai.lib.azure import AzureOpenAI\n"
        "from langchain_openai import ChatOpenAI\n"
        "from langchain_core.prompts import ChatPromptTemplate\n"
        "\n"
        "from app import post_json\n"
        "from app.base import Service\n"
        "\n"
        "DEFAULTS = {'timeout': 20, 'max_retries': 3}\n"
        "\n"
        "\n"
        "def make_client():\n"
        "    return AzureOpenAI(timeout=10)\n"
        "\n"
        "\n"
        "class Answerer(Service):\n"
        "    def __init__(self, cfg):\n"
        "        super().__init__(cfg)\n"
        "        self.client = make_client()\n"
        "        self.llm = ChatOpenAI(model='m', **DEFAULTS)\n"
        "\n"
        "    def answer(self, question, **kwargs):\n"
        "        params = {'model': 'gpt', 'max_tokens': 100}\n"
        "        params['max_tokens'] = None\n"
        "        params.update(temperature=0)\n"
        "        params.pop('model')\n"
        "        self.client.chat.completions.create(messages=[], **params)\n"
        "        self.client.chat.completions.create(messages=[], **kwargs)\n"
        "        self.client.chat.completions.create(messages=[], **self.options)\n"
        "        chain = ChatPromptTemplate.from_template('{q}') | self.llm\n"
        "        chain.invoke({'q': question})\n"
        "        self.session.get(self.url)\n"
        "        return post_json(self.url, {'q': question}, timeout=5)\n"
        "\n"
        "\n"
        "def load(path, request, config):\n"
        "    settings = json.load(open(path))\n"
        "    extra = settings.get('kwargs', {})\n"
        "    spec = yaml.safe_load(open(path))\n"
        "    body = request.json()\n"
        "    options = config.get('options')\n"
        "    fields = config.model_kwargs or {}\n"
        "    plain = {'a': 1}\n"
        "    return extra, spec, body, options, fields, plain, path\n"
        "\n"
        "\n"
        "class Replier(Answerer):\n"
        "    def __init__(self, cfg):\n"
        "        super(Answerer, self).__init__(cfg)\n"
    ),
    "app/base.py": (
        "import requests\n"
        "\n"
        "\n"
        "class Service:\n"
        "    def __init__(self, cfg):\n"
        "        self.url = cfg.url\n"
        "        self.session = requests.Session()\n"
        "        self.options = cfg.options\n"
    ),
}


@pytest.fixture
def names(repo: GitRepo) -> Names:
    for path, text in PROJECT.items():
        repo.stage(path, text)
    change = sources.staged()
    model = Repository(change.list_repo, change.post.read)
    module = model.module("app/llm.py")
    assert module is not None
    return Names.of(model, module)


def call(names: Names, text: str) -> ast.Call:
    found = [n for n in names.tree.calls if ast.unparse(n).startswith(text)]
    assert found, text
    return found[0]


def test_names_resolve_through_sdk_re_exports_and_project_re_exports(names: Names) -> None:
    factory = call(names, "AzureOpenAI(")
    helper = call(names, "post_json(")

    assert names.call_name(factory) == "openai.AzureOpenAI"  # openai.lib.azure re-export
    assert names.call_name(helper) == "app.http.post_json"  # through app/__init__.py


def test_constructor_follows_factories_self_attributes_and_base_classes(names: Names) -> None:
    create = call(names, "self.client.chat.completions.create(messages=[], **params)")
    session_get = call(names, "self.session.get(")
    receiver = create.func
    for _ in range(3):
        assert isinstance(receiver, ast.Attribute)
        receiver = receiver.value

    client = names.constructor(receiver)
    session = names.constructor(session_get.func.value)  # type: ignore[attr-defined]

    assert client is not None and client[0] == "openai.AzureOpenAI"
    assert client[1] is not None and ast.unparse(client[1]) == "AzureOpenAI(timeout=10)"
    assert session is not None and session[0] == "requests.Session"  # set in Service.__init__
    assert not names.tree.owns(session[1])  # a node of app/base.py: never reported here


def test_targets_of_calls_are_project_functions(names: Names) -> None:
    init = call(names, "super().__init__(cfg)")
    helper = call(names, "post_json(")
    factory = call(names, "make_client()")

    assert (t := names.target(init)) is not None and t.qualname == "app.base.Service.__init__"
    # super(Answerer, self) looks past Answerer's own __init__.
    skipping = call(names, "super(Answerer, self).__init__(cfg)")
    assert (t := names.target(skipping)) is not None and t.qualname == "app.base.Service.__init__"
    assert (t := names.target(helper)) is not None and t.qualname == "app.http.post_json"
    assert (t := names.target(factory)) is not None and t.qualname == "app.llm.make_client"


def test_keywords_resolve_dict_literals_updates_and_removals(names: Names) -> None:
    keywords = names.keywords(call(names, "self.client.chat.completions.create(messages=[], **params)"))

    assert keywords.complete
    assert sorted(keywords.values) == ["max_tokens", "messages", "temperature"]
    assert keywords.state("max_tokens") == "absent"  # set to None: a value None means absent
    assert keywords.state("temperature") == "set"
    assert keywords.state("model") == "absent"  # popped


def test_keywords_through_module_constants_and_class_fields(names: Names) -> None:
    constant = names.keywords(call(names, "ChatOpenAI("))
    field = names.keywords(call(names, "self.client.chat.completions.create(messages=[], **self.options)"))

    assert constant.complete and constant.state("timeout") == "set"
    assert not field.complete and field.state("timeout") == "unknown"  # cfg.options: not shown


def test_a_forwarded_kwargs_splat_is_unknown_and_named(names: Names) -> None:
    keywords = names.keywords(call(names, "self.client.chat.completions.create(messages=[], **kwargs)"))

    assert keywords.forwarded == "kwargs"
    assert keywords.state("max_tokens") == "unknown"
    # answer(self, question, **kwargs): a caller's question= binds to the parameter, never kwargs.
    assert (keywords.carried("question"), keywords.carried("max_tokens")) == ("absent", "unknown")


def test_arguments_bind_to_the_parameters_of_the_target(names: Names) -> None:
    init = call(names, "super().__init__(cfg)")
    helper = call(names, "post_json(")
    init_target, helper_target = names.target(init), names.target(helper)
    assert init_target is not None and helper_target is not None

    bound_init, bound_helper = names.bind(init, init_target), names.bind(helper, helper_target)

    assert bound_init is not None and {k: ast.unparse(v) for k, v in bound_init.items()} == {"cfg": "cfg"}
    assert bound_helper is not None and {k: ast.unparse(v) for k, v in bound_helper.items()} == {
        "url": "self.url",
        "body": "{'q': question}",
        "timeout": "5",
    }


def test_forwarding_summaries_reach_the_sink_through_project_wrappers(names: Names) -> None:
    target = names.target(call(names, "post_json("))
    assert target is not None

    forwards = names.forwards(target)

    assert [ast.unparse(f.sink) for f in forwards] == [
        "_send('POST', url, json=body, **kwargs)",
        "SESSION.request(method, url, **kw)",
    ]
    sink = forwards[-1]
    assert [f.name for f in sink.chain] == ["post_json", "_send"]
    assert sink.keywords.state("timeout") == "unknown"
    assert forwards[0].keywords.state("headers") == "set"  # the setdefault before the call


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, "`json.load`"),
        (1, "`yaml.safe_load`"),
        (2, "a request body"),
        (3, "`config.get(...)`"),
        (4, "`config`, a configuration object"),
        (5, None),  # a literal
        (6, None),  # a parameter: the caller decides
    ],
)
def test_configuration_taint(names: Names, index: int, expected: str | None) -> None:
    returned = call(names, "open(path)")  # anchor inside `load`
    function = names.tree.function(returned)
    assert function is not None
    tuple_value = next(n.value for n in ast.walk(function) if isinstance(n, ast.Return))
    assert isinstance(tuple_value, ast.Tuple)

    assert names.config_source(tuple_value.elts[index]) == expected


def test_langchain_pipe_chains_resolve_to_their_chat_model(names: Names) -> None:
    invoke = call(names, "chain.invoke(")

    model = names.runnable_model(invoke.func.value)  # type: ignore[attr-defined]

    assert model is not None and model[0] == "langchain_openai.ChatOpenAI"


def test_without_a_repository_names_resolve_within_the_file() -> None:
    tree = Tree(ast.parse("import numpy as np\nfrom .local import thing\nnp.load('x')\nthing()\n"))
    names = Names(tree)
    load, thing = tree.calls

    assert names.call_name(load) == "numpy.load"
    assert names.call_name(thing) is None
    assert names.target(load) is None


def staged_names(path: str) -> Names:
    """The resolver of one module of the staged repository."""
    change = sources.staged()
    model = Repository(change.list_repo, change.post.read)
    module = model.module(path)
    assert module is not None
    return Names.of(model, module)


def test_imported_sdk_clients_and_legacy_chains_resolve_to_their_model(repo: GitRepo) -> None:
    repo.stage(
        "app/clients.py",
        "from langchain.chains import LLMChain\n"
        "from langchain_openai import ChatOpenAI\n"
        "\n"
        "llm = ChatOpenAI(model='m')\n"
        "qa = LLMChain(llm=llm, prompt=None)\n",
    )
    repo.stage("app/bus.py", "class Bus:\n    def emit(self, event):\n        pass\n\n\nbus = Bus()\n")
    repo.stage(
        "app/use.py",
        "from app.bus import bus\nfrom app.clients import llm, qa\n\n"
        "llm.invoke('x')\nqa.arun('y')\nbus.emit(1)\n",
    )
    names = staged_names("app/use.py")
    invoke, arun, emit = names.tree.calls

    client = names.constructor(invoke.func.value)  # type: ignore[attr-defined]
    chained = names.runnable_model(arun.func.value)  # type: ignore[attr-defined]

    assert client is not None and client[0] == "langchain_openai.ChatOpenAI"  # app/clients.py's
    assert chained is not None and chained[0] == "langchain_openai.ChatOpenAI"  # LLMChain(llm=llm)
    assert names.constructor(emit.func.value) is None  # type: ignore[attr-defined]  # a project class


def test_settings_fields_give_the_defaults_their_class_declares(repo: GitRepo) -> None:
    repo.stage(
        "app/config.py",
        "import dataclasses\n"
        "from pydantic import Field\n"
        "from pydantic_settings import BaseSettings\n"
        "\n"
        "\n"
        "class Settings(BaseSettings):\n"
        "    engine_url: str = Field(default='http://localhost:9000', alias='ENGINE')\n"
        "    judge_url: str = Field('https://judge.example.org')\n"
        "    cache_dir: str = '/var/cache/app'\n"
        "    region: str\n"
        "    mirror: str = 'a'\n"
        "\n"
        "    def use_mirror(self) -> None:\n"
        "        self.mirror = 'b'\n"
        "\n"
        "\n"
        "@dataclasses.dataclass\n"
        "class Paths:\n"
        "    root: str = dataclasses.field(default='/srv')\n"
        "\n"
        "\n"
        "def get_settings() -> Settings:\n"
        "    return Settings()\n"
        "\n"
        "\n"
        "settings = get_settings()\n",
    )
    repo.stage(
        "app/use.py",
        "from app.config import Paths, Settings, settings\n"
        "\n"
        "\n"
        "def read(paths: Paths, mine: Settings, table: dict) -> tuple:\n"
        "    return (\n"
        "        settings.engine_url,\n"
        "        getattr(settings, 'judge_url'),\n"
        "        mine.cache_dir,\n"
        "        paths.root,\n"
        "        settings.region,\n"
        "        settings.mirror,\n"
        "        getattr(settings, 'engine_url', 'x'),\n"
        "        table.engine_url,\n"
        "    )\n",
    )
    names = staged_names("app/use.py")
    returned = next(n for n in names.tree.walked if isinstance(n, ast.Tuple))

    defaults = [names.setting_default(read) for read in returned.elts]

    assert [None if d is None else ast.literal_eval(d) for d in defaults] == [
        "http://localhost:9000",  # Field(default=...), the object built by a factory
        "https://judge.example.org",  # Field's first argument, read through getattr
        "/var/cache/app",  # a plain class default, the object annotated
        "/srv",  # dataclasses.field(default=...)
        None,  # declared without a value
        None,  # assigned twice: which one holds is unknown
        None,  # getattr with its own default
        None,  # not a project class's object
    ]


REQUEST_HANDLER = """\
from fastapi import Request
from flask import request as flask_request


async def handler(request: Request, other: Request | None, body: "ChatRequest", req, state: dict):
    kind = request.headers.get("Content-Type", "application/json").split(";")[0].strip()
    return (
        kind,
        await request.body(),
        request.query_params["format"],
        other.cookies.get("session"),
        flask_request.mimetype,
        req.headers["x-codec"],
        body.headers["x-codec"],
        request.app.state.codec,
        state.get("codec"),
        request,
    )
"""


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, "the `Content-Type` request header"),  # through a local and text operations
        (1, "the request body"),
        (2, "the `format` request query parameter"),
        (3, "the `session` request cookie"),  # `Request | None`
        (4, "a request content type"),  # flask's request proxy
        (5, "the `x-codec` request header"),  # unannotated `req` in a serving module
        (6, None),  # annotated with a model of the application, not a request
        (7, None),  # the server's own state, reached through the request
        (8, None),  # a parameter that is no request
        (9, None),  # the request object itself
    ],
)
def test_request_data(index: int, expected: str | None) -> None:
    names = Names(Tree(ast.parse(REQUEST_HANDLER)))
    returned = next(n.value for n in names.tree.walked if isinstance(n, ast.Return))
    assert isinstance(returned, ast.Tuple)

    assert names.request_source(returned.elts[index]) == expected


def test_inherited_methods_read_the_class_attributes_of_the_class_they_run_on(repo: GitRepo) -> None:
    repo.stage(
        "app/store.py",
        "from openai import OpenAI\n"
        "\n"
        "\n"
        "class Base:\n"
        "    client = None\n"
        "\n"
        "    @classmethod\n"
        "    def ask(cls, text):\n"
        "        return cls.client.responses.create(input=text)\n"
        "\n"
        "\n"
        "class Bot(Base):\n"
        "    client = OpenAI(timeout=5)\n",
    )
    repo.stage(
        "app/use.py", "from app.store import Base, Bot\n\nBot.ask('x')\nBase.ask('y')\nBot().ask('z')\n"
    )
    change = sources.staged()
    model = Repository(change.list_repo, change.post.read)
    module = model.module("app/use.py")
    assert module is not None
    names = Names.of(model, module)
    on_bot, on_base, on_instance = names.tree.calls[:3]
    held = []
    for site in (on_bot, on_base, on_instance):
        found = names.callee(site)
        assert found is not None and found[0].qualname.endswith("store.Base.ask")
        function, there = found
        (create,) = [c for c in function.calls if ast.unparse(c).startswith("cls.client")]
        receiver = create.func.value.value  # type: ignore[attr-defined]
        built = there.constructor(receiver)  # `cls.client`: the attribute of the class called
        held.append(built[0] if built is not None else None)

    assert held == ["openai.OpenAI", None, "openai.OpenAI"]  # Base itself holds no client


def test_a_name_stands_for_its_own_scopes_value_where_it_is_used() -> None:
    """The last value its function assigns before the use, else its module's; a parameter is the
    caller's, whatever another function assigns to the same name."""
    code = (
        "PARAMS = {'n': 1}\n"
        "PARAMS = {'n': 2}\n\n"
        "def given(params):\n    return params\n\n"
        "def built():\n    params = {'n': 3}\n    params = {'n': 4}\n    return params\n\n"
        "def constant():\n    return PARAMS\n"
    )
    names = Names(Tree(ast.parse(code)))
    returned = [n.value for n in names.tree.walked if isinstance(n, ast.Return)]

    assert [
        ast.unparse(value) if (value := names.value_at(r)) is not None else None
        for r in returned
        if isinstance(r, ast.Name)
    ] == [None, "{'n': 4}", "{'n': 2}"]
