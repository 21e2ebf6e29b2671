"""The reliability and concurrency/cost rules (RULES.md §4.2 #2, #4-#9, #11, #18-#20) on fixtures.

Each fixture under tests/data/rules/<rule-id>/ is a small repository tree staged whole in a fresh git
repository (so every line is changed) and reviewed through the CLI. The expected (file, line,
severity) findings are written out here; every fixture also holds negatives, one for each
calibration guard of RULES.md §4.3 that applies, which must stay silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GitRepo, Run, places

RunArchbot = Callable[..., Run]
RULE_FIXTURES = Path(__file__).parent / "data" / "rules"

Expected = list[tuple[str, int, str]]

EXPECTED: dict[str, Expected] = {
    # Negatives: .with_options(timeout=), http_client=httpx.Client(timeout=), Anthropic(timeout=),
    # a client whose every call passes timeout=, AsyncInferenceClient(timeout=), HttpOptions(timeout=),
    # litellm with a per-call timeout, httpx without a timeout, and a batch script's long defaults;
    # MCP sessions given read_timeout_seconds by keyword or position, or reading an HTTP transport,
    # or opened by a class that bounds its `call_tool`s (asyncio.wait_for, a deadline scope).
    "llm-client-no-timeout": [
        ("agents/tool_sessions.py", 17, "high"),  # MCP ClientSession over stdio, no read timeout
        ("agents/tool_sessions.py", 48, "high"),  # the stdio branch beside an HTTP one
        ("agents/tool_sessions.py", 80, "high"),  # only the handshake has a deadline
        ("agents/tool_sessions.py", 96, "high"),  # stdio entered on an exit stack (an HTTP one: 93)
        ("agents/tool_sessions.py", 116, "high"),  # stdio entered by hand (an SSE one: 113)
        ("agents/tool_sessions.py", 125, "high"),  # a transport chosen by an `if`: stdio on one branch
        ("agents/tool_sessions.py", 137, "high"),  # stdio streams unpacked from a name (SSE: 132)
        ("agents/tool_sessions.py", 165, "high"),  # stdio entered under a deadline, held in self (SSE: 162)
        ("app/chat_api.py", 15, "medium"),  # OpenAI() in a serving module
        ("app/chat_api.py", 18, "medium"),  # custom httpx client without a timeout keeps 600 s
        ("app/chat_api.py", 21, "medium"),  # cohere.ClientV2(): 300 s
        ("app/chat_api.py", 22, "high"),  # InferenceClient without timeout
        ("app/chat_api.py", 24, "high"),  # genai.Client()
        ("app/chat_api.py", 26, "high"),  # genai.Client(http_options without timeout)
        ("app/chat_api.py", 51, "medium"),  # litellm.acompletion without timeout
        # Async clients whose every call is awaited under a deadline (asyncio.wait_for, a deadline
        # scope) are bounded; a blocking client under asyncio.wait_for is not, nor one that
        # leaves a call without a deadline.
        ("app/triage_api.py", 13, "medium"),
        ("app/triage_api.py", 14, "medium"),
        # A client a health check keeps for one model listing, under a deadline (51); without one.
        ("app/triage_api.py", 58, "medium"),
        # A framework one function imports for itself serves that function, not the module (a
        # batch job's optional front end): the batch function's client is not in a request path.
        ("jobs/digest.py", 19, "medium"),  # OpenAI() where the lazily imported Flask serves
        ("jobs/nightly_summaries.py", 8, "high"),  # InferenceClient is unbounded even in batch
    ],
    # Negatives: a tenacity-wrapped client call, SDK defaults, max_retries=5, LangChain
    # .with_retry(), litellm fallbacks= (Router and call), a helper whose caller retries, clients
    # that factories return (directly and through a local name), a client handed to a function a
    # retry decorator wraps (ingest/clients.py:91).
    "llm-retries-disabled": [
        ("ingest/clients.py", 11, "medium"),  # OpenAI(max_retries=0)
        ("ingest/clients.py", 15, "medium"),  # ChatOpenAI(max_retries=0)
        ("ingest/clients.py", 19, "medium"),  # litellm.Router(num_retries=0)
        ("ingest/clients.py", 32, "medium"),  # .with_options(max_retries=0)
        ("ingest/clients.py", 39, "medium"),  # litellm.completion(num_retries=0)
        ("ingest/clients.py", 95, "medium"),  # handed to a function that does not retry
        # Negative: a function's client that makes no model call (it lists models, 106).
        ("ingest/clients.py", 111, "medium"),  # one that makes a model call
    ],
    # Negatives: genai with retry_options, a backoff-decorated call, POSTs to non-LLM URLs (literal
    # and bound to a name, and a named server URL with an admin path), a manual retry loop, a
    # tenacity Retrying loop, a nested function handed to a project retry helper, a requests.Session
    # with a mounted HTTPAdapter(max_retries=Retry(...)). The fixture's config makes its files
    # library code (a single call: low), save the batch scorer, a service whose calls in loops over
    # data are reported (medium) and whose single call (`probe`), a call in rounds that stop at an
    # answer (`converse`) or a call that is a loop's own iterable (`stream_reply`) is not.
    "llm-client-no-retry": [
        ("assistant/generate.py", 24, "low"),  # genai.Client without retry_options
        ("assistant/generate.py", 34, "low"),  # InferenceClient
        ("assistant/generate.py", 43, "low"),  # requests.post to /v1/chat/completions
        ("assistant/generate.py", 68, "low"),  # aiohttp POST to Ollama
        ("assistant/generate.py", 80, "low"),  # URL named as an inference endpoint
        ("assistant/generate.py", 85, "low"),  # URL bound to an LLM path one line above
        ("assistant/generate.py", 91, "low"),  # a chunking range loop is not a retry loop
        ("assistant/generate.py", 143, "low"),  # requests.Session used for /generate, no adapter
        # POSTs of model request bodies in loops over data. Negatives: a body with no model field,
        # a fine-tuning job's configuration (sampling options alone), a model-like body sent to
        # another API's literal path (`/kickoff`), a while retry loop, a session
        # from a project factory that mounts an adapter, an httpx client with its own transport, a
        # client handed in, a tenacity-decorated helper.
        ("assistant/batch_scoring.py", 19, "medium"),  # the session of the embeddings request
        ("assistant/batch_scoring.py", 26, "medium"),  # {"inputs": batch} in a loop over batches
        ("assistant/batch_scoring.py", 43, "medium"),  # body["messages"] set in the loop
        # A model server on this machine is not reported (a loopback literal, or the default of a
        # configuration lookup); a lookup's default on another host is.
        ("assistant/local_engine.py", 38, "low"),  # os.getenv default on a remote host
        # A settings class's default, or a module constant, for the base a URL is formatted
        # after: on this machine (15, 22, 37: a local engine), or on another host (reported).
        ("assistant/settings_drafts.py", 28, "low"),
        ("assistant/settings_drafts.py", 42, "low"),
        # POSTs to hosted model APIs known by their host, whatever the path or body. Negatives: a
        # retried call, another Google API host, a look-alike host.
        ("grading/hosted_judges.py", 15, "low"),  # a hosted scorer, per reply
        ("grading/hosted_judges.py", 23, "low"),  # a hosted inference router
        # A call whose failure a handler decides (its library's error, any error) is not reported;
        # one under a handler of another error, or in a `finally`, is; so is a nested function's,
        # unless every run of it is in a `try` that handles its failure (83).
        ("grading/hosted_judges.py", 64, "low"),  # only ValueError caught
        ("grading/hosted_judges.py", 76, "low"),  # in the finally block
        ("grading/hosted_judges.py", 94, "low"),  # run once outside the try
        # The project's own decorators that call what they decorate in a retry loop (a decorator,
        # a decorator factory, defined in another module) retry it; one that only logs does not.
        ("grading/remote_scoring.py", 26, "low"),
    ],
    # Negatives: stop= given, backoff max_time=, a **policy splat, AsyncRetrying with stop,
    # a `while True` loop with an attempt counter, one whose pass ends in a `break` (111).
    "retry-unbounded": [
        ("agents/policies.py", 19, "high"),  # bare @retry
        ("agents/policies.py", 24, "high"),  # @retry(wait=...) without stop
        ("agents/policies.py", 34, "high"),  # backoff without max_tries/max_time
        ("agents/policies.py", 50, "high"),  # Retrying(...) without stop
        ("agents/policies.py", 64, "high"),  # while True retrying forever
        ("agents/policies.py", 124, "high"),  # while True whose handler skips the break
        # Transient errors only (timeouts, dropped connections): an outage holds the call.
        ("agents/policies.py", 86, "medium"),  # backoff
        ("agents/policies.py", 91, "medium"),  # tenacity retry_if_exception_type
        ("agents/policies.py", 99, "high"),  # a constant's transient errors, and OSError
        ("agents/policies.py", 104, "medium"),  # a constant's transient errors
        # The legacy SDK's APIError is its 5xx; openai>=1's is every API error, refusals too.
        ("agents/graders.py", 9, "medium"),
        ("agents/graders.py", 17, "high"),
    ],
    # Negatives: wait_exponential_jitter, bare @retry (retry-unbounded's), exponential sleeps
    # (sync and async), a range loop over rows that is not a retry loop, a constant wait of
    # seconds (line 103, asynchronous).
    "retry-no-backoff": [
        ("agents/calls.py", 18, "medium"),  # @retry(stop=...) without wait
        ("agents/calls.py", 37, "medium"),  # manual retry loop without sleep
        ("agents/calls.py", 47, "low"),  # a sub-second constant sleep
        ("agents/calls.py", 123, "medium"),  # the same request again (113: a fallback; 134: a re-ask)
        # A rate limit retried at once beside a parse error (159); a parse error alone is a re-ask.
        ("agents/calls.py", 159, "medium"),
        # A loop that goes on only after an unreadable answer (166) is a re-ask; after any error, not.
        ("agents/calls.py", 180, "medium"),
    ],
    # Negatives: openai.APIError caught, `except Exception`, a project error class, a Celery task
    # with autoretry_for, a call outside any handler, an in-process encoder (line 102).
    "llm-call-no-error-handling": [
        ("app/routes.py", 24, "medium"),  # route handler, no try
        ("app/routes.py", 44, "medium"),  # only JSONDecodeError caught
        ("app/routes.py", 76, "medium"),  # Celery task, no try
    ],
    # Negatives: logged, re-raised, a narrow handler, no LLM call in the try, a fallback answer.
    "llm-error-swallowed": [
        ("pipelines/summaries.py", 14, "medium"),  # except Exception: pass
        ("pipelines/summaries.py", 24, "medium"),  # bare except: continue
        ("pipelines/summaries.py", 32, "medium"),  # except BaseException: return ""
    ],
    # Negatives: a shared module semaphore, fixed arity, a literal slice, no LLM call, a literal
    # list, chunked batches, a semaphore created once per fan-out by the caller, a method of an
    # unknown object that only shares its name with a function of the file that calls an LLM.
    "llm-unbounded-gather": [
        ("pipelines/fanout.py", 35, "high"),  # gather over a generator
        ("pipelines/fanout.py", 37, "high"),  # gather(*tasks) built by a comprehension
        ("pipelines/fanout.py", 38, "high"),  # semaphore created per call bounds nothing
        ("pipelines/fanout.py", 42, "high"),  # as_completed over a list built by append
        ("pipelines/fanout.py", 44, "high"),  # the LLM call itself in the comprehension
        ("pipelines/fanout.py", 49, "high"),  # TaskGroup.create_task in a for
        # Negative: the parts a helper returns, at most three (`return parts[:3]`, `[question]`, 88).
        ("pipelines/fanout.py", 90, "high"),  # the documents a helper lists, however many
        # Steps of another module (one hop through the repository model). Negatives: a shared
        # semaphore in the step, a step with no model call, a literal list, thread offloads,
        # chunks, a limiter acquired for each task started, the comprehension a gather reports.
        ("pipelines/enrich.py", 14, "high"),  # gather over a step defined in another module
        ("pipelines/enrich.py", 15, "high"),  # the step awaits a legacy LangChain chain's arun
        ("pipelines/enrich.py", 16, "high"),  # create_task per item, awaited with asyncio.wait
        ("pipelines/enrich.py", 19, "high"),  # create_task in a for
        ("pipelines/enrich.py", 26, "high"),  # anyio tg.start_soon in a for
        ("pipelines/enrich.py", 29, "high"),  # trio nursery.start_soon in a for
        ("pipelines/enrich.py", 31, "high"),  # nursery.start_soon(lambda: step(doc)) in a for
        ("pipelines/enrich.py", 43, "high"),  # gather(*tasks) of create_task per item
    ],
    # Negatives: a literal collection, a loop that returns after success, the call as the loop's
    # iterable (streaming), coroutines created for a fan-out, embeddings, a tool-call loop.
    "llm-call-in-loop": [
        ("app/reviews_api.py", 14, "medium"),  # serving context
        ("pipelines/label_reviews.py", 19, "low"),
        ("pipelines/label_reviews.py", 24, "low"),  # `prompt | llm` chain in a comprehension
        ("pipelines/label_reviews.py", 30, "low"),  # awaited one at a time
        # Negatives: a call given the history the loop appends to, or the summary it rewrites.
        ("pipelines/label_reviews.py", 105, "low"),  # a prompt the body sets afresh per item
        # Through the repository model and thread offloads. Negatives: a call carrying the
        # history the loop appends to, a step with no model call, a step making a batch call, a
        # literal collection, coroutines for a fan-out, an offload of a function with no model
        # call, a module constant holding a literal dict, a local literal list through enumerate,
        # a helper that hands back an async client's coroutine, fanned out by `gather`.
        ("pipelines/batch_answers.py", 24, "low"),  # a step of another module, awaited per item
        ("pipelines/batch_answers.py", 31, "low"),  # anyio.to_thread.run_sync(chat.invoke, item)
        ("pipelines/batch_answers.py", 33, "low"),  # trio.to_thread.run_sync(lambda: ...)
        ("pipelines/batch_answers.py", 40, "low"),  # legacy completion model's apredict
        ("pipelines/batch_answers.py", 41, "low"),  # legacy LLMChain's acall
        # Negatives: vLLM's batch call given a list built per shard, or a slice; a loop over
        # chunks (`range` with a step). A chat call given one conversation per item is reported.
        ("pipelines/offline_generate.py", 14, "low"),  # vLLM generate of one prompt per item
        ("pipelines/offline_generate.py", 48, "low"),  # one chat completion per note
        ("pipelines/offline_generate.py", 56, "low"),  # vLLM chat of one conversation per item
        # Negative: a call given nothing to generate from (an Ollama unload per model, 78).
        ("pipelines/offline_generate.py", 80, "low"),  # the same call given a prompt
    ],
    # Negatives: batches, slices, embed_documents of a list, a literal list of queries,
    # a plural field that is already a list, embed_query over queries (lines 60, 66: the query API
    # has no batch form).
    "embedding-call-per-item": [
        ("rag/ingest.py", 21, "medium"),  # embed_query
        ("rag/ingest.py", 22, "medium"),  # embeddings.create(input=chunk.text)
        ("rag/ingest.py", 23, "medium"),  # SentenceTransformer.encode
        ("rag/ingest.py", 24, "medium"),  # cohere embed(texts=[x])
        ("rag/ingest.py", 25, "medium"),  # embed_content(contents=x)
        ("rag/ingest.py", 30, "medium"),  # comprehension
        ("rag/ingest.py", 67, "medium"),  # encode of each query: encode takes a batch
        ("rag/ingest.py", 72, "medium"),  # documents through the query API
        # Negative: a class constant's groups of examples, each encoded as one batch (83).
        ("rag/ingest.py", 87, "medium"),  # a list the program fills, one text per call
    ],
    # Negatives: RedisCache(ttl=), TTLCache, lru_cache without a model call, Redis ex=, a value
    # that is not a model response, diskcache expire=, hset followed by expire.
    "llm-cache-no-ttl": [
        ("app/answers.py", 18, "medium"),  # set_llm_cache(InMemoryCache()) in serving code
        ("app/answers.py", 19, "medium"),  # RedisCache without ttl
        ("app/answers.py", 30, "medium"),  # @functools.lru_cache
        ("app/answers.py", 35, "medium"),  # @functools.cache
        ("app/answers.py", 43, "medium"),  # @cachetools.cached(LRUCache(...))
        ("app/answers.py", 71, "medium"),  # redis set without ex
        ("app/answers.py", 74, "medium"),  # diskcache set without expire
    ],
}

PERSONAS = {
    "llm-client-no-timeout": ("high", "llm-ml-engineer"),
    "llm-retries-disabled": ("medium", "llm-ml-engineer"),
    "llm-client-no-retry": ("medium", "llm-ml-engineer"),
    "retry-unbounded": ("high", "llm-ml-engineer"),
    "retry-no-backoff": ("medium", "llm-ml-engineer"),
    "llm-call-no-error-handling": ("medium", "llm-ml-engineer"),
    "llm-error-swallowed": ("medium", "llm-ml-engineer"),
    "llm-unbounded-gather": ("high", "senior-ml-systems-architect"),
    "llm-call-in-loop": ("low", "senior-ml-systems-architect"),
    "embedding-call-per-item": ("medium", "senior-ml-systems-architect"),
    "llm-cache-no-ttl": ("medium", "senior-ml-systems-architect"),
}


def stage_tree(repo: GitRepo, fixture: Path) -> None:
    for path in sorted(p for p in fixture.rglob("*") if p.is_file()):
        repo.stage(path.relative_to(fixture).as_posix(), path.read_bytes())


def findings_for(rule: str, out: str) -> Expected:
    report = json.loads(out)
    return sorted((f["file"], f["line"], f["severity"]) for f in places(report) if f["rule"] == rule)


def review_json(run_archbot: RunArchbot) -> str:
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    return result.out


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_fixture(rule: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    stage_tree(repo, RULE_FIXTURES / rule)

    assert findings_for(rule, review_json(run_archbot)) == sorted(EXPECTED[rule])


def test_app_exception_handler_covers_handlers(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """An app-level handler for the provider's errors is error handling for every route."""
    stage_tree(repo, RULE_FIXTURES / "llm-call-no-error-handling")
    repo.stage(
        "app/errors.py",
        "import openai\nfrom fastapi import Request\nfrom fastapi.responses import JSONResponse\n\n"
        "from app.routes import app\n\n\n"
        "@app.exception_handler(openai.APIError)\n"
        "async def provider_down(request: Request, error: openai.APIError) -> JSONResponse:\n"
        '    return JSONResponse({"detail": "model unavailable"}, status_code=503)\n',
    )

    assert findings_for("llm-call-no-error-handling", review_json(run_archbot)) == []


