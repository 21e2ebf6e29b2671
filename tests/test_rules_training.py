"""Training and ML-correctness rules on realistic fixtures: exact (file, line, severity) findings,
with a negative for each calibration guard."""

from __future__ import annotations

import json

import pytest

from conftest import GitRepo, places
from test_rules_core import RULE_FIXTURES, RunArchbot, findings_for, stage_tree
from test_rules_infra import review

Expected = list[tuple[str, int, str]]

EXPECTED: dict[str, Expected] = {
    # Negatives: zero_grad in the loop, a step only under an accumulation `if`, a helper of the
    # module that sets `p.grad = None`, a DeepSpeed engine's own step, a scheduler's step.
    "training-no-zero-grad": [
        ("train/loops.py", 15, "high"),  # zero_grad once, before the loops
        ("train/loops.py", 24, "high"),  # AMP: scaler.step(opt)
        ("train/loops.py", 48, "high"),  # a step function called in a loop
        # PaddlePaddle's clear_grad and clear_gradients clear; a loop with neither does not.
        ("train/paddle_loops.py", 28, "high"),
    ],
    # Negatives: .item(), .detach(), float(), a multi-task loss summed and then backpropagated, a
    # loss rebound to loss.detach() before it is kept, an eval loop (no backward) reusing the name;
    # a reduced loss's .data and a detached entropy beside a wrapper's backward(loss, optimizer).
    "loss-accumulated-with-graph": [
        ("train/epoch.py", 17, "medium"),  # total_loss += loss
        ("train/epoch.py", 18, "medium"),  # history.append(loss * batch size)
        ("train/epoch.py", 53, "medium"),  # kept.append(out.loss) after accelerator.backward(out.loss)
        ("train/epoch.py", 88, "medium"),  # kept.append(loss) after self.booster.backward(loss, ...)
    ],
    # Negatives: eval() and inference_mode before the loop, a function that only evaluates (its
    # caller decides), a no_grad function, a test-time-adaptation loop that backpropagates.
    "validation-without-eval-mode": [
        ("train/finetune.py", 16, "medium"),  # after model.train(): training mode, autograd on
        ("train/finetune.py", 28, "medium"),  # eval() but autograd on
    ],
    # Negatives: the seed passed (seed=self.seed, random.Random(seed)), shuffle=False, a seed
    # read elsewhere in its class; a config seed read in another function, a config derived from
    # TrainingArguments (the framework reads its fields), a `--pick-seed` option read, options
    # handed on whole with vars(args) or passed whole to another package's function, a config
    # spread with asdict() where its class is named; a class's seed field read by a module that uses
    # the class.
    "seed-not-passed": [
        # A dataclass field, StreamingDataset(shuffle=train); train/launch.py reads another `.seed`.
        ("data/modules.py", 25, "medium"),
        ("data/modules.py", 49, "medium"),  # self.seed stored, never read; DataLoader(shuffle=True)
        ("data/modules.py", 54, "medium"),  # a seed parameter; random.shuffle
        ("data/modules.py", 67, "medium"),  # data_seed; random_split without a generator
        ("scripts/sample_prompts.py", 16, "medium"),  # `--sample-seed` never read; random.sample
        ("train/data.py", 11, "medium"),  # FinetuneConfig.example_seed (another module) read nowhere
        # Sampling requests. Negatives: a greedy body (temperature 0), an Anthropic body and an
        # Anthropic SDK call (no seed in that API), a body of keys every chat API shares, a base's
        # seed read in another method, an application that declares no seed, a cache's seed
        # (`cache_seed`, evals/judge.py:54).
        ("evals/backends/completions.py", 8, "medium"),  # the base's self._seed (another module)
        ("evals/backends/completions.py", 24, "medium"),  # a grandchild's OpenAI body with top_p
        ("evals/judge.py", 14, "medium"),  # chat.completions.create(temperature=0.3), self.seed unread
    ],
    # Negatives: random.shuffle in a script (a deliberate random order as often as data), a
    # seeded streaming shuffle, one under `if SEED is None`, a non-streaming dataset's .shuffle() and a
    # train_test_split with random_state in a script, a DataLoader in a library module (no caller,
    # or its only caller seeds), a seeded training script; a webdataset given `seed=` or `rng=`, or not
    # shuffled; a DistributedSampler (seed 0 when left out) in a script; a script whose project
    # session object seeds the RNGs when started, two calls deep (data/pack_batches.py).
    "shuffle-without-seed": [
        ("data/prepare_splits.py", 18, "low"),  # streaming shuffle without seed
        ("data/prepare_splits.py", 21, "low"),  # DataLoader(shuffle=True) in an unseeded script
        ("data/shards.py", 10, "low"),  # WebDataset(shardshuffle=100): time and pid, whatever is seeded
        ("data/shards.py", 14, "low"),  # .shuffle(1000) of a webdataset pipeline without rng=/seed=
        # (.shuffle(0), line 34: a buffer of no sample reorders nothing)
        ("data/shards.py", 26, "low"),  # a library loader whose only caller, a script, seeds nothing
        ("data/streams.py", 13, "low"),  # streaming (through .map) in a library module
    ],
}


