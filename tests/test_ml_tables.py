"""The knowledge tables of the training and retrieval rules, entry by entry."""

from __future__ import annotations

import ast

import pytest

from archbot.repo.model import Repository
from archbot.rules import retrieval, training
from archbot.rules.source import PythonFile

REPO = Repository(lambda: (), lambda path: None)


def python(text: str) -> PythonFile:
    return PythonFile("pkg/module.py", "python", text, frozenset(range(1, text.count("\n") + 2)), True, REPO)


def last_call(src: PythonFile) -> ast.Call:
    return max(src.nodes.calls, key=lambda c: (c.lineno, c.col_offset))


@pytest.mark.parametrize("qualname", sorted(training.SHUFFLERS))
def test_each_shuffler_is_judged_only_without_its_seed(qualname: str) -> None:
    module, _, name = qualname.rpartition(".")
    entry = training.SHUFFLERS[qualname]
    # A method (`*.shuffle`) is called on a dataset the resolver cannot name.
    header, callee = (
        ("data = load()\n", f"data.{name}") if module == "*" else (f"import {module}\n", qualname)
    )
    on = repr(entry.asked_with[0]) if entry.asked_with else "True"
    switch = f", {entry.switch}={on}" if entry.shuffles == "when-asked" else ""

    def judged(arguments: str) -> training.Shuffler | None:
        src = python(f"{header}{callee}(rows{arguments})\n")
        return training._random_draw(src, last_call(src))

    assert judged(switch) == entry
    for keyword in entry.seeded_by:
        assert judged(f"{switch}, {keyword}=seed") is None
    assert judged(f"{switch}, **options") is None  # a splat may carry the seed
    if entry.shuffles != "always":
        assert judged(f", {entry.switch}=False") is None
    if entry.shuffles == "when-asked":
        assert judged("") is None
    if entry.asked_with:
        assert judged(f", {entry.switch}='full'") is None
    if entry.draws == "decomposition":  # not a shuffle of data: only training-no-seed judges it
        src = python(f"{header}{callee}(rows{switch})\n")
        assert training._shuffler(src, last_call(src)) is None


def _smoke_test(draw: str) -> bool:
    """Whether one step on an input `draw` makes, under a `__main__` guard, is a smoke test."""
    src = python(
        "import torch\n"
        'if __name__ == "__main__":\n'
        f"    batch = {draw}\n"
        "    loss = model(batch)\n"
        "    loss.backward()\n"
    )
    backward = next(c for c in src.nodes.calls if ast.unparse(c.func) == "loss.backward")
    return training._on_noise(src.names, src.nodes, backward)


@pytest.mark.parametrize("qualname", sorted(training.NOISE_TENSORS))
def test_each_noise_tensor_makes_an_input_noise(qualname: str) -> None:
    assert _smoke_test(f"{qualname}(2, 3)")


def test_a_constant_or_loaded_input_is_no_noise() -> None:
    assert not _smoke_test("torch.zeros(2, 3)")
    assert not _smoke_test("torch.load('batch.pt', weights_only=True)")


def test_dataset_shuffle_method() -> None:
    src = python(
        "import random\nds = load()\nds.shuffle()\nds.shuffle(seed=3)\nrandom.Random(3).shuffle(ds)\n"
    )
    calls = sorted((c for c in src.nodes.calls if "shuffle" in ast.unparse(c.func)), key=lambda c: c.lineno)
    assert [training._shuffler(src, c) is not None for c in calls] == [True, False, False]


@pytest.mark.parametrize("name", sorted(retrieval.EMBEDDING_CLASSES))
def test_each_embedding_class_names_its_model(name: str) -> None:
    family, keywords, position = retrieval.EMBEDDING_CLASSES[name]
    by_keyword = python(f"from embeddings import {name}\nE = {name}({keywords[0]}='acme/embed-v2')\n")
    resolver = retrieval._Resolver(by_keyword)
    assert resolver.embedder(last_call(by_keyword)) == retrieval.Embedder(family, "acme/embed-v2")
    default = python(f"from embeddings import {name}\nE = {name}()\n")
    assert retrieval._Resolver(default).embedder(last_call(default)) == retrieval.Embedder(family, None)
    configured = python(f"from embeddings import {name}\nE = {name}({keywords[0]}=settings.model)\n")
    assert retrieval._Resolver(configured).embedder(last_call(configured)) is None
    if position is not None:
        positional = python(f"from embeddings import {name}\nE = {name}('acme/embed-v2')\n")
        assert retrieval._Resolver(positional).embedder(last_call(positional)) == retrieval.Embedder(
            family, "acme/embed-v2"
        )


@pytest.mark.parametrize(("method", "family"), sorted(retrieval.EMBEDDING_CALLS.items()))
def test_each_embedding_call_names_its_model(method: str, family: str) -> None:
    src = python(f"vectors = client.{method}(model='acme/embed-v2', input=texts)\n")
    assert retrieval._Resolver(src).vectors(last_call(src)) == retrieval.Embedder(family, "acme/embed-v2")


@pytest.mark.parametrize(("qualname", "family"), sorted(retrieval.EMBEDDING_FUNCTIONS.items()))
def test_each_embedding_function_names_its_model(qualname: str, family: str) -> None:
    module, _, name = qualname.rpartition(".")
    src = python(f"import {module}\nvectors = {module}.{name}(model='acme/embed-v2', input=texts)\n")
    assert retrieval._Resolver(src).vectors(last_call(src)) == retrieval.Embedder(family, "acme/embed-v2")


@pytest.mark.parametrize("store", sorted(retrieval.VECTOR_STORES))
def test_each_vector_store_is_a_store_use(store: str) -> None:
    src = python(
        "from langchain_openai import OpenAIEmbeddings\n"
        f"from langchain_community.vectorstores import {store}\n"
        f"db = {store}.from_texts(texts, OpenAIEmbeddings(model='m'), collection_name='docs')\n"
    )
    ((use, _),) = retrieval.store_uses(src)
    assert (use.key, use.embedder, use.writes) == (
        {"collection_name": "docs"},
        retrieval.Embedder("openai", "m"),
        True,
    )


@pytest.mark.parametrize(
    ("first", "second", "differs"),
    [
        (("openai", "text-embedding-3-small"), ("openai", "text-embedding-3-large"), True),
        (
            ("huggingface", "sentence-transformers/all-MiniLM-L6-v2"),
            ("huggingface", "all-MiniLM-L6-v2"),
            False,
        ),
        (("openai", None), ("huggingface", None), True),
        (("openai", None), ("openai", "text-embedding-3-small"), None),
        (("openai", None), ("openai", None), False),
    ],
)
def test_embedding_spaces(
    first: tuple[str, str | None], second: tuple[str, str | None], differs: bool | None
) -> None:
    assert retrieval.Embedder(*first).differs(retrieval.Embedder(*second)) is differs
