"""The shapes real ML/LLM code takes that the rules must see through (issue 12): an HTTP method
given as `requests.request("POST", ...)`, a URL kept in `self.url`, SDK-native retry settings,
pickle-backed loaders outside the usual names.

Each fixture under tests/data/shapes/ is staged at a repository path and reviewed through the CLI;
the exact (file, line, rule, severity) findings are written out here, negatives included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GitRepo, Run, places

RunArchbot = Callable[..., Run]

FIXTURES = Path(__file__).parent / "data" / "shapes"
Found = list[tuple[str, int, str, str]]


def review(repo: GitRepo, run_archbot: RunArchbot, files: dict[str, str], *options: str) -> Found:
    for path, fixture in files.items():
        repo.stage(path, (FIXTURES / fixture).read_text())
    result = run_archbot("review", "--format", "json", "--fail-on", "never", *options)
    assert (result.code, result.err) == (0, "")
    return sorted((f["file"], f["line"], f["rule"], f["severity"]) for f in places(json.loads(result.out)))


# Every file a library's: where a pickle of a path its callers pass on is reported (in an
# application it is the operator's own artifact, the rule's `run-time` variant), so the shapes the
# rule exempts stand out.
LIBRARY_ROLES = 'roles:\n  "**": library\n'


def only(rule: str, found: Found) -> Found:
    return [f for f in found if f[2] == rule]


def test_a_post_through_requests_request_to_self_url(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # A library's client (single calls without retries: low). Negatives: a POST to a status URL
    # (not an LLM path), a GET, a method that is not a literal.
    repo.stage("llm/__init__.py", "")
    repo.stage("pyproject.toml", '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "llm"\n')
    found = review(repo, run_archbot, {"llm/rest_layer.py": "rest_layer.py"}, "--persona", "llm-ml-engineer")

    assert only("llm-client-no-retry", found) == [
        ("llm/rest_layer.py", 16, "llm-client-no-retry", "low"),  # "POST" to self.url
        ("llm/rest_layer.py", 20, "llm-client-no-retry", "low"),  # method="post" to a constant
    ]


def test_sdk_retries_without_an_exponential_strategy(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: retry_strategy="exponential_backoff_retry" (on the call and through a local dict
    # splat), num_retries=0, max_retries (the provider SDK's own retries, which back off).
    found = review(repo, run_archbot, {"app/ask.py": "litellm_retries.py"}, "--persona", "llm-ml-engineer")

    assert only("retry-no-backoff", found) == [
        ("app/ask.py", 8, "retry-no-backoff", "medium"),  # num_retries, default constant strategy
        ("app/ask.py", 12, "retry-no-backoff", "medium"),  # retry_policy
        ("app/ask.py", 21, "retry-no-backoff", "medium"),  # retry_strategy="constant_retry"
        ("app/ask.py", 27, "retry-no-backoff", "low"),  # an unresolved **request may carry it
    ]


def test_pickle_backed_loaders_from_the_loaders_table(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # The store imports no ML package; the change holds ML code (the ranker), so the rule speaks
    # there. Negatives: nltk in JSON format, a pickle round trip of this process's own bytes,
    # numpy.load without allow_pickle, pickle behind an opt-in (`if not allow_unpickling: raise`,
    # `if allow_cached:`).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {
        "store/program_store.py": "program_store.py",
        "app/ranker.py": "ranker.py",
        "parallel/gather.py": "gather_objects.py",
    }
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        # Not lines 11, 26, 32, 41: bytes the job's own ranks exchanged (dist.all_gather, through a
        # project wrapper of it, dist.all_reduce over a padded buffer, a tensor's bytes whatever
        # collective carried it).
        ("parallel/gather.py", 15, "unsafe-model-deserialization", "high"),
        ("store/program_store.py", 12, "unsafe-model-deserialization", "high"),  # cloudpickle.load
        ("store/program_store.py", 16, "unsafe-model-deserialization", "high"),  # nltk format="pickle"
        ("store/program_store.py", 20, "unsafe-model-deserialization", "high"),  # nltk on a .pickle path
        ("store/program_store.py", 28, "unsafe-model-deserialization", "high"),  # shelve.open
        ("store/program_store.py", 32, "unsafe-model-deserialization", "high"),  # pickle.loads
        ("store/program_store.py", 41, "unsafe-model-deserialization", "high"),  # allow_pickle via **options
        ("store/program_store.py", 63, "unsafe-model-deserialization", "high"),  # the check only warns
    ]


def test_pickle_loaders_in_a_change_with_no_ml_code_stay_silent(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.stage("store/program_store.py", (FIXTURES / "program_store.py").read_text())

    result = run_archbot("review")

    assert (result.code, result.out) == (0, "archbot: no ML/LLM-related changes\n")


def test_blocking_work_behind_a_project_call_in_async_code(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: a `run()` that only formats strings, the same calls in a sync `run`, the
    # converter handed to asyncio.to_thread, the async twin awaited, a sync method beside an
    # async twin that returns without calling anything (a constant fallback), a sync method that
    # only computes, whose class inherits its twin as a base's unimplemented stub, an alternate
    # constructor (`Index.from_file`) whose result is kept, a sync method that only computes
    # beside a twin that only runs it in a thread (awaiting that would change nothing), a
    # generator function called (its body runs as the generator is iterated).
    files = {
        "components/convert.py": "components/convert.py",
        "components/extract.py": "components/extract.py",
    }
    found = review(repo, run_archbot, files, "--persona", "senior-ml-systems-architect")

    assert only("blocking-call-in-async", found) == [
        ("components/extract.py", 21, "blocking-call-in-async", "medium"),  # open() one call further
        ("components/extract.py", 22, "blocking-call-in-async", "medium"),  # the class has run_async
        ("components/extract.py", 33, "blocking-call-in-async", "medium"),  # an abstract sync method
    ]


def test_a_blocking_call_the_coroutine_already_makes_is_its_design(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # The flow already fetches a resumed run's state on the loop (line 20, unchanged); the change
    # forks from another run the same way (line 18: not news) and adds a coroutine that only
    # fetches one (reported at its def, line 23: it awaits nothing).
    before = (FIXTURES / "flows" / "runs.py").read_text()
    repo.stage("flows/runs.py", before)
    repo.commit("flows")
    forked = before.replace(
        "        if resume_from is not None:\n",
        "        if fork_from is not None:\n"
        "            state = self.store.load(fork_from)\n"
        "        if resume_from is not None:\n",
    )
    repo.stage(
        "flows/runs.py",
        forked + "\n    async def inspect(self, path: str) -> dict:\n        return self.store.load(path)\n",
    )
    repo.commit("fork a run's state")

    found = review(repo, run_archbot, {}, "--base", "HEAD~1", "--persona", "senior-ml-systems-architect")

    assert only("blocking-call-in-async", found) == [
        ("flows/runs.py", 23, "blocking-call-in-async", "medium"),
    ]


def test_a_component_keeps_a_client_with_a_long_default_timeout(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # The Azure client is imported through its re-export path; the project bounds its other
    # client (timeout=30, line 15: a negative itself). Negatives: a client built from **options
    # (unresolved: silent), a module-level client and one built per call outside serving code, a
    # command-line script's component.
    files = {"llm/generators.py": "generators.py", "jobs/batch_job.py": "batch_job.py"}
    found = review(repo, run_archbot, files, "--persona", "llm-ml-engineer")

    assert only("llm-client-no-timeout", found) == [
        ("llm/generators.py", 10, "llm-client-no-timeout", "low"),
    ]


def test_a_cross_encoder_scores_pairs_in_batches_and_generates_nothing(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # Negative: a helper scoring one answer's pairs in one batch, called per answer (line 14): no
    # model generation per item. A single pair scored per item (line 18) is an encoder's batch
    # left unused.
    repo.stage(".archbot.yml", "rules:\n  enable: [llm-call-in-loop]\n")
    found = review(repo, run_archbot, {"ranker/agreement.py": "agreement.py"})

    assert [f for f in found if f[2] in ("llm-call-in-loop", "embedding-call-per-item")] == [
        ("ranker/agreement.py", 18, "embedding-call-per-item", "medium"),
    ]


# A published package (a build system): its modules are a library's.
LIBRARY_PYPROJECT = (
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
    '[project]\nname = "llm"\nversion = "1.0"\ndependencies = ["openai"]\n'
)
# A chat component of the same project that bounds its client (line 6).
CHAT_COMPONENT = (
    "from openai import OpenAI\n\n\n"
    "class ChatGenerator:\n"
    "    def __init__(self) -> None:\n"
    "        self.client = OpenAI(timeout=20)\n"
)


def test_a_components_long_default_speaks_where_the_project_bounds_its_other_clients(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # The components' clients (lines 10 and 15). In an application (no package built) each is a
    # service object its request paths wait on: reported. In a library that sets no timeout on
    # any client of its provider the SDK's bound is left to the callers: nothing is said; once
    # another module's component bounds its client, this one leaves out the project's convention.
    unbounded = (FIXTURES / "generators.py").read_text().replace("OpenAI(timeout=30)", "OpenAI()")
    repo.stage("llm/generators.py", unbounded)

    assert only("llm-client-no-timeout", review(repo, run_archbot, {})) == [
        ("llm/generators.py", 10, "llm-client-no-timeout", "low"),
        ("llm/generators.py", 15, "llm-client-no-timeout", "low"),
    ]

    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("llm/__init__.py", "")

    assert only("llm-client-no-timeout", review(repo, run_archbot, {})) == []

    # A bounded client in a tutorial or a test is not the practice of the code that ships.
    repo.stage("tutorials/chat/main.py", CHAT_COMPONENT)
    repo.stage("tests/test_chat.py", CHAT_COMPONENT)

    assert only("llm-client-no-timeout", review(repo, run_archbot, {})) == []

    repo.stage("llm/chat.py", CHAT_COMPONENT)
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    findings = [f for f in json.loads(result.out)["findings"] if f["rule"] == "llm-client-no-timeout"]
    assert [(f["file"], f["lines"], f["severity"], f["role"]) for f in findings] == [
        ("llm/generators.py", [10, 15], "low", "library")
    ]
    assert findings[0]["rationale"].startswith(
        "`AzureOpenAI(...)` without a timeout waits up to 600 s on every call `AzureGenerator` makes, "
        "where the project bounds its other openai clients (llm/chat.py:6)."
    )


def test_one_bounded_client_among_many_left_to_the_sdk_is_no_convention(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A library whose chat component bounds its client while two other components leave theirs to
    # the SDK: one exception, not the project's practice, so the components in the change are left
    # to their callers as in a library that bounds none. A component built from **options counts
    # for neither side; once bounded components are as many as unbounded ones, the practice holds.
    unbounded = (FIXTURES / "generators.py").read_text().replace("OpenAI(timeout=30)", "OpenAI()")
    repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
    repo.stage("llm/__init__.py", "")
    repo.stage("llm/chat.py", CHAT_COMPONENT)
    repo.stage("llm/summary.py", CHAT_COMPONENT.replace("OpenAI(timeout=20)", "OpenAI()"))
    repo.stage("llm/rerank.py", CHAT_COMPONENT.replace("OpenAI(timeout=20)", "OpenAI(max_retries=5)"))
    repo.stage("llm/tools.py", CHAT_COMPONENT.replace("OpenAI(timeout=20)", "OpenAI(**options)"))
    repo.commit("components")
    repo.stage("llm/generators.py", unbounded)

    assert only("llm-client-no-timeout", review(repo, run_archbot, {})) == []

    bounded = CHAT_COMPONENT.replace("OpenAI(timeout=20)", "OpenAI(timeout=httpx.Timeout(30))")
    repo.stage("llm/agent.py", bounded)

    assert only("llm-client-no-timeout", review(repo, run_archbot, {})) == [
        ("llm/generators.py", 10, "llm-client-no-timeout", "low"),
        ("llm/generators.py", 15, "llm-client-no-timeout", "low"),
    ]


def test_a_revision_at_hand_not_forwarded_to_a_hub_loader(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: the revision passed, forwarded through **kwargs (accepted), through a local dict;
    # a function with no revision at hand; a local's revision read after the call (for the teacher
    # model loaded next); a model's revision at a dataset load; a revision given only to another
    # id's load (the base model beside its adapter, 44; the student beside its teacher, 54); a
    # directory the function has just saved the model to (52); an id set to what a download
    # given the revision returned (65); a directory built as a path on this machine, the export's
    # output (76, 77); a dataset beside a helper given the model's id and revision (84).
    found = review(repo, run_archbot, {"models/hub_loading.py": "hub_loading.py"})

    assert only("hf-unpinned-revision", found) == [
        ("models/hub_loading.py", 11, "hf-unpinned-revision", "medium"),  # the `revision` parameter
        ("models/hub_loading.py", 17, "hf-unpinned-revision", "medium"),  # kwargs.get("revision")
        ("models/hub_loading.py", 53, "hf-unpinned-revision", "medium"),  # the adapter's tokenizer
        ("models/hub_loading.py", 78, "hf-unpinned-revision", "medium"),  # the Hub id, beside them
    ]


def test_a_revision_at_hand_not_passed_to_a_project_loader(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # The base class and the functions of engines/base.py load the id they are given with the
    # revision their parameter gives. Negatives: the revision passed on (by position, by keyword);
    # a **kwargs that may carry it (the subclass took no named revision, or rebinds its **kwargs);
    # a callee whose default is a commit SHA; a caller with no revision at hand; a literal id; a
    # super(LoadingRuntime, self) call, which skips LoadingRuntime's loading __init__; an id built
    # as a path on this machine (an export directory, 64 and 65).
    files = {"engines/base.py": "engines/base.py", "engines/vision.py": "engines/vision.py"}
    found = review(repo, run_archbot, files)

    assert only("hf-unpinned-revision", found) == [
        ("engines/vision.py", 13, "hf-unpinned-revision", "medium"),  # super().__init__(model_id=...)
        ("engines/vision.py", 30, "hf-unpinned-revision", "medium"),  # Engine.__init__(self, model_id)
        ("engines/vision.py", 34, "hf-unpinned-revision", "medium"),  # load_weights: revision="main"
    ]


def test_a_revision_the_configuration_carries_for_the_id_loaded(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # load_model_config loads opts.tokenizer_name (as a fallback id) with opts.model_commit; serve.py
    # loads args.checkpoint with args.checkpoint_sha. Negatives: those pinned loads; a field no
    # load pins (chat_template_source, critic_checkpoint); an object of another type
    # (RewardOptions); an unannotated object in another file (may be another object).
    files = {
        f"trainer/{name}": f"trainer/{name}"
        for name in ("options.py", "config_loading.py", "tokenizer_loading.py", "serve.py")
    }
    found = review(repo, run_archbot, files)

    assert only("hf-unpinned-revision", found) == [
        ("trainer/serve.py", 9, "hf-unpinned-revision", "medium"),  # same name in the same file
        ("trainer/tokenizer_loading.py", 9, "hf-unpinned-revision", "medium"),  # same type elsewhere
        ("trainer/tokenizer_loading.py", 10, "hf-unpinned-revision", "medium"),
    ]


def test_a_revision_under_an_option_the_loader_does_not_take(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: vLLM's LLM takes tokenizer_revision= (the tokenizer's, beside revision=); the
    # loader's own revision= passed as well; tokenizer_revision=None; any class's from_pretrained,
    # whose options the loaders table does not know.
    found = review(repo, run_archbot, {"serving/engine.py": "hub_revision_options.py"})

    assert only("hf-unpinned-revision", found) == [
        ("serving/engine.py", 11, "hf-unpinned-revision", "medium"),  # at tokenizer_revision=
    ]


def test_a_change_that_unpins_a_hub_load(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # The base commit pins every load. Negatives: a rewritten load that keeps its revision, one whose
    # revision moves into a **splat (unresolved) or a renamed variable, a new load with no revision
    # at hand, a loader replaced by another that loads another id; in the script, a SHA replaced by
    # "main" (a script's loads are its runner's to pin) and a renamed dataset.
    for part in ("base", "head"):
        for path in sorted(p for p in (FIXTURES / "pins" / part).rglob("*.py")):
            repo.stage(path.relative_to(FIXTURES / "pins" / part).as_posix(), path.read_text())
        if part == "base":
            repo.commit("pinned loads")
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)

    assert sorted((f["file"], f["line"], f["rule"], f["severity"]) for f in places(report)) == [
        ("serving/models.py", 11, "hf-unpinned-revision", "medium"),  # revision=ENCODER_COMMIT dropped
        ("serving/models.py", 17, "hf-unpinned-revision", "medium"),  # the pinned SHA became "main"
        # AutoTokenizer.from_pretrained(model_id, revision=...) replaced by get_tokenizer(model_id);
        # not line 43: the get_tokenizer that replaced it loads another id (a local export).
        ("serving/models.py", 35, "hf-unpinned-revision", "medium"),
    ]
    assert not [f for f in report["findings"] if f["rule"] == "hygiene"]


def test_blocking_project_calls_only_on_the_per_request_path(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: a factory, a config read (result bound to `settings`), a constructor, made once
    # at the top of the coroutine; a lazy initialisation in a loop (`if self.embedder is None`);
    # helpers that read or write a fixed local file per request (a template constant, the package
    # version from pyproject.toml, a log beside the module), and one that reads the one file a
    # request names (a rubric), or one per item of a loop whose items each await the model (a
    # case file, line 54): brief beside the awaits around them, unlike the files a request hands
    # over read one by one with nothing awaited between them; getters that return what they kept
    # (a module's session once made, an `lru_cache`d fetch without arguments, 66 and 67): they
    # block once.
    files = {f"scoring/{name}": f"scoring/{name}" for name in ("telemetry.py", "evaluate.py", "locales.py")}
    found = review(repo, run_archbot, files, "--persona", "senior-ml-systems-architect")

    assert only("blocking-call-in-async", found) == [
        ("scoring/evaluate.py", 36, "blocking-call-in-async", "medium"),  # a builder called per item
        ("scoring/evaluate.py", 48, "blocking-call-in-async", "medium"),  # telemetry POST per request
        ("scoring/evaluate.py", 49, "blocking-call-in-async", "medium"),  # create_* as an action
        ("scoring/evaluate.py", 52, "blocking-call-in-async", "medium"),  # files named by the request
        ("scoring/evaluate.py", 71, "blocking-call-in-async", "medium"),  # its own POST, past a kept session
        ("scoring/evaluate.py", 72, "blocking-call-in-async", "medium"),  # cached per argument: per request
        # Not 42: a loop over two file names the code writes out reads no data item by item (49:
        # the files a request names, one by one, in a coroutine that awaits nothing).
        ("scoring/locales.py", 49, "blocking-call-in-async", "medium"),
    ]


def test_sync_database_and_service_clients_in_async_code(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: offloads (to_thread, run_in_executor, run_in_threadpool), async clients
    # (redis.asyncio, AsyncElasticsearch, motor, AsyncSession, async_sessionmaker, a sessionmaker
    # of AsyncSession), a lazy peewee select, a presigned URL, a class that is not a peewee model,
    # a DB-API cursor(), sqlite3 (in the process, on a local file: lines 81-82), a receiver the
    # code does not resolve (`store`).
    files = {f"stores/{name}": f"stores/{name}" for name in ("db.py", "models.py", "clients.py", "api.py")}
    found = review(repo, run_archbot, files, "--persona", "senior-ml-systems-architect")

    assert only("blocking-call-in-async", found) == [
        ("stores/api.py", 21, "blocking-call-in-async", "medium"),  # self.collection (base __init__)
        ("stores/api.py", 22, "blocking-call-in-async", "medium"),  # sync redis.Redis
        ("stores/api.py", 23, "blocking-call-in-async", "medium"),  # Elasticsearch
        ("stores/api.py", 24, "blocking-call-in-async", "medium"),  # its indices namespace
        ("stores/api.py", 25, "blocking-call-in-async", "medium"),  # boto3 Session().client
        ("stores/api.py", 43, "blocking-call-in-async", "medium"),  # awaits nothing: one hop, pymongo
        ("stores/api.py", 49, "blocking-call-in-async", "medium"),  # db: Session, Query.all()
        ("stores/api.py", 50, "blocking-call-in-async", "medium"),
        ("stores/api.py", 52, "blocking-call-in-async", "medium"),  # a sessionmaker's session
        ("stores/api.py", 69, "blocking-call-in-async", "medium"),  # a peewee model (project base)
        ("stores/api.py", 71, "blocking-call-in-async", "medium"),  # its query, executed
        ("stores/api.py", 73, "blocking-call-in-async", "medium"),  # save()
        ("stores/api.py", 74, "blocking-call-in-async", "medium"),  # create()
        ("stores/api.py", 83, "blocking-call-in-async", "medium"),  # psycopg2.connect
        ("stores/api.py", 85, "blocking-call-in-async", "medium"),  # DB-API cursor
        ("stores/api.py", 86, "blocking-call-in-async", "medium"),
    ]


def test_orm_models_and_clients_held_in_class_attributes(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # A service base declares `model = None` and its classmethods query `cls.model`; subclasses set
    # the model. Negatives: a lazy select handed back, a subclass whose model is no peewee model,
    # the base itself (no model), the constructor, a lazy Django QuerySet.
    names = ("tables.py", "base.py", "recipes.py", "tickets.py", "handlers.py")
    found = review(repo, run_archbot, {f"services/{name}": f"services/{name}" for name in names})

    assert only("blocking-call-in-async", found) == [
        ("services/handlers.py", 11, "blocking-call-in-async", "medium"),  # cls.model.get_or_none
        ("services/handlers.py", 12, "blocking-call-in-async", "medium"),  # .delete()...execute()
        ("services/handlers.py", 17, "blocking-call-in-async", "medium"),  # self.model on an instance
        ("services/handlers.py", 18, "blocking-call-in-async", "medium"),  # cls.client = redis.Redis()
        ("services/handlers.py", 28, "blocking-call-in-async", "medium"),  # cls.model in the subclass
        ("services/handlers.py", 37, "blocking-call-in-async", "high"),  # self.model.objects (Django)
    ]


def test_a_coroutine_that_awaits_nothing_is_reported_at_its_def(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # Its blocking calls are one finding at the `async def` line the change adds or touches (a
    # sync def made async included), named in its text. Per call instead: a coroutine that
    # awaits, an async generator, one that schedules a task on the loop, one whose def line the
    # change leaves alone. Negatives: a handler that awaits nothing and blocks on nothing; a
    # time.sleep (its own rule, at the call).
    names = ("tables.py", "base.py", "recipes.py")
    for name in names:
        repo.stage(f"services/{name}", (FIXTURES / "services" / name).read_text())
    repo.stage("kitchen/pantry.py", (FIXTURES / "idle" / "base" / "pantry.py").read_text())
    repo.commit("services")
    repo.stage("kitchen/menu.py", (FIXTURES / "idle" / "head" / "menu.py").read_text())
    repo.stage("kitchen/pantry.py", (FIXTURES / "idle" / "head" / "pantry.py").read_text())
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    found = sorted((f["file"], f["line"], f["rule"], f["severity"]) for f in places(report))

    assert only("blocking-call-in-async", found) == [
        ("kitchen/menu.py", 11, "blocking-call-in-async", "medium"),  # two blocking calls, one place
        ("kitchen/menu.py", 22, "blocking-call-in-async", "medium"),  # awaits the LLM: the call
        ("kitchen/menu.py", 31, "blocking-call-in-async", "medium"),  # an async generator
        ("kitchen/menu.py", 40, "blocking-call-in-async", "medium"),  # create_task needs the loop
        ("kitchen/menu.py", 44, "blocking-call-in-async", "medium"),
        ("kitchen/pantry.py", 9, "blocking-call-in-async", "medium"),  # the def line is unchanged
        ("kitchen/pantry.py", 13, "blocking-call-in-async", "medium"),  # `def` became `async def`
    ]
    (menu,) = [
        f
        for f in report["findings"]
        if f["file"] == "kitchen/menu.py" and f["rule"] == "blocking-call-in-async"
    ]
    assert menu["rationale"].startswith(
        "`async def archive` awaits nothing, so it holds the event loop from start to end while it makes "
        "blocking calls: `RecipeService.find()` (line 12), `RecipeService.drop()` (line 13). At line 12, "
        "sync `find()` blocks the event loop"
    )
    assert only("blocking-sleep-in-async", found) == [
        ("kitchen/menu.py", 35, "blocking-sleep-in-async", "high")
    ]


def test_a_sync_call_that_hands_back_a_future_is_not_blocking(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: `emit` is annotated to return a Future (it schedules, the coroutine awaits);
    # `publish` returns one unannotated, and the coroutine awaits it with asyncio.wrap_future.
    files = {f"events/{name}": f"events/{name}" for name in ("bus.py", "flow.py")}
    found = review(repo, run_archbot, files, "--persona", "senior-ml-systems-architect")

    assert only("blocking-call-in-async", found) == [
        ("events/flow.py", 13, "blocking-call-in-async", "medium"),  # flush() next to aflush()
    ]


def test_stored_options_reaching_a_remote_code_loader(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: the forwarding function pops the key, or sets it False at the loader; a class that
    # does not forward its **kwargs to a loader; options filtered by an allow-list, checked for the
    # key, a literal dict, a dict of named keys holding configured values (56); trust_remote_code=
    # False at the call itself; a dict of named keys given more named keys (75). Reported:
    # configured options spread into a dict (61), a dict of named keys that configured options
    # are added to (65), or a key the configuration names (79).
    files = {
        "store/encoders.py": "embedder_registry/encoders.py",
        "store/registry.py": "embedder_registry/registry.py",
        # Names no loader: silent, as the pre-commit screen (policy `needs`) assumes.
        "store/jobs.py": "embedder_registry/jobs.py",
    }
    found = review(repo, run_archbot, files)

    assert only("trust-remote-code", found) == [
        ("store/registry.py", 13, "trust-remote-code", "high"),  # config.get("kwargs"), one hop
        ("store/registry.py", 19, "trust-remote-code", "high"),  # json.loads straight to the loader
        ("store/registry.py", 61, "trust-remote-code", "high"),
        ("store/registry.py", 65, "trust-remote-code", "high"),
        ("store/registry.py", 79, "trust-remote-code", "high"),
    ]


def test_request_data_choosing_a_codec_that_unpickles(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # The codec table lives in another module. Negatives: a codec chosen by the Accept header and
    # used only to encode the reply, a table of codecs none of which unpickles, a codec the server
    # chooses itself (a constant, also through the factory; a client's configured content type), a
    # handler that refuses the pickle type before it looks the codec up, a factory that checks the
    # content type against an allow-list.
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {f"serving/{name}": f"codecs/serving/{name}" for name in ("api.py", "legacy.py", "client.py")}
    files |= {"serving/codecs.py": "codecs/serving/codecs.py", "serving/model.py": "codecs/serving/model.py"}
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        ("serving/api.py", 14, "unsafe-model-deserialization", "critical"),  # the Content-Type header
        ("serving/api.py", 22, "unsafe-model-deserialization", "critical"),  # a query parameter
        ("serving/api.py", 55, "unsafe-model-deserialization", "critical"),  # through a factory, one hop
        ("serving/codecs.py", 33, "unsafe-model-deserialization", "high"),  # the codec's own pickle.loads
        ("serving/legacy.py", 11, "unsafe-model-deserialization", "critical"),  # flask.request.mimetype
    ]


def test_data_and_file_urls_are_opened_without_the_network(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # A `data:` URL, by its text or under a `startswith` guard (a tuple of prefixes, one operand of
    # an `and`), is decoded in place: no timeout to set, nothing that blocks; a `file:` URL has no
    # timeout to set. The other branch (24) and a negated guard (29) fetch over the network.
    found = review(repo, run_archbot, {"service/attachments.py": "attachments.py"})

    assert found == [
        ("service/attachments.py", 24, "http-call-no-timeout", "medium"),
        ("service/attachments.py", 29, "http-call-no-timeout", "medium"),
        ("service/attachments.py", 46, "blocking-call-in-async", "medium"),
    ]


def test_a_sync_fallback_beside_its_awaited_twin_is_by_design(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # The sync call in the branch whose other branch awaits it or its async twin (28; 40 and 42
    # through an `elif`) runs only where no async path exists. Outside such a choice (33), or when
    # neither branch awaits (48, 50), it blocks the loop.
    found = review(repo, run_archbot, {"service/run_store.py": "run_store.py"})

    assert found == [
        ("service/run_store.py", 33, "blocking-call-in-async", "medium"),
        ("service/run_store.py", 48, "sync-llm-client-in-async", "high"),
        ("service/run_store.py", 50, "sync-llm-client-in-async", "high"),
    ]


def test_a_response_read_by_its_shape_is_model_output(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Whoever made the call (here the project's own wrapper), `.choices[i].message.content` (10)
    # and what is derived from an `LLMResult.generations` (17) are model output; an expression
    # handed in (22) shows no such flow: the bare eval stays low.
    found = review(repo, run_archbot, {"grader/grading.py": "grading.py"})

    assert found == [
        ("grader/grading.py", 10, "llm-output-exec", "critical"),
        ("grader/grading.py", 17, "llm-output-exec", "critical"),
        ("grader/grading.py", 22, "llm-output-exec", "low"),
    ]


def test_remote_code_in_files_found_on_this_machine_is_not_the_hubs(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # Loaded from what `os.path.isdir(p)` or `p.exists()` has just found (11, 17), the code is the
    # operator's; otherwise (12), under a negated check (19) or from another path (20) it may be
    # the Hub's.
    found = review(repo, run_archbot, {"serving/loader.py": "local_loader.py"})

    assert only("trust-remote-code", found) == [
        ("serving/loader.py", 12, "trust-remote-code", "high"),
        ("serving/loader.py", 19, "trust-remote-code", "high"),
        ("serving/loader.py", 20, "trust-remote-code", "high"),
    ]


@pytest.mark.parametrize(
    ("packaged", "expected"),
    [
        # A library's model it names, read from a local copy or its Hub id, is a default it ships.
        (True, [16, 31]),
        # An application ships it, and is told.
        (False, [16, 24, 31]),
    ],
)
def test_remote_code_of_a_local_copy_or_the_model_the_code_names(
    packaged: bool, expected: list[int], repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A directory built as a path and kept in an attribute is on this machine (9, 10). A caller's
    # path kept there (16), and a name bound to a caller's name as well as a path (31), may be the
    # Hub's. A name bound to the model's Hub id, or to its local copy if one exists, names its
    # model (24). A name bound to a local path's name is on this machine (37).
    if packaged:
        repo.stage("pyproject.toml", LIBRARY_PYPROJECT)
        repo.stage("llm/__init__.py", "")
    found = review(repo, run_archbot, {"llm/captions.py": "local_copies.py"})

    assert [line for _, line, _, _ in only("trust-remote-code", found)] == expected


def test_code_only_type_checkers_read_is_not_reviewed(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # The `if TYPE_CHECKING:` body never runs: its client and call draw nothing; its `else` runs,
    # and a key committed under it is exposed all the same.
    repo.stage(".archbot.yml", "rules:\n  enable: ['*']\n")
    found = review(repo, run_archbot, {"app/gen.py": "type_checking_only.py"}, "--persona", "llm-ml-engineer")

    assert found == [
        ("app/gen.py", 10, "hardcoded-llm-api-key", "critical"),
        ("app/gen.py", 20, "llm-timeout-disabled", "high"),
        ("app/gen.py", 21, "llm-model-alias-unpinned", "low"),
        ("app/gen.py", 21, "llm-no-max-tokens", "medium"),
    ]


def test_a_coroutine_that_reads_the_terminal_serves_nobody_else(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # `onboard` asks for input(): a program talking to one person, whose loop serves nobody else
    # (a sleep, a sync POST and a sync model call in it are not news). `greet` reads no terminal:
    # its sleep (20) and sync call (21) block whatever else the loop serves.
    found = review(
        repo, run_archbot, {"app/wizard.py": "wizard.py"}, "--persona", "senior-ml-systems-architect"
    )

    assert [f for f in found if f[2] in ("blocking-sleep-in-async", "sync-llm-client-in-async")] == [
        ("app/wizard.py", 20, "blocking-sleep-in-async", "high"),
        ("app/wizard.py", 21, "sync-llm-client-in-async", "high"),
    ]


def test_a_programs_entry_coroutine_has_the_loop_to_itself_until_it_hands_it_over(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # `asyncio.run(main(...))` starts `main` alone on its loop: its feed fetch (24), pause (25)
    # and sync model call (27, after a sleep, which hands the loop to nothing) delay nobody. Once
    # it starts tasks, a pause (33) blocks them. `follow` fetches in a loop that awaits (39), so
    # from the second pass on it blocks the loop; `refresh` is started by a runner but also
    # awaited by another coroutine: it is not only an entry (awaiting nothing, it is found at its
    # def, 44).
    repo.stage("jobs/__init__.py", "")
    found = review(
        repo, run_archbot, {"jobs/digest.py": "nightly_digest.py"}, "--persona", "senior-ml-systems-architect"
    )

    assert [f for f in found if f[2].endswith("-in-async")] == [
        ("jobs/digest.py", 33, "blocking-sleep-in-async", "high"),
        ("jobs/digest.py", 39, "blocking-call-in-async", "medium"),
        ("jobs/digest.py", 44, "blocking-call-in-async", "medium"),
    ]


def test_remote_code_pinned_where_the_options_or_the_revision_are_chosen(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A registry entry's `loader_options=dict(trust_remote_code=True)` is pinned by the entry's
    # commit `revision=` (20), not by "main" (25) or by none (27); options built apart (28) are
    # judged where they are written. A revision handed on from a parameter (32) or an attribute
    # set from one (49) is pinned where the caller chooses it; "main" (36), None (40) and an
    # attribute set to "main" (58) float.
    found = review(repo, run_archbot, {"models/registry.py": "model_registry.py"})

    assert only("trust-remote-code", found) == [
        ("models/registry.py", 25, "trust-remote-code", "high"),
        ("models/registry.py", 27, "trust-remote-code", "high"),
        ("models/registry.py", 28, "trust-remote-code", "high"),
        ("models/registry.py", 36, "trust-remote-code", "high"),
        ("models/registry.py", 40, "trust-remote-code", "high"),
        ("models/registry.py", 58, "trust-remote-code", "high"),
    ]


def test_a_loop_over_zip_takes_each_name_from_its_own_sequence(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # `for text, metadata, vector in zip(texts, metadatas, vectors)`: the metadata is the caller's,
    # not the embedding call's (17); embedding vectors are numbers, never text to parse (18).
    # Model replies zipped (34) or enumerated (37) stay model output; the questions beside them
    # (33) and the count (36) do not.
    found = review(repo, run_archbot, {"grading/rows.py": "graded_rows.py"})

    assert only("llm-output-json-unvalidated", found) == [
        ("grading/rows.py", 34, "llm-output-json-unvalidated", "medium"),
        ("grading/rows.py", 37, "llm-output-json-unvalidated", "medium"),
    ]


def test_a_file_the_function_writes_itself_is_read_back(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Negatives: a cache listing pickled and read back at one path, an index `np.save`-d before
    # `np.load(allow_pickle=True)`, a model `joblib.dump`-ed then loaded, a `dill.dump` read with
    # `pickle.load` (one format), a spool file written and polled through `open(...)` handles
    # given in place (71), a memo written to a temporary file and moved onto the path it reads
    # through `path.open("rb")` (85, `os.replace`; 101, `partial.replace(target)`), bytes a memo
    # stores pickled under the key it reads (116), features `torch.save`-d and read back (130),
    # and by another function under the name it reads, through a local name (134: the module's
    # own format where no requirement says torch's version), a name bound to the cache's path
    # among others (144).
    # Reported: a different path written than read (49), a path only another function writes
    # (54, 78), a file written in another format (`np.save`, 65), a file moved into place that the
    # function did not write (110), bytes only another function stores (123), a name bound to
    # paths nothing writes (152).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    found = review(repo, run_archbot, {"features/own_cache.py": "own_cache.py"})

    assert only("unsafe-model-deserialization", found) == [
        ("features/own_cache.py", 49, "unsafe-model-deserialization", "high"),
        ("features/own_cache.py", 54, "unsafe-model-deserialization", "high"),
        ("features/own_cache.py", 65, "unsafe-model-deserialization", "high"),
        ("features/own_cache.py", 78, "unsafe-model-deserialization", "high"),
        ("features/own_cache.py", 110, "unsafe-model-deserialization", "high"),
        ("features/own_cache.py", 123, "unsafe-model-deserialization", "high"),
        ("features/own_cache.py", 152, "unsafe-model-deserialization", "high"),
    ]


def test_a_project_function_that_downloads_returns_a_downloaded_file(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A project function that calls a downloader (urlretrieve, timm's download_cached_file) and
    # returns a value hands back the file it fetched: `torch.load` of it is high (8, 13) and
    # `joblib.load` critical (17). One that downloads and returns nothing, or returns a path
    # without downloading, does not: its load stays low (22; no requirement says torch's version).
    # A path a downloader of the loaders table may have fetched (basicsr's `load_file_from_url`,
    # on one branch) is a download too (30).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    found = review(
        repo,
        run_archbot,
        {"weights/fetch.py": "download_helpers.py", "weights/encoder.py": "downloaded_weights.py"},
    )

    assert only("unsafe-model-deserialization", found) == [
        ("weights/encoder.py", 8, "unsafe-model-deserialization", "high"),
        ("weights/encoder.py", 13, "unsafe-model-deserialization", "high"),
        ("weights/encoder.py", 17, "unsafe-model-deserialization", "critical"),
        ("weights/encoder.py", 22, "unsafe-model-deserialization", "low"),
        ("weights/encoder.py", 30, "unsafe-model-deserialization", "high"),
    ]


def test_a_torch_load_of_a_file_its_module_saves_is_its_own_format(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # Where no requirement says torch's version, a `torch.load` of a file some function of the
    # same module `torch.save`s under the same name is the module's own format read back: a store
    # persisting itself (12), RNG states saved per rank (23), an adapter saved through a handle
    # (33), the best of the snapshots a template names, through a local name (59), a shard named
    # with `%` (68), a shard whose path a method of the class makes (92), a part whose file name
    # a local holds (123), a parameter defaulting to the file its `save` defaults to (134).
    # Reported low: a model
    # file nothing in the module saves (37), a bare name (41), a name that is a different local
    # in each function (49), a file a template of no words but its extension could name (76), an
    # in-memory buffer (103), a name that only ends like a saved one (111), a parameter
    # defaulting to a file nothing saves (137) or to no file (140).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    found = review(repo, run_archbot, {"store/chunks.py": "own_checkpoints.py"})

    assert only("unsafe-model-deserialization", found) == [
        ("store/chunks.py", line, "unsafe-model-deserialization", "low")
        for line in (37, 41, 49, 76, 103, 111, 137, 140)
    ]


def test_a_path_joined_by_a_star_imported_os_names_its_file(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # `os` through `from .common import *` still joins paths: the head the module saves is read
    # back (11, silent); the backbone nothing saves is reported low (15).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {"heads/common.py": "star_common.py", "heads/io.py": "star_checkpoints.py"}
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        ("heads/io.py", 15, "unsafe-model-deserialization", "low"),
    ]


def test_an_old_torch_makes_the_modules_own_format_a_risk(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # With torch < 2.6 required, `torch.load` unpickles whatever it is given: the store's own file
    # is reported as every other load (a shared or replaced file runs code).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    repo.stage("requirements.txt", "torch==2.1.2\n")
    found = review(repo, run_archbot, {"store/chunks.py": "own_checkpoints.py"})

    reported = [line for _, line, _, _ in only("unsafe-model-deserialization", found)]
    assert reported == [12, 23, 33, 37, 41, 49, 59, 68, 76, 92, 103, 111, 123, 134, 137, 140]
    assert {severity for *_, severity in only("unsafe-model-deserialization", found)} == {"high"}


def test_a_torch_load_where_an_optimizer_is_restored_resumes_the_runs_own_checkpoint(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A function that restores an optimizer's state resumes a training run: the checkpoints it
    # reads are the run's own, whatever torch the requirements pin (8: the optimizer restored
    # from the loaded state; 17: through the engine's `load_optimizer`; 42: `torch.load` chosen
    # as the loader of a resume; 49: the optimizer's state read from it for the caller; 77: a
    # function whose own helper, defined and called there, restores the optimizer). Reported:
    # a warm start from weights (22; 37: an optimizer only named as a setting; 32: `optimum_model`
    # is no optimizer; 54: only the model's key read; 59: the optimizer's key only tested), a
    # resume from a download (26), released weights a function that also resumes names as
    # pretrained (66), and a load beside a helper that would resume but is never called (85).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    repo.stage("requirements.txt", "torch==2.1.2\n")
    found = review(repo, run_archbot, {"train/resume.py": "resumed_runs.py"})

    assert only("unsafe-model-deserialization", found) == [
        ("train/resume.py", 22, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 26, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 32, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 37, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 54, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 59, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 66, "unsafe-model-deserialization", "high"),
        ("train/resume.py", 85, "unsafe-model-deserialization", "high"),
    ]


def test_a_datasets_methods_read_the_samples_it_was_pointed_at(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A torch dataset's index (13), latents (19) and captions (21), and a project subclass's
    # (28), are the training operator's own data: not reported. Reported: a dataset's download
    # (31), a class that is no dataset (37), a module function (41).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    found = review(repo, run_archbot, {"clips/data.py": "dataset_samples.py"})

    assert only("unsafe-model-deserialization", found) == [
        ("clips/data.py", 31, "unsafe-model-deserialization", "critical"),
        ("clips/data.py", 37, "unsafe-model-deserialization", "high"),
        ("clips/data.py", 41, "unsafe-model-deserialization", "low"),
    ]


def test_records_of_a_store_a_function_opens_are_its_own(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # Records unpickled from an LMDB environment the class (12) or the function (20) opens are
    # what whoever packed the store wrote. Reported: bytes from nowhere the module opens (25).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    found = review(repo, run_archbot, {"frames/store.py": "record_stores.py"})

    assert only("unsafe-model-deserialization", found) == [
        ("frames/store.py", 25, "unsafe-model-deserialization", "high"),
    ]


def test_bytes_a_module_pickles_for_its_worker_processes_are_its_own(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A worker unpickling the function its pool was handed (`dill.dumps` in the parent, a process
    # pool started in the module) loads the program's own bytes (10). Reported: bytes read from a
    # socket in that module (22), and a store that pickles and unpickles values but starts no
    # workers (the bytes come back from wherever it keeps them: 12).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {
        "app/ranker.py": "ranker.py",
        "parallel/workers.py": "worker_payloads.py",
        "cache/store.py": "pickled_store.py",
    }
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        ("cache/store.py", 12, "unsafe-model-deserialization", "high"),
        ("parallel/workers.py", 22, "unsafe-model-deserialization", "high"),
    ]


def test_a_setting_that_must_say_yes_before_pickles_load_is_an_opt_in(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A handler that raises unless its setting says yes (`... .lower() != "true"`, `is not True`)
    # loads pickles only where the operator opted in (10, 12, 20). Reported: a load in the body of
    # the refusal's own test (26: it runs when the setting says no), one after a check that only
    # warns (34), and one that raises only when the flag is set to no (41: left unset, it loads).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {"app/ranker.py": "ranker.py", "serving/formats.py": "model_formats.py"}
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        ("serving/formats.py", 26, "unsafe-model-deserialization", "high"),
        ("serving/formats.py", 34, "unsafe-model-deserialization", "high"),
        ("serving/formats.py", 41, "unsafe-model-deserialization", "high"),
    ]


def test_a_list_the_object_pickled_into_its_own_buffer_is_its_own(
    repo: GitRepo, run_archbot: RunArchbot
) -> None:
    # A dataset list serialized into one buffer (`self._chunks`, filled with `pickle.dumps` bytes
    # in `__init__`) and unpickled item by item, through a local view (19) or in place, in a
    # subclass (29), holds the object's own bytes. Reported: bytes a client fetched (37).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {"app/ranker.py": "ranker.py", "data/serialized.py": "serialized_list.py"}
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        ("data/serialized.py", 37, "unsafe-model-deserialization", "high"),
    ]


def test_the_state_a_pickle_hands_setstate_is_that_pickle(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # `__setstate__` runs while a pickle is loaded: unpickling the state it is handed (13), a part
    # of it once unpickled (14) or through a local name (21) runs nothing that pickle could not
    # run already. Reported: a file the state names, read on its own (23), and bytes an ordinary
    # method is handed (26).
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    files = {"app/ranker.py": "ranker.py", "features/state.py": "restored_state.py"}
    found = review(repo, run_archbot, files)

    assert only("unsafe-model-deserialization", found) == [
        ("features/state.py", 23, "unsafe-model-deserialization", "high"),
        ("features/state.py", 26, "unsafe-model-deserialization", "high"),
    ]


def test_bytes_unpickled_are_said_to_be_data(repo: GitRepo, run_archbot: RunArchbot) -> None:
    repo.stage(".archbot.yml", LIBRARY_ROLES)
    repo.stage(
        "features/entries.py",
        "import pickle\n\nimport torch\n\n\n"
        "def entry(store, key):\n    return torch.as_tensor(pickle.loads(store[key]))\n",
    )

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    findings = [f for f in json.loads(result.out)["findings"] if f["rule"] == "unsafe-model-deserialization"]
    assert [(f["file"], f["line"], f["severity"]) for f in findings] == [("features/entries.py", 7, "high")]
    assert findings[0]["rationale"].startswith("`pickle.loads` of data decided at run time.")


def test_a_method_started_by_its_class_as_the_entry_coroutine(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # `run` starts `run_async` with `asyncio.run(self.run_async())`: before its first hand-over
    # (the `async with`, 27) it has the loop to itself, so the scheduler lookup at 26 delays
    # nobody; after it (30) other work waits. `score_async` is also awaited by `evaluate` (47):
    # it may run beside other work, and its lookup is reported (on its `async def`, 38: it awaits
    # nothing).
    repo.stage("pipeline/__init__.py", "")
    found = review(
        repo, run_archbot, {"pipeline/steps.py": "batch_step.py"}, "--persona", "senior-ml-systems-architect"
    )

    assert [f for f in found if f[2].endswith("-in-async")] == [
        ("pipeline/steps.py", 30, "blocking-call-in-async", "medium"),
        ("pipeline/steps.py", 38, "blocking-call-in-async", "medium"),
    ]


def test_remote_code_in_a_directory_on_this_machine(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # A literal path on this machine (absolute, a drive, relative to the working directory) or one
    # built as a path holds its operator's files, not a Hub repository: 10, 14, 18 and 22 are
    # silent. A Hub id (26) and a path the caller chooses (30) are reported.
    found = review(repo, run_archbot, {"serving/load.py": "local_checkpoints.py"})

    assert only("trust-remote-code", found) == [
        ("serving/load.py", 26, "trust-remote-code", "high"),
        ("serving/load.py", 30, "trust-remote-code", "high"),
    ]


def test_an_async_twin_whose_hook_never_suspends_is_no_fix(repo: GitRepo, run_archbot: RunArchbot) -> None:
    # A base's `aretrieve` awaits the subclass's `_aretrieve`. Where that hook awaits nothing (it
    # returns the sync hook's result), awaiting the twin would block the loop the same: the sync
    # call is judged by its own work, an in-memory walk (line 6). Where the hook awaits the
    # service, or a thread, the twin is the fix.
    files = {"lookup/retrievers.py": "lookup/retrievers.py", "lookup/answer.py": "lookup/answer.py"}
    found = review(repo, run_archbot, files, "--persona", "senior-ml-systems-architect")

    assert only("blocking-call-in-async", found) == [
        ("lookup/answer.py", 11, "blocking-call-in-async", "medium"),
        ("lookup/answer.py", 16, "blocking-call-in-async", "medium"),
    ]
