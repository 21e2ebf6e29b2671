"""Rules found missing on real-world defects: blocking work in async code (Django ORM queries, thread
waits), per-item embedding calls through project wrappers, aiohttp requests without a timeout.

Each fixture under tests/data/recall/ is staged at a repository path and reviewed through the CLI
with the persona forced (routing is tested elsewhere); the exact (file, line, rule) findings are
written out here, negatives included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import GitRepo, Run, places

RunArchbot = Callable[..., Run]

FIXTURES = Path(__file__).parent / "data" / "recall"
DJANGO_MODELS = """\
from django.db import models


class Agent(models.Model):
    slug = models.SlugField(unique=True)


class Document(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
"""

NOTEBOOK = json.dumps(
    {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": [
                    "import aiohttp\n",
                    "async with aiohttp.ClientSession() as session:\n",
                    "    async with session.get('https://example.com/corpus.json') as response:\n",
                    "        corpus = await response.json()\n",
                ],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)


def review(repo: GitRepo, run_archbot: RunArchbot, files: dict[str, str]) -> list[tuple[str, int, str, str]]:
    for path, fixture in files.items():
        fixture_file = FIXTURES / fixture
        repo.stage(path, fixture_file.read_text() if fixture.endswith(".py") else fixture)
    result = run_archbot(
        "review", "--format", "json", "--fail-on", "never", "--persona", "senior-ml-systems-architect"
    )
    assert (result.code, result.err) == (0, "")
    return sorted((f["file"], f["line"], f["rule"], f["severity"]) for f in places(json.loads(result.out)))


def only(rule: str, found: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str, str]]:
    return [f for f in found if f[2] == rule]


def test_blocking_calls_in_async_in_a_django_project(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: `await ...acount()`, a lazy queryset, ORM calls inside sync_to_async and
    # asyncio.to_thread lambdas, ORM and concurrent.futures.wait in sync defs, the second
    # `.result()` of a function that already waited, `await asyncio.wrap_future(...)`.
    found = review(
        repo,
        run_archbot,
        {"agents/models.py": DJANGO_MODELS, "agents/api.py": "agents_api.py"},
    )

    assert only("blocking-call-in-async", found) == [
        ("agents/api.py", 17, "blocking-call-in-async", "high"),  # related manager .exists()
        ("agents/api.py", 18, "blocking-call-in-async", "high"),  # Model.objects.filter().count()
        ("agents/api.py", 19, "blocking-call-in-async", "high"),  # outermost call of the chain only
        ("agents/api.py", 43, "blocking-call-in-async", "high"),  # concurrent.futures.wait alias
        ("agents/api.py", 51, "blocking-call-in-async", "high"),  # Future.result() of a submit
        ("agents/api.py", 59, "blocking-call-in-async", "high"),  # as_completed
    ]


def test_objects_outside_a_django_project_are_not_queries(repo: GitRepo, run_archbot: RunArchbot) -> None:
    found = review(repo, run_archbot, {"agents/describe.py": "plain_objects.py"})

    assert only("blocking-call-in-async", found) == []


def test_django_in_another_file_of_the_repository_counts(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage("agents/models.py", DJANGO_MODELS)
    repo.commit("models")

    found = review(repo, run_archbot, {"agents/describe.py": "plain_objects.py"})

    assert only("blocking-call-in-async", found) == [
        ("agents/describe.py", 5, "blocking-call-in-async", "high"),
        ("agents/describe.py", 6, "blocking-call-in-async", "high"),
    ]


def test_queries_in_a_sync_function_that_async_code_calls(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: the same kind of method handed to sync_to_async, one called only from sync code.
    repo.stage("agents/models.py", DJANGO_MODELS)
    repo.stage("agents/socket_api.py", (FIXTURES / "socket_api.py").read_text())
    repo.commit("socket api")

    found = review(repo, run_archbot, {"agents/quota.py": "quota.py"})

    assert only("blocking-call-in-async", found) == [
        ("agents/quota.py", 14, "blocking-call-in-async", "high"),
        ("agents/quota.py", 17, "blocking-call-in-async", "high"),
    ]


def test_embedding_wrapper_called_per_item(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: embed_batch of a list (also through to_thread), a literal loop, a loop over
    # batches, the one-by-one fallback in an `except` handler, a receiver that is not an embedder.
    found = review(repo, run_archbot, {"memory/entity_boost.py": "entity_boost.py"})

    assert only("embedding-call-per-item", found) == [
        ("memory/entity_boost.py", 14, "embedding-call-per-item", "medium"),  # self.embedding_model.embed
        ("memory/entity_boost.py", 18, "embedding-call-per-item", "medium"),  # a name derived from the item
        ("memory/entity_boost.py", 36, "embedding-call-per-item", "medium"),  # asyncio.to_thread(embed, x)
        ("memory/entity_boost.py", 37, "embedding-call-per-item", "medium"),  # run_in_executor
    ]


def test_aiohttp_requests_without_a_timeout(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: a session with ClientTimeout(total=30), a per-request timeout, a session passed
    # in (its construction is not visible), a session built from **options, a command-line script,
    # a notebook.
    found = review(
        repo,
        run_archbot,
        {
            "agents/web_search.py": "web_search.py",
            "scripts/crawl.py": "crawl_script.py",
            "notebooks/explore.ipynb": NOTEBOOK,
        },
    )

    assert only("http-call-no-timeout", found) == [
        ("agents/web_search.py", 8, "http-call-no-timeout", "medium"),
        ("agents/web_search.py", 15, "http-call-no-timeout", "high"),  # LLM endpoint
        ("agents/web_search.py", 34, "http-call-no-timeout", "medium"),  # empty ClientTimeout()
    ]


def test_blocking_call_in_async_is_explained(run_archbot: RunArchbot) -> None:
    result = run_archbot("rules", "blocking-call-in-async")

    assert result.code == 0
    assert result.out.startswith(
        "blocking-call-in-async: Synchronous database query, thread wait or blocking project call inside "
        "async def\n"
        "severity: high (the default: context can change it, see `archbot rules`)\n"
        "persona:  senior-ml-systems-architect\n"
    )
    assert "Bad:\n    async def agent_info(agent: Agent) -> dict:\n" in result.out