# Cases with a base commit: rule -> case directory under tests/data/rules-retrieval/<rule>/.
WITH_BASE: dict[tuple[str, str], Expected] = {
    # The index was built (base commit, another file) with text-embedding-3-large. Negatives:
    # another collection of the same directory, a model from configuration, a query with the
    # indexing encoder.
    ("embedding-model-mismatch", "stores"): [
        ("rag/query.py", 12, "high"),  # queried with text-embedding-3-small
        ("rag/query.py", 42, "high"),  # raw Chroma: written with MiniLM, queried with bge
    ],
}


@pytest.mark.parametrize(("rule", "case"), sorted(WITH_BASE))
def test_rule_case_with_base(rule: str, case: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    report = review(repo, run_archbot, f"rules-retrieval/{rule}/{case}")

    assert sorted(
        (f["file"], f["line"], f["severity"]) for f in places(report) if f["rule"] == rule
    ) == sorted(WITH_BASE[(rule, case)])


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_fixture(rule: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    stage_tree(repo, RULE_FIXTURES / rule)

    result = run_archbot(
        "review", "--format", "json", "--fail-on", "never", "--persona", "ml-architecture-expert"
    )

    assert (result.code, result.err) == (0, "")
    assert findings_for(rule, result.out) == sorted(EXPECTED[rule])


# A churn model's split, seeded with a keyword sklearn does not take (line 9), and one seeded right.
MISNAMED_SEED = (
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split\n"
    "\n"
    "SEED = 7\n"
    "\n"
    "\n"
    "def fit_churn(features, labels):\n"
    "    model = LogisticRegression(random_state=SEED)\n"
    "    x_train, x_test, y_train, y_test = train_test_split(features, labels, test_size=0.2, seed=SEED)\n"
    "    kept = train_test_split(features, labels, test_size=0.2, random_state=SEED)\n"
    "    return model.fit(x_train, y_train), x_test, y_test, kept\n"
)


def test_a_split_given_a_seed_keyword_sklearn_does_not_take(repo: GitRepo, run_archbot: RunArchbot) -> None:
    """`seed=` is no keyword of sklearn's splitters: the split is unseeded, and the call raises
    TypeError; the finding says both."""
    repo.stage("churn/model.py", MISNAMED_SEED)

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    (finding,) = [f for f in json.loads(result.out)["findings"] if f["rule"] == "training-no-seed"]
    assert (finding["file"], finding["line"], finding["severity"]) == ("churn/model.py", 9, "low")
    assert finding["rationale"].startswith(
        "sklearn `train_test_split` without `random_state` (it takes no `seed=`: the call raises TypeError)."
    )
