"""Data-flow, governance and training rules on realistic fixtures: exact (file, line, severity)
findings, with a negative for every guard of RULES.md §4.2/§4.3.

Each fixture under tests/data/rules/<rule-id>/ is a small repository tree, staged whole in a fresh
git repository and reviewed through the CLI. Files placed under skipped paths (tests/, examples/,
notebooks, *settings*/*config* modules) must be reviewed — so the skip is what keeps them silent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import GitRepo, places

RULE_FIXTURES = Path(__file__).parent / "data" / "rules"

Expected = list[tuple[str, int, str]]

EXPECTED: dict[str, Expected] = {
    # Negatives: try/except JSONDecodeError, except (KeyError, ValueError), Model.model_validate of
    # the parsed value, response_format=, .parse(...), json.loads of a file.
    "llm-output-json-unvalidated": [
        ("app/extract.py", 26, "medium"),  # json.loads(resp.choices[0].message.content)
        ("app/extract.py", 33, "medium"),  # a name derived from the content through str methods
        ("app/extract.py", 41, "medium"),  # Anthropic message.content[0].text (annotated client)
        # Negative: a tool call's arguments (95); the message's text beside them is reported.
        ("app/extract.py", 96, "medium"),
        # Negative: the Responses API asked for a JSON schema (106); asked for text, reported.
        ("app/extract.py", 111, "medium"),
        # Negative: a `**` splat whose dict is given `response_format` (119); one without, reported.
        ("app/extract.py", 125, "medium"),
        # Negative: a summarizer whose one caller retries it on any error (17); a labeller one of
        # whose callers does not catch, reported.
        ("app/summaries.py", 33, "medium"),
    ],
    # Negatives: id/usage/token counts, len(), a module-level constant, finish_reason/model (also
    # through a local name, 47), and a batch job (not serving) that logs its prompts.
    "llm-prompt-logged": [
        ("api/chat.py", 27, "medium"),  # the messages= variable
        ("api/chat.py", 30, "medium"),  # a name assigned from the response accessor, in an f-string
        ("api/chat.py", 31, "medium"),  # print of the accessor itself
        ("api/chat.py", 41, "medium"),  # a name placed into messages=[{"content": prompt}]
        # Negatives: an unlabelled session id, a labelled module constant, len() of the question.
        ("api/ask.py", 34, "medium"),  # "prompt=%s" of the question, sent through module helpers
        ("api/ask.py", 46, "medium"),  # the question, formatted into the prompt by .format
    ],
    # Negatives: parameterized SQL, a literal subprocess argv, yaml.safe_load, yaml.load with
    # SafeLoader, ast.literal_eval, pickle.loads of non-model bytes, eval/model.eval() in a module
    # with no LLM SDK.
    "llm-output-exec": [
        ("agent/analyst.py", 25, "critical"),  # exec of a name derived from the accessor
        ("agent/analyst.py", 31, "critical"),  # eval of the accessor
        ("agent/analyst.py", 37, "critical"),  # subprocess.run(..., shell=True)
        ("agent/analyst.py", 44, "critical"),  # os.system with an f-string
        ("agent/analyst.py", 50, "critical"),  # conn.execute(f"...")
        ("agent/analyst.py", 53, "critical"),  # conn.execute(query) where query = "..." + table
        ("agent/analyst.py", 59, "critical"),  # sqlalchemy.text built with +
        ("agent/analyst.py", 72, "critical"),  # yaml.load with yaml.Loader
        ("agent/analyst.py", 80, "low"),  # bare eval in a module that imports an LLM SDK
        ("agent/analyst.py", 86, "high"),  # a later argv element, no shell
        ("agent/analyst.py", 87, "critical"),  # the program to run
        # Request data is critical; a Depends() dependency, an int parameter and a function that
        # is not a route handler are not request text (only the bare-eval low applies); a
        # test patched with mock.patch is no PATCH route, and subprocess.CompletedProcess runs
        # nothing (api/tool_checks.py).
        ("api/calc.py", 24, "critical"),  # eval of a pydantic body attribute
        ("api/calc.py", 30, "critical"),  # shell=True with a path parameter in an f-string
        ("api/calc.py", 37, "critical"),  # exec of a name derived from the body
        ("api/calc.py", 43, "low"),
        ("api/calc.py", 47, "low"),
        ("api/flask_app.py", 10, "critical"),  # eval of flask's request, outside any handler
        # A query held in a name, in a handler that calls no model; a filter of literal clauses
        # bound with their values (`clauses, params = [...], [since]`) is no request text.
        ("api/usage.py", 27, "critical"),
        # Only the builtins count. Negatives: a module-level `def eval`, `exec` from a relative
        # import, `self.eval(...)`, a parameter named `exec`, `eval` imported inside the function.
        ("grading/calculator.py", 21, "low"),  # the builtin inside a method named `eval`
    ],
    # Negatives: user data in the user/human message, a Depends() dependency in instructions=,
    # a ChatPromptTemplate placeholder, a constant system prompt, a helper that is not a route
    # handler, a Celery task's arguments, a constant + literal system prompt, int and Literal
    # route parameters.
    "user-input-in-system-prompt": [
        ("api/tutor.py", 43, "high"),  # f-string of a pydantic body attribute
        ("api/tutor.py", 57, "high"),  # Anthropic system= name built by + from a derived name
        ("api/tutor.py", 69, "high"),  # Responses instructions= Template.substitute(path param)
        ("api/tutor.py", 81, "high"),  # ("system", "..." + body.persona) in from_messages
        ("api/tutor.py", 84, "high"),  # SystemMessage(content="...".format(body.persona))
        ("web/answers.py", 22, "high"),  # developer role, % of flask request data
    ],
    # Negatives: module-level client construction, constants, a settings lookup, *settings*.py,
    # *config*.py, tests/, conftest.py, examples/, a notebook.
    "llm-model-hardcoded": [
        ("app/assistant.py", 19, "low"),  # chat.completions.create(model="...")
        ("app/assistant.py", 41, "low"),  # ChatOpenAI(model_name="...") in a function
        ("app/assistant.py", 45, "low"),  # AzureOpenAI(azure_deployment="...")
        ("app/assistant.py", 49, "low"),  # OpenAIEmbeddings(model="...")
    ],
    # Negatives: dated OpenAI and Claude snapshots (also Vertex `@date`), a legacy -MMDD snapshot,
    # a stable Gemini name, embedding and Hub ids, a fine-tuned id, tests/, a notebook, a schema's
    # documented examples (`examples=`, `description=`), open weights (`gpt-oss-*`), an Azure
    # deployment's name.
    "llm-model-alias-unpinned": [
        ("grading/judge.py", 11, "low"),  # gpt-4o
        ("grading/judge.py", 14, "low"),  # claude-sonnet-4-5
        ("grading/judge.py", 17, "low"),  # gemini-*-latest
        ("grading/judge.py", 26, "low"),  # dataclass field default o3-mini
        ("grading/judge.py", 32, "low"),  # chatgpt-4o-latest at a call
        ("grading/judge.py", 37, "low"),  # parameter default o4-mini
        ("grading/judge.py", 39, "low"),  # litellm provider prefix openai/gpt-4.1-mini
        ("grading/judge.py", 52, "low"),  # init_chat_model("...-latest")
        ("grading/judge.py", 56, "low"),  # {"model": "gpt-4.1"} request payload
        ("grading/judge.py", 67, "low"),  # a "model" key outside any documenting argument
    ],
    # Negatives: a seeded script, seeding in an imported local settings module, the HF Trainer with
    # TrainingArguments(seed=) for training (not for a head drawn before it), set_seed before a new
    # head, a classifier checkpoint loaded with `num_labels=` in a module that trains nothing
    # (serve/route_scores.py: its head is the checkpoint's), a pytest module that fine-tunes, a
    # library nn.Module with a fit method, random_state everywhere,
    # KFold without shuffle, GridSearchCV, numpy's global seed for sklearn, a project subclass of
    # the Trainer given its arguments (train/distill_custom_trainer.py), `Panel.fit` called on an
    # imported class in a script that trains nothing (train/dashboard.py), project helpers re-exported
    # by a package that seed the run: an options parser calling `transformers.set_seed` (one hop,
    # train/train_reward.py), a strategy made by a factory whose method seeds in its own helper
    # (two hops, train/train_policy.py), a script that fits a tokenizer and a processor (counting,
    # no RNG: train/train_tokenizer.py), frameworks whose setup seeds every RNG from the run's config
    # (detectron2's default_setup: train/train_detector.py; mmengine's Runner: train/train_segmenter.py),
    # an Ultralytics model whose own train() seeds (train/train_yolo.py), a trainer derived from the
    # Hugging Face Trainer in another package (train/train_embedder.py), faiss indexes trained
    # (their clustering seeds itself: train/build_index.py).
    "training-no-seed": [
        ("models/churn.py", 11, "low"),  # train_test_split without random_state
        ("models/churn.py", 12, "low"),  # KFold(shuffle=True)
        ("models/churn.py", 14, "low"),  # RandomForestClassifier
        ("models/churn.py", 16, "low"),  # entry point fits with nothing seeded
        ("models/churn.py", 17, "low"),  # RandomizedSearchCV
        # A kernel module's self-tests and benchmark run backward passes (lines 12, 18): checks,
        # not training; nor does a module's `train(self, mode=True)` override switch anything but
        # its mode (31). The probe it fits under the same `__main__` guard trains.
        ("models/kernels/rotary_ops.py", 25, "low"),
        # A lone backward pass under a module's `__main__` guard is a quick check that changes no
        # weight (models/latent_head.py); in a loop, or beside an optimizer step, it trains. Under
        # the `__main__` guard, steps on random tensors that save nothing are a smoke test
        # (models/noise_smoke.py, and line 18 of models/latent_warmup.py); a function that warms
        # a head on noise trains it (12), and so does a warm start whose weights are saved (13).
        ("models/latent_warmup.py", 12, "low"),
        ("models/noise_warm_start.py", 13, "low"),
        # A module-level training function that builds its model; not one handed it (line 13), nor
        # one that only switches its modules' modes (`module.train(flag)`, lines 35-38).
        ("train/loops.py", 24, "low"),
        ("train/finetune_hf.py", 12, "low"),  # new head drawn before the Trainer seeds
        ("train/preference_trainer.py", 8, "low"),  # a Trainer subclass draws its head first
        ("train/train_classifier.py", 17, "low"),  # __main__ script: first training call
        # `model.train()` after `model.eval()` switches a module back (line 9); a trainer's
        # `.train()` beside it trains.
        ("train/validate_main.py", 15, "low"),
        # A trainer that fits after validating trains (9); so may one handed on (15). One built
        # only to validate, test or predict trains nothing (train/encode_latents.py).
        ("train/encode_then_tune.py", 9, "low"),
        ("train/encode_then_tune.py", 15, "low"),
        # The same strategy, whose helpers only shard and shuffle with a seed of their own.
        ("train/train_critic.py", 18, "low"),
        # Randomized decompositions and clusterings. Negatives: a seed parameter in scope, an exact
        # SVD, fork_rng + manual_seed, random_state given or splatted, PCA with the full or auto
        # solver, faiss.Kmeans (seed 1234 by default), numpy seeded in the module, a pytest module.
        ("adapters/lowrank.py", 11, "medium"),  # torch.svd_lowrank initialises an adapter
        ("adapters/lowrank.py", 20, "medium"),  # svd_lowrank imported from torch
        ("retrieval/centroids.py", 13, "medium"),  # KMeans without random_state
        ("retrieval/centroids.py", 17, "medium"),  # MiniBatchKMeans
        ("retrieval/centroids.py", 21, "medium"),  # TruncatedSVD
        ("retrieval/centroids.py", 22, "medium"),  # PCA(svd_solver="randomized")
        ("retrieval/centroids.py", 29, "medium"),  # randomized_svd
    ],
    # Negatives: dataset.shuffle(seed=), random.Random(SEED), a module that seeds random, a judge
    # with temperature/seed (SDK and raw payload), an embeddings call, the same code outside eval paths,
    # vLLM sampling params that set a seed or come from the caller, a harness's run set-up that seeds
    # `random` for the entry point (re-exported by its package, evals/arena_eval.py), a
    # classifier pipeline scoring answers (evals/toxicity_eval.py:12, it samples nothing), draws
    # in a baseline named for being random (evals/baselines.py:10 and 14), a shuffle by an RNG
    # object handed in (evals/baselines.py:28: seeded where it is made), a script that builds
    # the evaluation splits once and publishes them (evals/build_support_sets.py:11), pipelines
    # that decode greedily or whose task is not named (evals/speech_eval.py:8 and 13), sampling
    # options or a payload built with a `**` splat of the caller's (evals/codegen_eval.py:30,
    # evals/gpqa_eval.py:85), a training loop's data order under a directory named for training
    # and evaluation (pipeline/train_eval/order.py:8), a task helper's `random.choice` in a
    # package whose evaluator seeds `random` (eval_harness/tasks/mcq_utils.py:9), a layer held
    # as `self.shuffle` and called (evals/probe_model.py:25), a shuffle of rows then all graded
    # (evals/batch_grader.py:15 mapped, 21 looped over, 46 mapped under the module's `__main__`
    # guard: only their order changes).
    "eval-no-seed": [
        ("benchmark_suite/sampling.py", 7, "low"),  # its package reseeds from the clock only
        ("eval_harness/quick_check.py", 8, "low"),  # a program of its own: no evaluator runs it
        ("eval_harness/tasks/mcq_utils.py", 14, "low"),  # a dataset's shuffle: not the global RNG
        ("evals/batch_grader.py", 29, "low"),  # the first five of the shuffled rows
        ("evals/batch_grader.py", 34, "low"),  # a loop over them that stops early
        ("evals/gpqa_eval.py", 19, "low"),  # dataset.shuffle()
        ("evals/gpqa_eval.py", 26, "low"),  # random.shuffle(choices)
        ("evals/gpqa_eval.py", 28, "low"),  # np.random.permutation
        ("evals/gpqa_eval.py", 38, "low"),  # Gemini payload's generationConfig without seed/temperature
        ("evals/gpqa_eval.py", 58, "low"),  # judge chat.completions.create
        ("evals/baselines.py", 19, "low"),  # a baseline that is not random by name shuffles
        ("evals/chain_judge.py", 14, "low"),  # a LangChain model built with neither (10: with)
        ("evals/codegen_eval.py", 23, "low"),  # vLLM generate with default sampling
        ("evals/codegen_eval.py", 37, "low"),  # its own params, not the parameter of line 17
        ("evals/toxicity_eval.py", 15, "low"),  # a text-generation pipeline
    ],
    # Negatives: .eval() after torch.load, Scorer().to(...).eval(), a from_pretrained model,
    # torch.no_grad() block, @torch.inference_mode() handler, submodules in another nn.Module's
    # forward, a non-predict method outside serving code, a predictor that calls .eval().
    "inference-without-eval-mode": [
        ("batch/predictor.py", 22, "medium"),  # predict() on a load_state_dict model
        ("serve/app.py", 49, "medium"),  # route handler calls a local model class instance
    ],
}

# Files that a rule's path guard must silence although they are reviewed.
SKIPPED_PATHS: dict[str, list[str]] = {
    "llm-model-hardcoded": [
        "app/llm_settings.py",
        "app/model_config.py",
        "examples/quickstart.py",
        "notebooks/explore.ipynb",
        "tests/conftest.py",
        "tests/test_assistant.py",
    ],
    "llm-model-alias-unpinned": ["notebooks/compare_models.ipynb", "tests/test_judge.py"],
}


def stage_tree(repo: GitRepo, fixture: Path) -> None:
    for path in sorted(p for p in fixture.rglob("*") if p.is_file()):
        repo.stage(path.relative_to(fixture).as_posix(), path.read_bytes())


def test_every_rule_here_has_a_fixture() -> None:
    assert sorted(p.name for p in RULE_FIXTURES.iterdir() if p.name in EXPECTED) == sorted(EXPECTED)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_fixture(rule: str, repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    stage_tree(repo, RULE_FIXTURES / rule)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    found = sorted((f["file"], f["line"], f["severity"]) for f in places(report) if f["rule"] == rule)
    assert found == sorted(EXPECTED[rule])
    assert not [n for n in report["notices"] if rule in n]
    assert set(SKIPPED_PATHS.get(rule, [])) <= set(report["files"]["reviewed"])


AGENT = '''"""Runs model-written snippets."""

from openai import OpenAI

client = OpenAI(timeout=30)
MODEL = "gpt-4o-mini-2024-07-18"


def run_snippet(task: str) -> dict[str, object]:
    resp = client.chat.completions.create(
        model=MODEL, max_completion_tokens=300, messages=[{"role": "user", "content": task}]
    )
    namespace: dict[str, object] = {}
    exec(resp.choices[0].message.content, namespace){pragma}
    return namespace
'''


def findings(run_archbot, rule: str) -> Expected:  # type: ignore[no-untyped-def]
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    return sorted((f["file"], f["line"], f["severity"]) for f in places(report) if f["rule"] == rule)


@pytest.mark.parametrize("pragma", ["  # nosec B102", "  # noqa: S102"])
def test_peer_pragmas_silence_llm_output_exec(pragma: str, repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    repo.stage("agent/snippets.py", AGENT.replace("{pragma}", ""))
    assert findings(run_archbot, "llm-output-exec") == [("agent/snippets.py", 14, "critical")]

    repo.stage("agent/snippets.py", AGENT.replace("{pragma}", pragma))
    assert findings(run_archbot, "llm-output-exec") == []


def test_data_flow_findings_stay_on_changed_lines(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    fixture = RULE_FIXTURES / "llm-output-json-unvalidated" / "app" / "extract.py"
    original = fixture.read_text(encoding="utf-8")
    repo.stage("app/extract.py", original)
    repo.commit("extraction")

    repo.stage("app/extract.py", original.replace("with an LLM.", "with an LLM (v2)."))
    assert findings(run_archbot, "llm-output-json-unvalidated") == []

    # Re-indenting or re-spacing a line brings nothing new (carried.py); rewriting it does.
    repo.stage(
        "app/extract.py",
        original.replace("    fields = json.loads(cleaned)", "    fields = json.loads(cleaned)  "),
    )
    assert findings(run_archbot, "llm-output-json-unvalidated") == []

    repo.stage(
        "app/extract.py",
        original.replace("    fields = json.loads(cleaned)", "    fields = json.loads(cleaned.strip())"),
    )
    assert findings(run_archbot, "llm-output-json-unvalidated") == [("app/extract.py", 33, "medium")]


LOADER_BEFORE = """import requests
from transformers import AutoModel