def test_long_default_reported_on_the_new_call_when_the_client_is_unchanged(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    """Diff scope: an old `OpenAI()` is not re-reported; a new call through it without a timeout is."""
    service = (RULE_FIXTURES / "llm-client-no-timeout" / "app" / "chat_api.py").read_text()
    repo.stage("app/chat_api.py", service)
    repo.commit("service")
    added = (
        "\n\n@app.post('/title')\n"
        "def title(ticket: str) -> str:\n"
        "    reply = drafts.chat.completions.create(\n"
        "        model='gpt-4o-mini', messages=[{'role': 'user', 'content': ticket}], max_tokens=20\n"
        "    )\n"
        "    fast = drafts.chat.completions.create(\n"
        "        model='gpt-4o-mini', messages=[], max_tokens=20, timeout=5\n"
        "    )\n"
        "    return (reply.choices[0].message.content or '') + str(fast)\n"
    )
    repo.stage("app/chat_api.py", service + added)
    first_new = len(service.splitlines()) + 5

    assert findings_for("llm-client-no-timeout", review_json(run_archbot)) == [
        ("app/chat_api.py", first_new, "medium")
    ]


def test_rules_listed_and_explained(repo: GitRepo, run_archbot: RunArchbot) -> None:
    listing = run_archbot("rules").out
    table = listing.split("\n\n")[0].splitlines()
    listed = {line.split()[0]: (line.split()[1], line.split()[2]) for line in table}
    assert {rule: listed.get(rule) for rule in PERSONAS} == PERSONAS
    for rule in PERSONAS:
        out = run_archbot("rules", rule).out
        headings = [line for line in out.splitlines() if re.match(r"^[A-Z][\w ]*:$", line)]
        assert headings == ["Why it matters:", "Fix:", "Bad:", "Good:"], rule
