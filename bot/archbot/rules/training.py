"""Training and inference hygiene: reproducible runs, models put in eval mode for serving."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.governance import is_test_module
from archbot.rules.pyast import (
    Names,
    Tree,
    argument,
    attribute_chain,
    call_receiver,
    is_false,
    is_none,
    is_route_handler,
    is_serving_module,
    is_true,
    kwarg,
    literal_text,
    llm_call,
)
from archbot.rules.source import PythonFile
from archbot.rules.timeouts import LLM_ENDPOINT

RULES = Family()

_SEEDERS = frozenset(
    [
        "torch.manual_seed",
        "torch.cuda.manual_seed",
        "torch.cuda.manual_seed_all",
        "random.seed",
        "numpy.random.seed",
        "tensorflow.random.set_seed",
        "tensorflow.keras.utils.set_random_seed",
        "keras.utils.set_random_seed",
        "transformers.set_seed",
        "transformers.enable_full_determinism",
        "transformers.trainer_utils.set_seed",
        "pytorch_lightning.seed_everything",
        "lightning.seed_everything",
        "lightning.pytorch.seed_everything",
        "lightning_fabric.seed_everything",
        "accelerate.utils.set_seed",
    ]
)
# Hugging Face trainers seed every RNG in __init__ from `args.seed` (default 42).
_SEEDING_TRAINERS = re.compile(r"^(transformers|trl)\.(\w+\.)*\w*Trainer$")
# A torch.Generator's own `generator.manual_seed(s)` seeds only that generator, not the run.
_LOCAL_SEED_TEXT = re.compile(
    r"(?<!generator\.)(?<!\bgen\.)(?<!\brng\.)\b(manual_seed|seed_everything|set_seed|set_random_seed|"
    r"enable_full_determinism|random\.seed)\s*\(|\bdefault_rng\(\s*[^)\s]"
)
# Loading these adds a task head that the checkpoint does not have, initialised from the global RNG.
_NEW_HEAD = re.compile(
    r"For(SequenceClassification|TokenClassification|QuestionAnswering|MultipleChoice|"
    r"ImageClassification|AudioClassification)$|WithValueHead$"
)
_SKLEARN_RANDOM = re.compile(
    r"^sklearn\.[\w.]*\.(train_test_split|KFold|StratifiedKFold|RepeatedKFold|ShuffleSplit|"
    r"StratifiedShuffleSplit|RandomForest\w+|RandomizedSearchCV|HalvingRandomSearchCV|"
    r"HalvingGridSearchCV)$"
)


def _explicit_seeding(names: Names, call: ast.Call) -> bool:
    """A call that seeds global RNGs: `torch.manual_seed`, `set_seed`, or a project's own helper
    (`utils.seed_everything(cfg.seed)`, `fix_seeds()`), which is trusted."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return names.call_name(call) in _SEEDERS or "seed" in called.lower()


def _seeding_call(names: Names, call: ast.Call) -> bool:
    """An explicit seeding call, or one that seeds as a side effect (HF trainers and their
    arguments) or for itself (`random_state=`)."""
    if _explicit_seeding(names, call):
        return True
    name = names.call_name(call) or ""
    if _SEEDING_TRAINERS.match(name):
        return True
    if name == "numpy.random.default_rng":
        return bool(call.args or call.keywords)
    if name.endswith("TrainingArguments") or (name.startswith("trl.") and name.endswith("Config")):
        return True
    seed = kwarg(call, "random_state", "seed")
    return seed is not None and not is_none(seed.value)