def load(name, dtype):
    model = AutoModel.from_pretrained(name, trust_remote_code=True, torch_dtype=dtype, revision="v1")
    reply = requests.get('http://ranker.internal/health')
    return model, reply
"""
LOADER_REFORMATTED = """import requests
from transformers import AutoModel


def load(name, dtype):
    model = AutoModel.from_pretrained(
        name,
        trust_remote_code=True,
        torch_dtype=dtype,
        revision="v1",
    )
    reply = requests.get("http://ranker.internal/health")  # health first
    ready = requests.get("http://ranker.internal/ready")
    return model, reply, ready


async def load_async(name):
    return requests.get("http://ranker.internal/health")
"""


def test_a_reformatted_statement_carries_its_old_findings(repo: GitRepo, run_archbot) -> None:  # type: ignore[no-untyped-def]
    """A call re-wrapped by a formatter (line 6), or with its quotes changed and a comment added
    (line 12), is the statement it was: what its rules said before is not new. A new call (13) is,
    and so is the same statement in new surroundings (an `async def`, line 18)."""
    repo.stage("app/load.py", LOADER_BEFORE)
    repo.commit("loader")
    repo.stage("app/load.py", LOADER_REFORMATTED)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    assert (result.code, result.err) == (0, "")
    assert sorted((f["rule"], f["line"]) for f in places(json.loads(result.out))) == [
        ("http-call-no-timeout", 13),
        ("http-call-no-timeout", 18),
        ("sync-llm-client-in-async", 18),
    ]
