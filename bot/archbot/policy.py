"""The role policy: which rules speak in which kind of code (roles.py), and how loudly.

One table, one entry per rule. An entry names
- its row: what each role does with the rule's findings — `report` them at the rule's severity,
  `lower` them one step, `fold` them into the file's one low hygiene line, or `drop` them;
- its topic: on one line, one finding per topic is reported (the most severe), so two rules never
  say the same thing about the same line;
- its scope: `any` for a rule whose match is ML/LLM-specific by itself (a provider key, a
  `trust_remote_code` flag): it speaks in every file; `ml` for a rule whose shape is general code
  (an HTTP call, a sleep in async code, a Kubernetes probe): it speaks only in files whose own code
  is ML/LLM-related (routing.ml_related), so a change with no ML/LLM code stays silent; `change`
  for a rule whose shape is general code but whose findings are the ML/LLM code's own when they
  sit beside it (a pickle load in the utility module that saves and loads a model): it speaks in
  every file of a change that holds ML/LLM-related code, so such a change is still silent;
- for `any` rules, `needs`: words one of which (in ASCII lower case) occurs in every file the rule
  can report on, or `keys`: a provider key shape (KEY_START) may stand in for them; the pre-commit
  screen and the rule runner rely on both to skip rules soundly;
- `variants`: a rule whose matches differ in where they matter gives a variant its own row (a Hub
  id the code names itself, beside a caller's revision dropped); its hit names the variant;
- `opt_in` for a rule that checks a team's policy rather than a defect (which snapshot to pin,
  where a model id lives, whether every call caps its output): it is off unless the config lists it
  in `rules.enable`, as linters ship their opinionated rules; `opt_in_variants` for the variants of
  a rule that is on whose findings are such a policy (a Hub id the code names, loaded unpinned):
  the config's `rules.enable` listing the rule turns them on too.

Adding a rule: add its entry here; tests/test_policy.py fails for a registered rule without one.
The pre-commit screen (screen.py) reads `needs` without the review pipeline: this module imports
nothing at run time (no dataclasses, no typing, not models.py).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the screen reads this module)

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from typing import Literal

    from archbot.models import Role, Severity

    Treatment = Literal["report", "lower", "fold", "drop"]
    Scope = Literal["any", "ml", "change"]

# models.ROLE_NAMES and models.HYGIENE_RULE, repeated so that the screen need not import models
# (tests/test_policy.py holds them equal).
ROLE_NAMES: tuple[Role, ...] = (
    "service",
    "library",
    "infra",
    "test",
    "example",
    "script",
    "docs",
    "generated",
    "vendored",
)
HYGIENE_RULE = "hygiene"


class Row:
    """What each role does with the findings of the rules in this row."""

    __slots__ = ("name", "treatments")

    def __init__(self, name: str, treatments: Mapping[Role, Treatment]) -> None:
        self.name = name
        self.treatments = treatments

    def treatment(self, role: Role) -> Treatment:
        return self.treatments[role]


def _row(name: str, default: Treatment, **treatments: Treatment) -> Row:
    return Row(name, {role: treatments.get(role, default) for role in ROLE_NAMES})


# The common shape: shipped code reports, examples and scripts fold, tests and docs drop.
_SHIPPED: dict[str, Treatment] = {
    "service": "report",
    "library": "report",
    "infra": "report",
    "example": "fold",
    "script": "fold",
}
# Hardening (timeouts, retries, output caps, bounded fan-out, errors surfaced, aliases, pins,
# deployment, the trust given to what it loads): an example shows an API's shape and a script is
# run by its author on what the author chose, with nobody else waiting on it; both leave these to
# whoever runs them, so nothing is said there (a team that wants them reviewed maps those paths to
# `library` or `service` in config `roles`).
_HARDENING: dict[str, Treatment] = {**_SHIPPED, "example": "drop", "script": "drop"}


# Secrets committed anywhere are exposed to every reader of the repository.
SECRET = _row("committed secret", "report")
# A random literal under a credential name for no hosted service (a signing key, a shared secret, a
# password): the system's own secret where the code ships; in a test, the secret the test hands the
# code it tests (a known-answer vector's shared secret, a fixture's password), which opens nothing.
OWN_SECRET = _row("a literal secret of no hosted service", "report", test="drop")
# Code execution from model output or untrusted input: a test or an example runs it too.
EXECUTION = _row("code execution", "report", docs="drop", generated="drop", vendored="drop")
# A bare `eval`/`exec` whose input is traced neither to model output nor to a request, in a module
# that imports an LLM SDK: a guess, said low in the code that ships; a test, an example or a script
# most likely evaluates its own data there (a CSV column, a fixture), and nobody else's input.
UNTRACED_EXECUTION = _row("code execution, input untraced", "drop", **_HARDENING)
# Security of the code that ships: not in tests, examples or scripts, which name the model or file
# they load for whoever runs them to choose (a model that ships its own code needs the flag).
SECURITY = _row("security", "drop", **_HARDENING)
# Remote code of a model the code names by its Hub id: an application ships that model and pins
# what it runs; a library names a default dependency whose code it must run to use it (read on
# public libraries: an embedder, a tokenizer, a simulation environment, each trusted on purpose
# and never changed), and pinning it is its maintainers' choice, as for NAMED_HUB_REVISION. A
# model or path a caller or configuration chooses, trusted by the library, is still SECURITY's.
NAMED_REMOTE_CODE = _row("remote code of a named model", "drop", **{**_HARDENING, "library": "drop"})
# A pickle the code shows coming from no outside source: a file a module writes and reads back
# under one name (or bytes a class pickles into a key-value store and reads back under one key),
# or a path (bytes) a caller or a setting passes on — no download, no request, outside a route
# handler. In an application or a script it is the operator's own artifact (its cache, its model,
# its index), and calling it untrusted would be a guess; a library persists where its caller says
# and loads whatever its callers point it at (a saved program, a vector store's metadata, a
# classifier moved between machines: LangChain's FAISS.load_local asks for an opt-in).
OWN_ARTIFACT = _row("an artifact of no outside source", "drop", library="report")
# The same in a package whose code reaches nobody else (no README or installation page installing
# it, no upload workflow, no image pushed: repo/packaging.py): nobody else points it at a file, so
# its callers are the repository's own code.
IN_HOUSE_ARTIFACT = _row("an artifact of no outside source, in a package no one else installs", "drop")
# Wrong results whatever the deployment: a model left in training mode, embeddings of two models.
CORRECTNESS = _row("correctness", "drop", **_SHIPPED)
# Failure handling a copy needs in production and an example or a script leaves out: bounded
# concurrency and retries, errors surfaced, model output validated.
ROBUSTNESS = _row("robustness", "drop", **_HARDENING)
# Blocking the event loop stalls the other coroutines it serves: an example's or a script's
# `async def main` serves nobody else.
EVENT_LOOP = _row("event loop", "drop", **_HARDENING)
# Defects of a training or evaluation loop: they corrupt results wherever the loop runs, and a
# training script is where it runs.
TRAINING = _row("training loop", "drop", **{**_SHIPPED, "script": "report"})
# Production hardening whose weight depends on where the code runs: a missing timeout is high in a
# service and one step lower in a library (its caller may bound it).
RELIABILITY = _row("reliability", "drop", **{**_HARDENING, "library": "lower"})
# Retries of a client that is called in bulk: a library's client serves batches, evaluations and
# agents' loops, where one transient error loses the work around it (read on real fixes: an
# invocation layer posting to a provider once, an evaluation metric's scorer, a model server
# client's session); a service's call answering one request fails that request and its user asks
# again (read on recent commits of public applications: no such call was changed to retry). A call
# inside a loop over data is bulk wherever it is (the rule's `batch` variant, RELIABILITY's row).
BULK_RETRY = _row("retries of a client called in bulk", "drop", library="lower")
# A component that keeps a client with its SDK's long default timeout (600 s) in a project that
# bounds none of that provider's clients: in an application it is a service object its request
# paths wait on; a library leaves the SDK's bound to its callers (read on recent commits of public
# libraries, none ever set one: vanna, guidance, smolagents, lighteval, crewAI).
COMPONENT_DEFAULT = _row("component default timeout", "drop", **{**_HARDENING, "library": "drop"})
# Application behaviour a library rightly leaves to its caller: handling a provider's errors (how
# long to wait out its rate limits and outages among them), capping the output (the caller passes
# its own options).
APPLICATION = _row("application", "drop", **{**_HARDENING, "library": "drop"})
# Reproducibility: seeds. A script runs for real (an eval runner without its seed skews the results
# it reports), so it keeps a hygiene line; an example leaves its seed to its reader.
HYGIENE = _row("hygiene", "drop", **{**_SHIPPED, "example": "drop"})
# The model a call uses (a floating alias, an id hard-coded at the call): an application pins the
# snapshot it evaluated and configures its model, while a library's model id is a default its
# callers override (a dated snapshot there retires under every user of the library); the model
# an example or a script calls is whoever runs it's to choose.
MODEL_CHOICE = _row("model choice", "drop", **{**_HARDENING, "library": "drop"})
# A Hub revision: shipped code pins what it loads; an example or a script loads a model's current
# weights for whoever runs it, who chooses their own pin.
HUB_REVISION = _row("hub revision", "drop", **_HARDENING)
# A Hub id the code names itself, loaded without a pin: in an application it is the model it ships;
# in a library it is a default (a tokenizer, a scorer's model, a benchmark's dataset) its callers
# override and its maintainers choose whether to pin, as with a model id (MODEL_CHOICE). A revision
# the library has at hand and does not pass on stays HUB_REVISION: its caller's pin is lost.
# Whether to pin the models an application names is a team's policy, as for a model alias: the
# variant is opt-in (read on recent commits of public ML repositories, no such load was ever pinned
# afterwards: research code, plugins, a tokenizer fetched for a converter).
NAMED_HUB_REVISION = _row("hub revision of a named id", "drop", **{**_HARDENING, "library": "drop"})
# Dependency pins: a published library declares ranges, rightly; an application pins; a script's or
# an example's requirements are its runner's.
DEPENDENCY = _row("dependency pins", "drop", **{**_HARDENING, "library": "drop"})
# Deployment manifests and images: the shipped ones (a benchmark's or an example's image is its
# runner's).
DEPLOYMENT = _row("deployment", "drop", **_HARDENING)
# The persona review's own findings (rule = persona name): not in tests, docs or generated code;
# one step lower in examples and scripts (never folded: the hygiene line is the rules').
PERSONA = _row("persona review", "drop", **{**_SHIPPED, "example": "lower", "script": "lower"})


class RulePolicy:
    """One rule's entry: its row, its topic, its scope, (for `any` rules) the words it needs,
    whether it (or which of its variants) is off unless the config enables it, and the rows of its
    variants."""

    __slots__ = ("keys", "needs", "opt_in", "opt_in_variants", "row", "scope", "topic", "variants")

    def __init__(
        self,
        row: Row,
        topic: str,
        scope: Scope = "ml",
        needs: tuple[str, ...] = (),
        keys: bool = False,
        opt_in: bool = False,
        variants: Mapping[str, Row] | None = None,
        opt_in_variants: Collection[str] = (),
    ) -> None:
        self.row = row
        self.topic = topic
        self.scope = scope
        self.needs = needs
        self.keys = keys
        self.opt_in = opt_in
        self.variants = variants or {}
        self.opt_in_variants = frozenset(opt_in_variants)

    def treatment(self, role: Role, variant: str = "") -> Treatment:
        """What `role` does with a finding of `variant` ('' for the rule's own row)."""
        return self.variants.get(variant, self.row).treatment(role)

    def silent_in(self, role: Role) -> bool:
        """Whether no finding of the rule, of any variant, is reported in `role`."""
        return all(row.treatment(role) == "drop" for row in (self.row, *self.variants.values()))


# A provider key starts with one of these (secrets.PROVIDER_KEYS; screen.PROVIDER_KEY_START).
# Where every secret shape detected anywhere starts (secrets.SHAPES, tested shape by shape).
KEY_START = (
    r"\b(?:sk-|hf_|AIza|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|GOCSPX-|xox[abposr]-|glpat-|[sr]k_live_"
    r"|gsk_|r8_|pcsk_|lsv2_|SG\.|npm_|pypi-|dapi)|hooks\.slack\.com|(?i:aws_?secret)"
)

POLICY: dict[str, RulePolicy] = {
    # A key shape, or a literal under a credential name (secrets.CREDENTIAL_WORDS, repeated here).
    "hardcoded-llm-api-key": RulePolicy(
        SECRET,
        "secret",
        "any",
        ("api_key", "apikey", "api-key", "token", "secret", "passw", "credential"),
        keys=True,
        variants={"own": OWN_SECRET},
    ),
    "k8s-secret-literal-env": RulePolicy(SECURITY, "secret"),
    "llm-output-exec": RulePolicy(EXECUTION, "execution", variants={"untraced": UNTRACED_EXECUTION}),
    "trust-remote-code": RulePolicy(
        SECURITY,
        "remote-code",
        "any",
        # Loader names (loaders.REMOTE_CODE_LOADER_WORDS, repeated: this module imports nothing):
        # options read from configuration and splatted into a loader (supply_chain.py).
        (
            "trust_remote_code",
            "trust-remote-code",
            "trustremotecode",
            "from_pretrained",
            "pipeline",
            "sentencetransformer",
            "crossencoder",
            "load_dataset",
            "vllm",
        ),
        variants={"named": NAMED_REMOTE_CODE},
    ),
    "unsafe-model-deserialization": RulePolicy(
        SECURITY,
        "deserialization",
        "change",
        variants={"own-file": OWN_ARTIFACT, "run-time": OWN_ARTIFACT, "in-house": IN_HOUSE_ARTIFACT},
    ),
    "user-input-in-system-prompt": RulePolicy(SECURITY, "prompt-injection"),
    "blocking-call-in-async": RulePolicy(EVENT_LOOP, "blocking"),
    "blocking-sleep-in-async": RulePolicy(EVENT_LOOP, "blocking"),
    "sync-llm-client-in-async": RulePolicy(EVENT_LOOP, "blocking"),
    "llm-unbounded-gather": RulePolicy(ROBUSTNESS, "gather"),
    "retry-unbounded": RulePolicy(ROBUSTNESS, "retry", variants={"transient": APPLICATION}),
    "llm-error-swallowed": RulePolicy(ROBUSTNESS, "swallowed-error"),
    "llm-output-json-unvalidated": RulePolicy(ROBUSTNESS, "output-validation"),
    "inference-without-eval-mode": RulePolicy(CORRECTNESS, "eval-mode"),
    "embedding-model-mismatch": RulePolicy(CORRECTNESS, "embedding-model"),
    "training-no-zero-grad": RulePolicy(TRAINING, "gradients"),
    "loss-accumulated-with-graph": RulePolicy(TRAINING, "autograd-graph"),
    "validation-without-eval-mode": RulePolicy(TRAINING, "eval-mode"),
    "llm-timeout-disabled": RulePolicy(RELIABILITY, "timeout"),
    "llm-client-no-timeout": RulePolicy(RELIABILITY, "timeout", variants={"component": COMPONENT_DEFAULT}),
    "http-call-no-timeout": RulePolicy(RELIABILITY, "timeout"),
    "llm-client-no-retry": RulePolicy(BULK_RETRY, "retry", variants={"batch": RELIABILITY}),
    "llm-retries-disabled": RulePolicy(RELIABILITY, "retry"),
    "retry-no-backoff": RulePolicy(RELIABILITY, "retry"),
    # Team policies, off unless enabled (module docstring): read on recent commits of public
    # applications, a missing cap, a floating alias and a model id at its call were each a
    # deliberate choice every time (the model's own limit, the provider's current snapshot).
    "llm-no-max-tokens": RulePolicy(APPLICATION, "max-tokens", opt_in=True),
    "llm-cache-no-ttl": RulePolicy(RELIABILITY, "cache"),
    # Whether generation calls are batched or run concurrently is a team's throughput policy: read
    # on recent commits of public ML/LLM repositories over many rounds, a per-item generation loop
    # (an evaluation's samples, a captioning tool's videos, a few job notes rephrased) was never
    # worth a comment, and none was changed to batch. Embeddings stay on (embedding-call-per-item).
    "llm-call-in-loop": RulePolicy(RELIABILITY, "per-item", opt_in=True),
    "embedding-call-per-item": RulePolicy(RELIABILITY, "per-item"),
    "llm-prompt-logged": RulePolicy(RELIABILITY, "prompt-logging"),
    "llm-call-no-error-handling": RulePolicy(APPLICATION, "errors"),
    # Whether every training run seeds its RNGs is a team's policy, as for a model alias: read on
    # recent commits of public ML repositories, a training entry point without a seed was never
    # changed to seed (research scripts run once per result, trainers seeded by a framework's
    # config). What draws a result that is kept (a new head, an adapter initialised from a
    # randomized SVD) and a split without its seed stay on.
    "training-no-seed": RulePolicy(
        HYGIENE, "seed", variants={"entry-point": HYGIENE}, opt_in_variants=("entry-point",)
    ),
    "eval-no-seed": RulePolicy(HYGIENE, "seed"),
    "seed-not-passed": RulePolicy(HYGIENE, "seed"),
    "shuffle-without-seed": RulePolicy(HYGIENE, "seed"),
    "llm-model-alias-unpinned": RulePolicy(MODEL_CHOICE, "model-id", opt_in=True),
    "llm-model-hardcoded": RulePolicy(MODEL_CHOICE, "model-id", opt_in=True),
    "hf-unpinned-revision": RulePolicy(
        HUB_REVISION, "hub-revision", variants={"named": NAMED_HUB_REVISION}, opt_in_variants=("named",)
    ),
    # A team policy too: read on recent commits of public ML repositories, a range or an
    # unversioned ML package in an application's requirements or image was the maintainers'
    # choice every time (a floor they had tested, a lock or CI kept elsewhere, a base image's own
    # torch); none was changed.
    "unpinned-ml-dependency": RulePolicy(DEPENDENCY, "dependency-pin", opt_in=True),
    "dockerfile-base-image-unpinned": RulePolicy(DEPLOYMENT, "image-pin"),
    "k8s-image-unpinned": RulePolicy(DEPLOYMENT, "image-pin"),
    "k8s-gpu-resources-invalid": RulePolicy(DEPLOYMENT, "gpu"),
    "k8s-serving-no-resources": RulePolicy(DEPLOYMENT, "resources"),
    "k8s-serving-no-readiness-probe": RulePolicy(DEPLOYMENT, "readiness"),
    "k8s-serving-no-liveness-or-startup-probe": RulePolicy(DEPLOYMENT, "liveness"),
    "k8s-probes-identical": RulePolicy(DEPLOYMENT, "identical-probes"),
    "k8s-serving-single-replica-no-hpa": RulePolicy(DEPLOYMENT, "replicas"),
}
# Findings of the policy's own making, and the persona review's (rule = persona name).
_META_POLICY = RulePolicy(PERSONA, "meta")
ORDER = {rule: index for index, rule in enumerate(POLICY)}


def policy(rule: str) -> RulePolicy:
    return POLICY.get(rule, _META_POLICY)


def enabled(rule: str, enable: Collection[str], variant: str = "") -> bool:
    """Whether `rule`'s findings of `variant` report at all: every rule's but those of an opt-in
    rule or variant whose rule `enable` (the config's `rules.enable`) does not list ("*" lists them
    all)."""
    entry = policy(rule)
    opted = entry.opt_in or variant in entry.opt_in_variants
    return not opted or rule in enable or "*" in enable


def any_scope_words() -> frozenset[str]:
    """Every word an `any` rule needs (one of its words must occur for it to report)."""
    return frozenset(word for entry in POLICY.values() if entry.scope == "any" for word in entry.needs)


def may_fire(rule: str, text: str, lowered: str) -> bool:
    """False only when `rule` (an `any` rule) surely cannot report on a file of this text
    (`lowered`: the text in lower case)."""
    entry = policy(rule)
    if entry.scope != "any" or any(word in lowered for word in entry.needs):
        return True
    if not entry.keys:
        return False
    import re  # only for a file none of whose words settled it

    return re.search(KEY_START, text) is not None


def severity_for(treatment: Treatment, severity: Severity) -> Severity:
    if treatment == "lower":
        return type(severity)(max(1, severity - 1))
    return severity


_TREATMENT_TEXT = {
    "report": "reported",
    "lower": "one severity lower",
    "fold": f"folded into the file's one low `{HYGIENE_RULE}` line",
    "drop": "not reported",
}


def _where(row: Row) -> list[str]:
    by_treatment: dict[Treatment, list[str]] = {}
    for role in ROLE_NAMES:
        by_treatment.setdefault(row.treatment(role), []).append(role)
    return [
        f"    {', '.join(by_treatment[treatment])}: {_TREATMENT_TEXT[treatment]}"
        for treatment in ("report", "lower", "fold", "drop")
        if treatment in by_treatment
    ]


def describe(rule: str) -> str:
    """The policy of one rule, for `archbot rules ID` ('' for a rule the table does not hold: the
    filter's own findings)."""
    entry = POLICY.get(rule)
    if entry is None:
        return ""
    lines = [f"Where it speaks (role policy, row '{entry.row.name}'):"]
    if entry.opt_in:
        lines.insert(
            0, f"Off by default (a team's policy, not a defect): rules: {{enable: [{rule}]}} turns it on."
        )
    lines += _where(entry.row)
    if entry.scope == "ml":
        lines.append("    only in files whose own code is ML/LLM-related")
    elif entry.scope == "change":
        lines.append("    in every file of a change that holds ML/LLM-related code")
    else:
        lines.append("    in every file, ML/LLM-related or not")
    for variant, row in entry.variants.items():
        lines.append(f"Its '{variant}' findings (row '{row.name}'):")
        if variant in entry.opt_in_variants:
            lines.append(f"    off by default (a team's policy): rules: {{enable: [{rule}]}} turns them on")
        lines += _where(row)
    return "\n".join(lines)