def _local_modules(src: PythonFile) -> Iterator[str]:
    """Repository paths of modules this file imports from the project itself."""
    here = PurePosixPath(src.path).parent
    for node in src.nodes.walked:
        modules: list[tuple[str, int]] = []
        if isinstance(node, ast.Import):
            modules = [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            package = node.module or ""
            modules = [(package, node.level)]
            modules += [(f"{package}.{a.name}" if package else a.name, node.level) for a in node.names]
        for module, level in modules:
            root = here
            for _ in range(max(level - 1, 0)):
                root = root.parent
            relative = module.replace(".", "/")
            bases = [root] if level else [PurePosixPath(""), PurePosixPath("src"), here]
            for base in bases:
                for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
                    path = str(base / candidate)
                    if path in src.repo.files:
                        yield path


def _seeded_in_local_modules(src: PythonFile) -> bool:
    return any(
        (text := src.repo.text(path)) is not None and _LOCAL_SEED_TEXT.search(text) is not None
        for path in _local_modules(src)
    )


def _seeded(src: PythonFile) -> bool:
    return any(_seeding_call(src.names, call) for call in src.nodes.calls) or _seeded_in_local_modules(src)


def _seeds_globally(src: PythonFile) -> bool:
    """A global RNG is seeded here or in an imported local module (a seeded call such as
    `dataset.shuffle(seed=1)` seeds nothing else)."""
    return any(_explicit_seeding(src.names, call) for call in src.nodes.calls) or _seeded_in_local_modules(
        src
    )


def _training_call(names: Names, call: ast.Call) -> bool:
    """`.fit(`, `Trainer(`, `.train(`, `loss.backward()`, `optimizer.step()`."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in ("fit", "train", "backward"):
            return True
        if func.attr == "step":
            receiver, _ = call_receiver(call)
            built = names.constructor(receiver)
            if built is not None and built[0].startswith("torch.optim."):
                return True
            label = names.key(receiver) or ""
            return "optim" in label.lower()
    name = names.call_name(call) or (func.id if isinstance(func, ast.Name) else "")
    return name.rsplit(".", 1)[-1].endswith("Trainer")


def _entry_point(module: ast.Module) -> bool:
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main":
            return True
        if isinstance(node, ast.If):
            test = node.test
            if (
                isinstance(test, ast.Compare)
                and isinstance(test.left, ast.Name)
                and test.left.id == "__name__"
            ):
                return True
    return False


def _training_function(tree: Tree, module: ast.Module, call: ast.Call) -> bool:
    """The call sits in a module-level function named for training (`train`, `train_model`...)."""
    function = tree.function(call)
    return function is not None and function in module.body and "train" in function.name.lower()


def _new_head(names: Names, call: ast.Call) -> str | None:
    """The class of a `from_pretrained` that adds a randomly initialised task head, else None."""
    name = names.call_name(call) or ""
    parts = name.split(".")
    if len(parts) < 3 or parts[0] not in ("transformers", "trl") or parts[-1] != "from_pretrained":
        return None
    head = _NEW_HEAD.search(parts[-2])
    if head is None:
        return None
    # A classifier checkpoint (a reranker, a sentiment model) brings its head; `num_labels=` asks
    # for a new one. A value head is always new.
    return parts[-2] if head.group(0) == "WithValueHead" or kwarg(call, "num_labels") else None


def _unseeded_sklearn(names: Names, call: ast.Call) -> str | None:
    name = names.call_name(call) or ""
    match = _SKLEARN_RANDOM.match(name)
    if match is None or kwarg(call, "random_state") is not None or any(k.arg is None for k in call.keywords):
        return None
    what = match.group(1)
    if what == "train_test_split":
        shuffle = kwarg(call, "shuffle")
        if shuffle is not None and is_false(shuffle.value):
            return None
    elif what.endswith("KFold") and not what.startswith("Repeated"):
        shuffle = kwarg(call, "shuffle")
        if shuffle is None or not is_true(shuffle.value):
            return None
    return what


@RULES.rule(
    "training-no-seed",
    title="Training entry point without RNG seeding",
    severity=Severity.LOW,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def training_no_seed(src: PythonFile) -> Iterator[Hit]:
    """Outside pytest modules: a training script (`if __name__ == "__main__"` / `def main`) or a
    module-level training function that calls `.fit(`, `Trainer(`, `.train(`, `loss.backward()`
    or `optimizer.step()`, in a module that seeds no RNG — here or in the local modules it
    imports: `torch.manual_seed`, `random.seed`, `np.random.seed`, `default_rng(seed)`,
    `tf.random.set_seed`, `set_seed`, `seed_everything`, `TrainingArguments` (Hugging Face
    trainers seed from `args.seed`).
    Also: sklearn `train_test_split`, `KFold(shuffle=True)`, `RandomForest*` and randomized
    searches without `random_state` (unless the module calls `np.random.seed`); and a model with a
    new task head (`AutoModelFor*Classification.from_pretrained(..., num_labels=)`, `...WithValueHead`) in a
    module that never seeds explicitly — `TrainingArguments(seed=)` is applied by the Trainer's
    `__init__`, after the head was already drawn.

    Why:
        Unseeded runs differ in initialisation, data order, dropout and splits: a metric change
        cannot be told apart from noise, and a regression cannot be reproduced or bisected.
    Fix:
        Seed every RNG once at the start of the entry point (`transformers.set_seed(seed)`,
        `lightning.seed_everything(seed)`, or `random.seed`/`np.random.seed`/`torch.manual_seed`)
        before any model is built (or give the Trainer `model_init=`), and pass `random_state=`
        to sklearn splitters and estimators.
    Bad:
        if __name__ == "__main__":
            model = Net()
            for x, y in loader:
                loss = criterion(model(x), y)
                loss.backward()
    Good:
        if __name__ == "__main__":
            torch.manual_seed(args.seed)
            model = Net()
    """
    if is_test_module(src.path):
        return
    names, tree, module = src.names, src.nodes, src.tree
    changed_calls = src.changed_calls()
    numpy_seeded = any(names.call_name(c) == "numpy.random.seed" for c in tree.calls)
    if not numpy_seeded:
        for call in changed_calls:
            what = _unseeded_sklearn(names, call)
            line = src.changed_line(call)
            if what is not None and line is not None:
                yield Hit(line, f"sklearn `{what}` without `random_state`.")
    heads = [(call, head) for call in changed_calls if (head := _new_head(names, call)) is not None]
    if heads and not _seeds_globally(src):
        for call, head in heads:
            line = src.changed_line(call)
            if line is not None:
                yield Hit(
                    line,
                    f"`{head}.from_pretrained` initialises a new head from an unseeded RNG; a Trainer "
                    "seeds only in its `__init__`, after the model exists.",
                )
    entry = _entry_point(module)
    training = [
        call
        for call in changed_calls
        if _training_call(names, call) and (entry or _training_function(tree, module, call))
    ]
    if not training or _seeded(src):
        return
    first = min(training, key=lambda c: (c.lineno, c.col_offset))
    line = src.changed_line(first)
    if line is not None:
        yield Hit(line, "training runs with no RNG seed set anywhere in the module.")


# Evaluation code by path: `evals/`, `eval_frames.py`, `benchmarks/`, `llm_judge.py` (not "retrieval").
_EVAL_PATH = re.compile(r"(^|[/_.-])(evals?|evaluation|evaluate|benchmarks?|judge)([/_.-]|$)")
_UNSEEDED_SAMPLERS = frozenset(
    [
        "random.shuffle",
        "random.sample",
        "random.choice",
        "random.choices",
        "numpy.random.shuffle",
        "numpy.random.permutation",
        "numpy.random.choice",
    ]
)
_SEEDED_GENERATORS = frozenset(["random.Random", "numpy.random.default_rng", "numpy.random.RandomState"])
_SEED_KWARGS = ("seed", "generator", "random_state", "rng")
# Where a raw request's sampling settings live: Gemini, Ollama, TGI.
_PAYLOAD_CONFIG_KEYS = frozenset(["generationConfig", "generation_config", "options", "parameters"])


def _unseeded_sampling(src: PythonFile, call: ast.Call) -> str | None:
    """`random.shuffle(x)`, `np.random.permutation(n)`, `dataset.shuffle()` with no seed."""
    name = src.names.call_name(call)
    if name in _UNSEEDED_SAMPLERS:
        return f"`{name}`"
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "shuffle" or name is not None:
        return None
    if kwarg(call, *_SEED_KWARGS) is not None or any(k.arg is None for k in call.keywords):
        return None
    built = src.names.constructor(func.value)
    if built is not None and built[0] in _SEEDED_GENERATORS:
        return None
    return "`.shuffle()`"


def _has_sampling_setting(node: ast.AST | None) -> bool:
    """A `seed` or `temperature` key or keyword anywhere in a request payload or config."""
    if node is None:
        return False
    for child in ast.walk(node):
        if isinstance(child, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value in ("seed", "temperature") for k in child.keys
        ):
            return True
        if isinstance(child, ast.keyword) and child.arg in ("seed", "temperature"):
            return True
    return False


def _resolved(names: Names, node: ast.AST | None) -> ast.AST | None:
    """A name's assigned value (one hop), so `json=payload` and `URL` constants can be read."""
    if isinstance(node, ast.Name) and node.id in names.bindings:
        return names.bindings[node.id]
    return node


def _unseeded_generation(src: PythonFile, call: ast.Call) -> ast.AST | None:
    """An LLM generation request with neither `seed` nor `temperature`: the node to report (the
    payload's generation config when it has one, where the setting belongs), else None."""
    names = src.names
    if any(k.arg is None for k in call.keywords):
        return None
    site = llm_call(names, call)
    if site is not None:
        if site.embedding or _has_sampling_setting(call):
            return None
        config = kwarg(call, "config", "generation_config")
        return config.value if config is not None else call
    name = names.call_name(call) or ""
    if not (name.startswith(("requests.", "httpx.")) and name.rsplit(".", 1)[-1] in ("post", "request")):
        return None
    url = _resolved(names, argument(call, 1 if name.endswith(".request") else 0, "url"))
    payload = _resolved(names, getattr(kwarg(call, "json"), "value", None))
    if not LLM_ENDPOINT.search(literal_text(url)) or not isinstance(payload, ast.Dict):
        return None
    if _has_sampling_setting(payload):
        return None
    for key, value in zip(payload.keys, payload.values, strict=True):
        if isinstance(key, ast.Constant) and key.value in _PAYLOAD_CONFIG_KEYS:
            return value
    return call


@RULES.rule(
    "eval-no-seed",
    title="Evaluation sampling or judging without a seed",
    severity=Severity.LOW,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def eval_no_seed(src: PythonFile) -> Iterator[Hit]:
    """In evaluation code (a path with `eval`, `evals`, `evaluation`, `benchmark` or `judge` as a
    word): examples or answer choices sampled or shuffled with no seed (`random.shuffle`,
    `random.sample`, `np.random.permutation`, `dataset.shuffle()`) in a module that seeds no RNG;
    or an LLM generation request — SDK call or raw POST to an LLM endpoint — that sets neither
    `seed` nor `temperature`.

    Why:
        An evaluation exists to compare runs. When each run draws different questions, orders the
        answer choices differently or lets the judge sample freely, score differences between two
        models or two prompts are indistinguishable from noise.
    Fix:
        Use a fixed seed for sampling (`random.Random(SEED).shuffle(x)`,
        `dataset.shuffle(seed=SEED)`) and pin the judge's sampling (`temperature=0`, and `seed=`
        where the API has one).
    Bad:
        random.shuffle(choices)
        verdict = client.chat.completions.create(model=JUDGE, messages=judge_prompt)
    Good:
        random.Random(SEED).shuffle(choices)
        verdict = client.chat.completions.create(model=JUDGE, messages=judge_prompt, temperature=0, seed=SEED)
    """
    if not _EVAL_PATH.search(src.path.lower()):
        return
    seeded: bool | None = None
    for call in src.changed_calls():
        line = src.changed_line(call)
        sampler = _unseeded_sampling(src, call)
        if sampler is not None and line is not None:
            if seeded is None:
                seeded = _seeds_globally(src)
            if not seeded:
                yield Hit(line, f"{sampler} with no seed: every evaluation run sees different data.")
            continue
        target = _unseeded_generation(src, call)
        target_line = src.changed_line(target) if target is not None else None
        if target_line is not None:
            yield Hit(target_line, "an evaluation LLM request with neither `seed` nor `temperature`.")


_EVAL_TOGGLES = frozenset(["to", "cuda", "cpu", "half", "float", "bfloat16", "requires_grad_"])
_NO_GRAD = frozenset(["torch.no_grad", "torch.inference_mode", "torch.set_grad_enabled"])
_TORCH_MODULES = ("torch.nn.Module", "pytorch_lightning.LightningModule", "lightning.LightningModule")


def _module_classes(names: Names, tree: Tree) -> set[str]:
    """Classes defined in this file that are `nn.Module`s (directly or through a local base)."""
    found: set[str] = set()
    classes = [n for n in tree.scopes if isinstance(n, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls.name in found:
                continue
            for base in cls.bases:
                qualname = names.qualname(base) or ""
                local = base.id if isinstance(base, ast.Name) else ""
                if qualname.startswith(_TORCH_MODULES) or local in found:
                    found.add(cls.name)
                    changed = True
    return found


def _sets_eval(call: ast.Call) -> bool:
    """`m.eval()` or `m.train(False)`."""
    if not isinstance(call.func, ast.Attribute):
        return False
    attr = call.func.attr
    return attr == "eval" or (attr == "train" and bool(call.args) and is_false(call.args[0]))


def _unwrap(node: ast.AST) -> tuple[ast.AST, bool]:
    """`Net().to(device).eval()` -> (`Net()`, True): the object under device moves, and whether
    `.eval()` (or `.train(False)`) was applied on the way."""
    evaluated = False
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        attr = node.func.attr
        if _sets_eval(node):
            evaluated = True
        elif attr not in _EVAL_TOGGLES:
            break
        node = node.func.value
    return node, evaluated


class _Models:
    """`nn.Module` objects this file loads or builds: key -> how it was obtained."""

    def __init__(self, src: PythonFile) -> None:
        names = src.names
        self.names = names
        local_classes = _module_classes(names, src.nodes)
        state_loaded = set()
        self.evaluated: set[str] = set()
        for call in src.nodes.calls:
            func = call.func
            if not isinstance(func, ast.Attribute):
                continue
            key = names.key(func.value)
            if key is None:
                continue
            if func.attr == "load_state_dict":
                state_loaded.add(key)
            elif _sets_eval(call):
                self.evaluated.add(key)
        self.sources: dict[str, str] = {}
        for key, value in names.bindings.items():
            inner, evaluated = _unwrap(value)
            if evaluated:
                self.evaluated.add(key)
            if not isinstance(inner, ast.Call):
                continue
            called = names.call_name(inner) or ""
            local = inner.func.id if isinstance(inner.func, ast.Name) else ""
            if called.endswith("from_pretrained"):
                continue
            if called == "torch.load":
                self.sources[key] = "`torch.load`"
            elif local in local_classes:
                self.sources[key] = f"`{local}()`"
            elif key in state_loaded:
                self.sources[key] = "`load_state_dict`"


def _no_grad(names: Names, tree: Tree, node: ast.AST) -> bool:
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, (ast.With, ast.AsyncWith)):
            for item in ancestor.items:
                context = item.context_expr
                target = context.func if isinstance(context, ast.Call) else context
                if names.qualname(target) in _NO_GRAD:
                    return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in ancestor.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if names.qualname(target) in _NO_GRAD:
                    return True
    return False


def _serving(tree: Tree, node: ast.AST, serving_module: bool) -> bool:
    function = tree.function(node)
    if function is None:
        return False
    if function.name in ("predict", "__call__") or is_route_handler(function):
        return True
    return serving_module


def _inside_module_class(tree: Tree, node: ast.AST, local_classes: set[str]) -> bool:
    """Submodule calls inside another `nn.Module`'s methods are its forward pass, not serving."""
    for ancestor in tree.ancestors(node):
        if isinstance(ancestor, ast.ClassDef):
            return ancestor.name in local_classes
    return False


@RULES.rule(
    "inference-without-eval-mode",
    title="PyTorch model served without eval() or no-grad",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def inference_without_eval_mode(src: PythonFile) -> Iterator[Hit]:
    """In serving code (a route handler, a serving module, a `predict` or `__call__` method) an
    `nn.Module` obtained by `torch.load`, `load_state_dict` or a local model class is called,
    with no `.eval()` on it anywhere in the module and no `torch.no_grad()` /
    `torch.inference_mode()` around the call. Hugging Face `from_pretrained` models are skipped:
    they are already in eval mode.

    Why:
        A new `nn.Module` is in training mode: dropout stays active and batch-norm uses batch
        statistics, so the same input gives different answers, and autograd keeps activations
        for a backward pass that never comes, wasting memory per request.
    Fix:
        Call `model.eval()` once after loading, and run inference under
        `torch.inference_mode()` (or `torch.no_grad()`).
    Bad:
        model = Net()
        model.load_state_dict(torch.load("weights.pt", weights_only=True))

        @app.post("/predict")
        def predict(req: Request):
            return model(to_tensor(req.features)).tolist()
    Good:
        model = Net()
        model.load_state_dict(torch.load("weights.pt", weights_only=True))
        model.eval()

        @app.post("/predict")
        def predict(req: Request):
            with torch.inference_mode():
                return model(to_tensor(req.features)).tolist()
    """
    names, tree = src.names, src.nodes
    if "torch" not in {q.split(".")[0] for q in names.imports.values()}:
        return
    models = _Models(src)
    if not models.sources:
        return
    serving_module = is_serving_module(names)
    local_classes = _module_classes(names, src.nodes)
    for call in src.changed_calls():
        func = call.func
        target = func.value if isinstance(func, ast.Attribute) and func.attr == "forward" else func
        key = names.key(target)
        if key is None or key not in models.sources or key in models.evaluated:
            continue
        line = src.changed_line(call)
        if (
            line is None
            or not _serving(tree, call, serving_module)
            or _inside_module_class(tree, call, local_classes)
            or _no_grad(names, tree, call)
        ):
            continue
        label = attribute_chain(target)[1][-1] if isinstance(target, ast.Attribute) else key
        yield Hit(
            line, f"`{label}` (from {models.sources[key]}) is called in training mode with autograd on."
        )
