"""Training and inference hygiene: reproducible runs, models put in eval mode for serving."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from archbot.models import Severity
from archbot.repo import loaders, sdk
from archbot.repo.endpoints import LLM_ENDPOINT
from archbot.repo.model import Class, Function, Symbol, own_nodes, parameter_default
from archbot.repo.resolve import Names, Tree, binding_key
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    LLMCall,
    argument,
    assigned_values,
    attribute_chain,
    call_receiver,
    called_name,
    has_splat,
    is_false,
    is_main_guard,
    is_none,
    is_route_handler,
    is_script,
    is_serving_module,
    is_test_module,
    is_true,
    kwarg,
    literal_text,
    llm_call,
    loop_of,
    scope_walk,
    string_value,
)
from archbot.rules.source import PythonFile

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
        # Framework setups that seed every RNG from the run's config, as Hugging Face trainers do
        # from `args.seed`: detectron2's `default_setup` from `cfg.SEED` (a logged random seed
        # when it is negative), mmengine's runner from its `randomness=` (likewise when None).
        "detectron2.engine.default_setup",
        "detectron2.engine.defaults.default_setup",
        "mmengine.runner.Runner",
        "mmengine.runner.Runner.from_cfg",
        "mmengine.runner.runner.Runner",
        "mmengine.runner.runner.Runner.from_cfg",
    ]
)
# Hugging Face trainers seed every RNG in __init__ from `args.seed` (default 42), and so do the
# trainers other packages derive from them (sentence-transformers', Unsloth's).
_SEEDING_TRAINERS = re.compile(r"^(transformers|trl|sentence_transformers|unsloth)\.(\w+\.)*\w*Trainer$")
# Models whose own `.train()` seeds every RNG from its arguments: Ultralytics' (`seed=0` and
# `deterministic=True` unless told otherwise).
_SELF_SEEDING_MODELS = ("ultralytics.",)
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
    return names.call_name(call) in _SEEDERS or "seed" in (called_name(call) or "").lower()


def _seeding_trainer_subclass(names: Names, call: ast.Call) -> bool:
    """The construction of a project class derived from a Hugging Face trainer: the base class's
    `__init__` seeds from `args.seed` for it."""
    symbol = names.symbol(call.func)
    if symbol is None or symbol.cls is None or names.repo is None:
        return False
    return any(_SEEDING_TRAINERS.match(base) for base in names.repo.subclasses_external(symbol.cls))


def _seeding_call(names: Names, call: ast.Call) -> bool:
    """An explicit seeding call, or one that seeds as a side effect (HF trainers and their
    arguments) or for itself (`random_state=`)."""
    if _explicit_seeding(names, call):
        return True
    name = names.call_name(call) or ""
    if _SEEDING_TRAINERS.match(name) or _seeding_trainer_subclass(names, call):
        return True
    if isinstance(call.func, ast.Attribute) and call.func.attr == "train":
        built = names.constructor(call.func.value)
        if built is not None and built[0].startswith(_SELF_SEEDING_MODELS):
            return True
    if name == "numpy.random.default_rng":
        return bool(call.args or call.keywords)
    if name.endswith("TrainingArguments") or (name.startswith("trl.") and name.endswith("Config")):
        return True
    seed = kwarg(call, "random_state", "seed")
    return seed is not None and not is_none(seed.value)


def _local_modules(src: PythonFile) -> Iterator[str]:
    """Repository paths of modules this file imports from the project itself."""
    return _imported_paths(src.path, src.nodes.walked, src.repo.files)


def _imported_paths(path: str, nodes: Iterable[ast.AST], files: Sequence[str]) -> Iterator[str]:
    here = PurePosixPath(path).parent
    for node in nodes:
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
                    found = str(base / candidate)
                    if found in files:
                        yield found


def _seeded_in_local_modules(src: PythonFile) -> bool:
    return any(
        (text := src.repo.text(path)) is not None and _LOCAL_SEED_TEXT.search(text) is not None
        for path in _local_modules(src)
    )


# The global RNGs a framework's run seeds for every module of its package: `random.seed(0)` covers
# `random.choice(...)` in a task's helper that the framework calls (the seed has a value; a bare
# `random.seed()` reseeds from the clock).
_PACKAGE_SEED_TEXT = re.compile(r"\b(?:random|np\.random|numpy\.random)\.seed\(\s*[^)\s]")
# Draws from the global RNGs those seeds cover (as `_unseeded_sampling` names them).
_GLOBAL_DRAWS = ("`random.", "`numpy.random.")
# At most this many modules of the package are read for it, shallowest first (a framework seeds in
# its evaluator or its entry point, near the package's root).
_PACKAGE_SEED_SEARCH_LIMIT = 300


def _seeded_by_package(src: PythonFile) -> bool:
    """Another module of the file's top-level package seeds the global RNG with a value: a
    framework that seeds its runs (`random.seed(random_seed)` in its evaluator) before it calls
    its tasks' helpers. Only modules of a package (a directory with `__init__.py`) are read."""
    parts = PurePosixPath(src.path).parts[:-1]
    files = set(src.repo.files)
    held = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
    root = next((directory for directory in held if f"{directory}/__init__.py" in files), None)
    if root is None:
        return False
    modules = sorted(
        (path for path in files if path.startswith(f"{root}/") and path.endswith(".py") and path != src.path),
        key=lambda path: (path.count("/"), path),
    )
    return any(
        (text := src.repo.text(path)) is not None and _PACKAGE_SEED_TEXT.search(text) is not None
        for path in modules[:_PACKAGE_SEED_SEARCH_LIMIT]
    )


def _seeded(src: PythonFile) -> bool:
    return any(_seeding_call(src.names, call) for call in src.nodes.calls) or _seeded_in_local_modules(src)


# How far behind the entry point's project calls a seeding call is looked for: the called
# functions' bodies, and those of the project functions they call in turn.
_SEED_HOPS = 2
# At most this many project functions are read per training module (the search stays cheap).
_SEED_SEARCH_LIMIT = 64


def _seeds_run(names: Names, call: ast.Call) -> bool:
    """A call that seeds the whole run: an explicit seeding call, or a Hugging Face trainer (or
    its arguments) that seeds from `args.seed`; not a call seeded for itself (`random_state=`)."""
    if _explicit_seeding(names, call):
        return True
    name = names.call_name(call) or ""
    return bool(_SEEDING_TRAINERS.match(name)) or name.endswith("TrainingArguments")


def _entry_calls(src: PythonFile, held: Sequence[ast.Call]) -> list[ast.Call]:
    """The calls the entry point makes itself: at module level (the `__main__` block), in a
    module-level `main`, and in the functions that hold the calls `held` (the training calls)."""
    defs = (ast.FunctionDef, ast.AsyncFunctionDef)
    functions = [node for node in src.tree.body if isinstance(node, defs) and node.name == "main"]
    functions += [function for call in held if (function := src.nodes.function(call)) is not None]
    statements = [node for node in src.tree.body if not isinstance(node, (*defs, ast.ClassDef))]
    roots = [*statements, *(s for function in dict.fromkeys(functions) for s in function.body)]
    return [node for node in own_nodes(*roots) if isinstance(node, ast.Call)]


def _seeded_behind(names: Names, calls: Iterable[ast.Call]) -> bool:
    """A project function or method that `calls` run (`Names.callee`: `get_args()`,
    `strategy.setup()` on a project object) seeds the run, itself or up to `_SEED_HOPS - 1`
    project calls further, nearest first. Calls the resolver cannot place are not followed."""
    seen: set[Function] = set()
    level = [(names, call) for call in calls]
    for _ in range(_SEED_HOPS):
        callees: list[tuple[Function, Names]] = []
        for here, call in level:
            callee = here.callee(call)
            if callee is None or callee[0] in seen:
                continue
            if len(seen) >= _SEED_SEARCH_LIMIT:
                return False
            seen.add(callee[0])
            callees.append(callee)
        for function, there in callees:
            if any(_seeds_run(there, inner) for inner in function.calls):
                return True
        level = [(there, inner) for function, there in callees for inner in function.calls]
    return False


def _seeds_globally(src: PythonFile) -> bool:
    """A global RNG is seeded here or in an imported local module (a seeded call such as
    `dataset.shuffle(seed=1)` seeds nothing else)."""
    return any(_explicit_seeding(src.names, call) for call in src.nodes.calls) or _seeded_in_local_modules(
        src
    )


def _training_call(names: Names, call: ast.Call) -> bool:
    """`.fit(`, `Trainer(`, `.train(`, `loss.backward()`, `optimizer.step()`. Not a method called on
    an imported class itself (`Panel.fit(...)` lays out a console panel): models train as instances;
    nor a tokenizer's or a processor's vocabulary learnt, nor a faiss index trained with its own
    seed (`_learns_without_drawing`); nor a module's mode switched (`_mode_switch`)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr == "train" and _mode_switch(names, call):
            return False
        if func.attr in ("fit", "train", "backward"):
            owner = (names.qualname(func.value) or "").rsplit(".", 1)[-1]
            imported_class = owner[:1].isupper() and not owner.isupper()
            return not imported_class and not _learns_without_drawing(names, call)
        if func.attr == "step":
            receiver, _ = call_receiver(call)
            built = names.constructor(receiver)
            if built is not None and built[0].startswith("torch.optim."):
                return True
            label = names.key(receiver) or ""
            return "optim" in label.lower()
    name = names.call_name(call) or (func.id if isinstance(func, ast.Name) else "")
    # `tokenizers.trainers.BpeTrainer` trains a vocabulary, not a model.
    trainer = name.rsplit(".", 1)[-1].endswith("Trainer") and _TOKENIZER_WORD.search(name) is None
    return trainer and not _evaluates_only(names.tree, call)


# What a trainer runs that leaves the weights as they are.
_EVALUATING = frozenset(["validate", "test", "predict", "evaluate"])


def _evaluates_only(tree: Tree, call: ast.Call) -> bool:
    """A trainer built only to run a model over data: `Trainer(...).test(...)`, or `runner =
    Trainer(...)` whose every use in its function is a `validate`, `test`, `predict` or `evaluate`
    call (a trainer handed on or fitted may train)."""
    parent = tree.parents.get(call)
    if isinstance(parent, ast.Attribute):
        return parent.attr in _EVALUATING
    target = parent.targets[0] if isinstance(parent, ast.Assign) and len(parent.targets) == 1 else None
    if not isinstance(target, ast.Name):
        return False
    uses = [
        node
        for node in tree.scopes.get(tree.scope_of(call), ())
        if isinstance(node, ast.Name) and node.id == target.id and isinstance(node.ctx, ast.Load)
    ]
    return bool(uses) and all(_evaluation_call(tree, use) for use in uses)


def _evaluation_call(tree: Tree, receiver: ast.Name) -> bool:
    method = tree.parents.get(receiver)
    return (
        isinstance(method, ast.Attribute)
        and method.attr in _EVALUATING
        and isinstance(call := tree.parents.get(method), ast.Call)
        and call.func is method
    )


def _mode_switch(names: Names, call: ast.Call) -> bool:
    """`module.train(flag)`: PyTorch's `nn.Module.train(mode)` switches dropout and batch norm to
    training behaviour and trains nothing. The call is given no argument where its function also
    calls the same receiver's `.eval()` (`_also_evaluated`), or one flag: `mode=`, a boolean literal,
    a test (`not frozen`, `phase == "student"`), or a parameter annotated `bool` or defaulting to
    a boolean (`def train(self, mode=True): super().train(mode)`, a module's override)."""
    if kwarg(call, "mode") is not None and len(call.keywords) == 1 and not call.args:
        return True
    if not call.args and not call.keywords:
        return _also_evaluated(names, call)
    if len(call.args) != 1 or call.keywords:
        return False
    flag = call.args[0]
    if isinstance(flag, ast.Constant):
        return isinstance(flag.value, bool)
    if isinstance(flag, (ast.Compare, ast.BoolOp)) or (
        isinstance(flag, ast.UnaryOp) and isinstance(flag.op, ast.Not)
    ):
        return True
    function = names.tree.function(call)
    if not isinstance(flag, ast.Name) or function is None:
        return False
    arguments = function.args
    return any(
        arg.arg == flag.id
        and (
            (isinstance(arg.annotation, ast.Name) and arg.annotation.id == "bool")
            or (
                isinstance(default := parameter_default(function, arg.arg), ast.Constant)
                and isinstance(default.value, bool)
            )
        )
        for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
    )


def _also_evaluated(names: Names, call: ast.Call) -> bool:
    """`model.train()` in a function that also calls `model.eval()`: a module switched between its
    modes (back to training after validating; `.eval()` unless fine-tuned), as a trainer's
    `.train()`, which has no `.eval()`, never is."""
    if not isinstance(call.func, ast.Attribute):
        return False
    receiver = ast.dump(call.func.value)
    scope = names.tree.function(call) or names.tree.module
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "eval"
        and not node.args
        and ast.dump(node.func.value) == receiver
        for node in scope_walk(scope)
    )


# A tokenizer or a processor learns its vocabulary by counting (BPE merges, WordPiece, a DCT
# scale): fitting one draws no random numbers.
_TOKENIZER_WORD = re.compile(r"(?i)tokeni[sz]er|processor")


# Vector indexes whose `.train()` clusters or quantizes with a fixed seed (faiss: 1234).
_SEEDED_INDEXES = ("faiss.",)


def _learns_without_drawing(names: Names, call: ast.Call) -> bool:
    """`tokenizer.fit(...)`, `tok.train(files)` on a `tokenizers.Tokenizer`, an `AutoProcessor`'s;
    or a vector index trained with its own fixed seed (`index.train(vectors)` on a faiss index)."""
    receiver, _ = call_receiver(call)
    built = names.constructor(receiver)
    if built is not None and built[0].startswith(_SEEDED_INDEXES):
        return True
    label = built[0] if built is not None else names.key(receiver) or ""
    return _TOKENIZER_WORD.search(label) is not None


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


# A function named for checking the code rather than running it: a self-test a kernel module runs
# under its `__main__` guard (`test_backward_correctness`), a benchmark.
_CHECK_NAME = re.compile(r"^(?:test|bench|benchmark)(?:_|$)", re.I)


def _in_a_check(tree: Tree, call: ast.Call) -> bool:
    """The call sits in a function named for a test or a benchmark: its backward pass compares
    gradients or times a kernel; it trains nothing."""
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _CHECK_NAME.match(node.name) is not None
        for node in tree.ancestors(call)
    )


def _gradient_check(names: Names, tree: Tree, call: ast.Call) -> bool:
    """A lone `loss.backward()`: gradients computed once, and no weight changes. Every training
    call of its function (or of the module-level code) is a backward pass outside any loop, with no
    optimizer step, fit or Trainer beside it: a module's quick check under its `__main__` guard
    (`loss = model(x); loss.backward()`), not a training run."""
    scope = tree.scope_of(call)
    calls = [node for node in tree.scopes.get(scope, ()) if isinstance(node, ast.Call)]
    return call in calls and all(
        isinstance(other.func, ast.Attribute)
        and other.func.attr == "backward"
        and loop_of(tree, other) is None
        for other in calls
        if _training_call(names, other)
    )


# torch's tensor factories that draw from its RNG: a model's input made of them is noise.
NOISE_TENSORS = frozenset(
    [
        "torch.randn",
        "torch.rand",
        "torch.randint",
        "torch.randn_like",
        "torch.rand_like",
        "torch.randint_like",
        "torch.normal",
    ]
)


def _on_noise(names: Names, tree: Tree, call: ast.Call) -> bool:
    """A module's smoke test on noise (lucidrains' `# quick test` blocks), whose outcome no seed
    makes meaningful: under the module's `__main__` guard, every backward pass starts from a loss
    the model computed on tensors drawn from the RNG (`images = torch.randn(8, 3, 256, 256)`;
    `loss = learner(images)`), the other training calls are optimizer steps, and nothing is saved.
    A warm-up on random codes whose weights a function keeps is training."""
    if tree.function(call) is not None or not any(is_main_guard(node) for node in tree.ancestors(call)):
        return False
    nodes = tree.scopes.get(tree.module, ())
    if any(isinstance(node, ast.Call) and (called_name(node) or "").startswith("save") for node in nodes):
        return False
    bound: dict[str, list[ast.expr]] = {}
    for name, value in assigned_values(nodes):
        bound.setdefault(name, []).append(value)
    passes = 0
    for other in (node for node in nodes if isinstance(node, ast.Call) and _training_call(names, node)):
        start = _is_backward(other)
        if start is None and isinstance(other.func, ast.Attribute) and other.func.attr == "step":
            continue
        if not isinstance(start, ast.Name) or not _computed_on_noise(names, bound, start.id):
            return False
        passes += 1
    return passes > 0


def _computed_on_noise(names: Names, bound: dict[str, list[ast.expr]], loss: str) -> bool:
    """`loss` is only ever a model's output on noise: each value it is bound to is a call whose
    arguments are NOISE_TENSORS draws or constants, given in place or through names bound only to
    them, one at least a draw."""
    drawn = False
    for value in bound.get(loss, []):
        if not isinstance(value, ast.Call):
            return False
        for given in _chain_arguments(value):
            values = bound.get(given.id, []) if isinstance(given, ast.Name) else [given]
            if not values:
                return False
            for made in values:
                if isinstance(made, ast.Call) and names.call_name(made) in NOISE_TENSORS:
                    drawn = True
                elif not isinstance(made, ast.Constant):
                    return False
    return drawn


def _chain_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of a call and of the calls it chains on (`head(x).pow(2).mean()`: `2`, `x`)."""
    node: ast.expr = call
    while isinstance(node, ast.Call):
        yield from (*node.args, *(keyword.value for keyword in node.keywords))
        node = node.func.value if isinstance(node.func, ast.Attribute) else node.func


def _training_function(tree: Tree, module: ast.Module, call: ast.Call) -> bool:
    """The call sits in a module-level function named for training (`train`, `train_model`...)
    that builds what it trains. One handed its model (`def train_epoch(model, batches)`) is a step
    of its caller's run: the model was drawn and the data ordered there, where the seed belongs."""
    function = tree.function(call)
    if function is None or function not in module.body or "train" not in function.name.lower():
        return False
    return not _handed_its_model(function)


def _parameter_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Every named parameter, positional ones first (as repo.model.Function.parameters)."""
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


# What a training loop does with its model: runs it, sets its mode, reads its weights, steps it.
_MODEL_USES = frozenset(["train", "fit", "parameters", "named_parameters", "step"])


def _handed_its_model(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A parameter is what the function trains: called (`model(x)`), or given a model's method
    (`model.train()`, `model.parameters()`, `optimizer.step()`)."""
    parameters = set(_parameter_names(function))
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _MODEL_USES:
            func = func.value
        if isinstance(func, ast.Name) and func.id in parameters:
            return True
    return False


def _trains(src: PythonFile) -> bool:
    """The module trains: it makes a training call, or defines a trainer (a class derived from one
    named `...Trainer`, as a Hugging Face `Trainer` subclass is). A module that trains nothing
    loads a classifier to use it: `num_labels=` then matches the head its checkpoint brings (a
    random one would be useless), not a new one to train."""
    if any(_training_call(src.names, call) for call in src.nodes.calls):
        return True
    return any(
        isinstance(node, ast.ClassDef)
        and any(
            ast.unparse(base).rsplit(".", 1)[-1].endswith("Trainer")
            and _TOKENIZER_WORD.search(ast.unparse(base)) is None
            for base in node.bases
        )
        for node in ast.walk(src.tree)
    )


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


def _unseeded_decompositions(src: PythonFile, calls: Sequence[ast.Call]) -> Iterator[Hit]:
    """Randomized decompositions and clusterings among `calls` that nothing seeds."""
    found = [
        call
        for call in calls
        if (draw := _random_draw(src, call)) is not None
        and draw.draws == "decomposition"
        and draw.unseeded != "fixed"
    ]
    if not found or _seeds_globally(src) or any(_forks_rng(src.names, c) for c in src.nodes.calls):
        return
    for call in found:
        line = src.changed_line(call)
        if line is None or _seed_in_scope(src, call) or _seed_decides(src, call):
            continue
        name = (src.names.call_name(call) or "").rsplit(".", 1)[-1]
        yield Hit(
            line,
            f"`{name}` draws from an unseeded RNG: what it computes (an initialisation, centroids) "
            "differs on every run and does not reproduce after a reload.",
            severity=Severity.MEDIUM,
        )


def _forks_rng(names: Names, call: ast.Call) -> bool:
    """`torch.random.fork_rng()`: the code scopes its RNG use, and seeds it in the fork."""
    return (names.call_name(call) or "").endswith(".fork_rng")


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
    or `optimizer.step()`, in a module that seeds no RNG — here, in the local modules it
    imports, or in a project function or method the entry point calls, up to two project calls
    deep through the repository model (`args = get_args()` whose helper calls `set_seed`,
    `strategy.setup()` on an object a project factory built): `torch.manual_seed`, `random.seed`,
    `np.random.seed`, `default_rng(seed)`, `tf.random.set_seed`, `set_seed`, `seed_everything`
    (or any call named for seeding, resolved or not), `TrainingArguments` (Hugging Face
    trainers, and project classes derived from them, seed from `args.seed`), detectron2's
    `default_setup(cfg, args)` and mmengine's `Runner` (each seeds from the run's config), an
    Ultralytics model's own `.train()` (`seed=0` by default). A call the
    resolver cannot place is not followed. These are the rule's `entry-point` findings: whether
    every run seeds is a team's policy, so they are off unless `rules.enable` lists the rule (the
    variants below stay on). A trainer built only to validate, test, predict or
    evaluate (every use of it in its function is one of those calls) trains nothing; one
    fitted or handed on may. A tokenizer or processor learning its vocabulary
    (`tokenizer.fit(...)`, `Tokenizer.train(files, BpeTrainer(...))`) counts, it draws nothing:
    not training; nor is a faiss index's `.train(vectors)` (its clustering seeds itself, 1234);
    nor is a smoke test on noise: every backward pass of its scope starts from a
    loss the model computed on tensors drawn there from torch's RNG (`images = torch.randn(...)`;
    `loss = learner(images)`), beside optimizer steps at most; nor does a backward pass in a
    function named for a test or a benchmark
    (`test_backward_correctness` in a kernel's module, run under its `__main__` guard), nor a lone
    one: outside any loop, with no optimizer step, fit or Trainer in its function or module-level
    code (a module's quick check, `loss = model(x); loss.backward()`), which changes no weight.
    Also: sklearn `train_test_split`, `KFold(shuffle=True)`, `RandomForest*` and randomized
    searches without `random_state` (unless the module calls `np.random.seed`); and a model with a
    new task head (`AutoModelFor*Classification.from_pretrained(..., num_labels=)`, `...WithValueHead`) in a
    module that trains (a training call, or a `Trainer` subclass) and never seeds explicitly —
    `TrainingArguments(seed=)` is applied by the Trainer's `__init__`, after the head was already
    drawn; a module that trains nothing loads a classifier to use it, with the head its checkpoint
    brings.
    Also, at medium severity: a randomized decomposition or clustering that looks deterministic
    (`SHUFFLERS` entries that draw a `decomposition`: `torch.svd_lowrank`/`pca_lowrank`, seeded
    only through the global RNG; sklearn `randomized_svd`, `TruncatedSVD`,
    `PCA(svd_solver="randomized"|"arpack")`, `KMeans`, `MiniBatchKMeans` without `random_state`),
    whose result is typically kept — an adapter initialised from an SVD of the base weight, an
    index's centroids — so it does not reproduce after a reload.

    Calibration (decompositions): pytest modules are not judged; nor a call given its seeding
    keyword or a splat that may carry it (`**kwargs`, `random_state=cfg.seed`), nor one in a
    module that seeds any RNG explicitly or forks one (`torch.manual_seed`, `set_seed`,
    `torch.random.fork_rng`, here or in an imported local module), nor one inside a function or
    class that declares a seed (`seed-not-passed` judges an unused one) or under an `if` that
    tests a seed; `PCA` with the default `auto` solver (randomized only for large inputs) and
    `faiss.Kmeans` (seeded with 1234 by default) are reproducible as far as can be told.

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
                misnamed = next((k.arg for k in call.keywords if k.arg in ("seed", "random_seed")), None)
                yield Hit(
                    line,
                    f"sklearn `{what}` without `random_state`"
                    + (f" (it takes no `{misnamed}=`: the call raises TypeError)." if misnamed else "."),
                )
    heads = [(call, head) for call in changed_calls if (head := _new_head(names, call)) is not None]
    if heads and _trains(src) and not _seeds_globally(src):
        for call, head in heads:
            line = src.changed_line(call)
            if line is not None:
                yield Hit(
                    line,
                    f"`{head}.from_pretrained` initialises a new head from an unseeded RNG; a Trainer "
                    "seeds only in its `__init__`, after the model exists.",
                )
    yield from _unseeded_decompositions(src, changed_calls)
    entry = _entry_point(module)
    training = [
        call
        for call in changed_calls
        if _training_call(names, call)
        and (entry or _training_function(tree, module, call))
        and not _in_a_check(tree, call)
        and not _gradient_check(names, tree, call)
        and not _on_noise(names, tree, call)
    ]
    if not training or _seeded(src) or _seeded_behind(names, _entry_calls(src, training)):
        return
    # One place per function that trains (its first changed training call): a function the change
    # adds speaks beside one it only edits.
    firsts: dict[ast.AST | None, ast.Call] = {}
    for call in sorted(training, key=lambda c: (c.lineno, c.col_offset)):
        firsts.setdefault(tree.function(call), call)
    for call in firsts.values():
        line = src.changed_line(call)
        if line is not None:
            # The gap is the module's, not the call's: other arguments for the call carry it over.
            yield Hit(
                line,
                "training runs with no RNG seed set anywhere in the module.",
                subject="surroundings",
                variant="entry-point",
            )


# Evaluation code by path: `evals/`, `eval_frames.py`, `benchmarks/`, `llm_judge.py` (not "retrieval").
# A segment that names training too (`train_eval_utils/`, `train_and_eval.py`) is a training loop
# that also evaluates: what it draws is the training's (data order, augmentation).
_EVAL_WORDS = frozenset(["eval", "evals", "evaluation", "evaluate", "benchmark", "benchmarks", "judge"])
_TRAINING_WORDS = frozenset(["train", "training", "trainer", "finetune", "pretrain"])
_PATH_WORD = re.compile(r"[_.-]")


def _evaluation_path(path: str) -> bool:
    """A directory or the file named for evaluation alone."""
    for segment in PurePosixPath(path.lower()).with_suffix("").parts:
        words = set(_PATH_WORD.split(segment))
        if words & _EVAL_WORDS and not words & _TRAINING_WORDS:
            return True
    return False


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
# A name for a random generator object (`rng`, `self._rng`, `random_state`, `generator`).
_RNG_NAME = re.compile(r"(?:^|[._])(?:rng|prng|random_state|generator)(?:@\d+)?$")
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
    if src.names.constructor(func) is not None:
        return None  # an object held under that name (`self.shuffle = ChannelShuffle(groups)`), called
    if kwarg(call, *_SEED_KWARGS) is not None or any(k.arg is None for k in call.keywords):
        return None
    built = src.names.constructor(func.value)
    if built is not None and built[0] in _SEEDED_GENERATORS:
        return None
    if built is None and _RNG_NAME.search(src.names.key(func.value) or ""):
        return None  # an RNG object handed in (`self.rng`): seeded, or not, where it is made
    return "`.shuffle()`"


# "random" as a word of an identifier: `random_action`, `RandomSolver`, `MyRandomSolver`.
_RANDOM_WORD = re.compile(r"(?:(?:^|_)[Rr]andom|(?<=[a-z0-9])Random)(?:$|_|(?=[A-Z0-9]))")


def _random_by_name(src: PythonFile, call: ast.Call) -> bool:
    """The draw sits in a function or class named for being random (`RandomBaselineSolver`,
    `create_random_action`): chance is what it is for, a baseline or a fuzzer the evaluation runs,
    not the evaluation's own sample of the data."""
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and _RANDOM_WORD.search(node.name) is not None
        for node in src.nodes.ancestors(call)
    )


# Shuffles in place: what they change is the order of the list they are given.
_IN_PLACE_SHUFFLES = frozenset(["random.shuffle", "numpy.random.shuffle"])


def _order_only(src: PythonFile, call: ast.Call) -> bool:
    """`random.shuffle(items)` of a local list that its function (or the module, at its top level)
    then only processes whole: loops over it with no `break`, maps a function over it
    (`executor.map(score, items)`), counts it. Every item is scored, in another order: the
    evaluation's result does not change."""
    if src.names.call_name(call) not in _IN_PLACE_SHUFFLES or len(call.args) != 1:
        return False
    shuffled = call.args[0]
    if not isinstance(shuffled, ast.Name):
        return False
    scope = src.nodes.function(call)
    after = [
        node
        for node in scope_walk(*(scope or src.tree).body)
        if isinstance(node, ast.Name) and node.id == shuffled.id and node.lineno > call.lineno
    ]
    return bool(after) and all(_processed_whole(src, node) for node in after)


def _processed_whole(src: PythonFile, name: ast.Name) -> bool:
    """`name` is read as a whole: the iterable of a `for` without `break` (through `tqdm(...)` or
    `enumerate(...)`), a mapped call's iterable (`map(f, items)`, `pool.imap(f, items)`), or
    `len(items)`."""
    node: ast.AST = name
    parent = src.nodes.parents.get(node)
    while isinstance(parent, ast.Call) and ast.unparse(parent.func).rsplit(".", 1)[-1] in (
        "tqdm",
        "enumerate",
    ):
        node, parent = parent, src.nodes.parents.get(parent)
    if isinstance(parent, ast.For) and parent.iter is node:
        return not any(isinstance(inner, ast.Break) for inner in scope_walk(*parent.body))
    if not isinstance(parent, ast.Call) or node not in parent.args:
        return False
    called = ast.unparse(parent.func).rsplit(".", 1)[-1]
    return called == "len" or (called.endswith("map") and parent.args.index(node) > 0)


def _saves_a_dataset(src: PythonFile) -> bool:
    """The module publishes or saves a dataset (loaders.DATASET_WRITERS: `ds.push_to_hub(...)`):
    it builds an evaluation set once, and the draw is fixed in what it saved, which is what every
    evaluation then reads."""
    return any(
        isinstance(call.func, ast.Attribute) and call.func.attr in loaders.DATASET_WRITERS
        for call in src.nodes.calls
    )


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
    """A name's assigned value (one hop), so `json=payload` and `URL` constants can be read: the
    last value its own scope assigns it before the use, else a module constant. A parameter (or a
    name its function binds otherwise) is the caller's: the name itself, not known here."""
    if not isinstance(node, ast.Name):
        return node
    return names.value_at(node) or node


# Where a generation call takes its sampling settings as one object (vLLM `SamplingParams`, a
# Gemini `GenerateContentConfig`, Ollama `options`), besides a positional argument after the prompt.
_SAMPLING_OBJECTS = frozenset(
    ["sampling_params", "config", "generation_config", "options", "params", "parameters"]
)


def _sampling_passed(names: Names, call: ast.Call) -> bool:
    """A sampling-settings object is passed (`llm.generate(prompts, sampling_params)`) whose value
    sets `seed` or `temperature`, or is not known here (unresolved, or built with a `**` splat of
    options the code does not show: `SamplingParams(max_tokens=n, **decoding_kwargs)`; not
    judged)."""
    values = [*call.args[1:], *(k.value for k in call.keywords if k.arg in _SAMPLING_OBJECTS)]
    for value in values:
        resolved = _resolved(names, value)
        if _has_sampling_setting(resolved) or _splatted(resolved):
            return True
        if isinstance(resolved, (ast.Name, ast.Attribute, ast.Subscript)):
            return True
    return False


def _splatted(node: ast.AST | None) -> bool:
    """Options built with a `**` splat (`Params(**options)`, `{**base, "n": 1}`): any of them may
    set what the code does not show."""
    if isinstance(node, ast.Call):
        return any(k.arg is None for k in node.keywords)
    return isinstance(node, ast.Dict) and None in node.keys


def _may_sample(site: LLMCall) -> bool:
    """The call may sample: for a client built per task (a transformers pipeline), only one built
    for a task that samples (sdk.Client.sampling_tasks); an ASR or translation pipeline decodes
    greedily, and one whose task the constructor does not name is not judged."""
    facts = site.facts
    if facts is None or not facts.sampling_tasks:
        return True
    task = string_value(argument(site.client, 0, "task")) if site.client is not None else None
    return task in facts.sampling_tasks


def _unseeded_generation(src: PythonFile, call: ast.Call) -> ast.AST | None:
    """An LLM generation request with neither `seed` nor `temperature`: the node to report (the
    payload's generation config when it has one, where the setting belongs), else None."""
    names = src.names
    if any(k.arg is None for k in call.keywords):
        return None
    site = llm_call(names, call)
    if site is not None:
        if site.embedding or not _may_sample(site):
            return None
        if _has_sampling_setting(call) or _sampling_passed(names, call):
            return None
        if site.provider == "langchain":
            # A LangChain model samples as it was built (`ChatOpenAI(temperature=0)`): its
            # constructor says, and one the code does not show is not judged.
            built = site.client
            return None if built is None or _has_sampling_setting(built) or has_splat(built) else call
        config = kwarg(call, "config", "generation_config")
        return config.value if config is not None else call
    name = names.call_name(call) or ""
    if not (name.startswith(("requests.", "httpx.")) and name.rsplit(".", 1)[-1] in ("post", "request")):
        return None
    url = _resolved(names, argument(call, 1 if name.endswith(".request") else 0, "url"))
    payload = _resolved(names, getattr(kwarg(call, "json"), "value", None))
    if not LLM_ENDPOINT.search(literal_text(url)) or not isinstance(payload, ast.Dict):
        return None
    if _has_sampling_setting(payload) or _splatted(payload):
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
    word of a directory or file name that does not also name training, as `train_eval/` does):
    examples or answer choices sampled or shuffled with no seed (`random.shuffle`,
    `random.sample`, `np.random.permutation`, `dataset.shuffle()`) in a module that seeds no RNG
    (here, in the local modules it imports, or in a project function the entry point or the
    sampling function calls, two project calls deep: `start_run()` calling `random.seed`; for a
    draw from the global `random` or `numpy.random` in a module that is no program of its own,
    also in another module of its top-level package, as a framework's evaluator seeds
    `random.seed(random_seed)` before it runs its tasks' helpers);
    or an LLM generation request — SDK call or raw POST to an LLM endpoint — that sets neither
    `seed` nor `temperature` (a LangChain model's call by the model's constructor, when the code
    shows it; a transformers pipeline only when built for a task that samples,
    text generation: a speech recognition pipeline decodes greedily, and one whose task is not
    named is not judged). A `.shuffle(...)` called on an object held under that name (`self.shuffle
    = ChannelShuffle(2)`, a layer) is no draw. A draw inside a function or class named for being random
    (`RandomBaselineSolver`, `create_random_action`) is what that code is for, not the
    evaluation's sample: not judged; nor is one in a module that saves or publishes a dataset
    (`push_to_hub`, `save_to_disk`): it builds the evaluation set once, and what it drew is fixed
    in what it saved; nor a `random.shuffle(items)` of a list its function (or the module's top
    level) then processes whole (a `for` without `break`, `executor.map(score, items)`,
    `len(items)`): only the order the items are scored in changes.

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
    if not _evaluation_path(src.path):
        return
    seeded: bool | None = None
    package_seeded: bool | None = None
    saves_a_dataset = _saves_a_dataset(src)
    for call in src.changed_calls():
        line = src.changed_line(call)
        sampler = _unseeded_sampling(src, call)
        if sampler is not None and (saves_a_dataset or _random_by_name(src, call) or _order_only(src, call)):
            continue
        if sampler is not None and line is not None:
            if seeded is None:
                seeded = _seeds_globally(src) or _seeded_behind(src.names, _entry_calls(src, [call]))
            if not seeded and sampler.startswith(_GLOBAL_DRAWS) and package_seeded is None:
                # A program run on its own (its `__main__` guard) starts no framework's run.
                package_seeded = not is_script(src) and _seeded_by_package(src)
            if seeded or (sampler.startswith(_GLOBAL_DRAWS) and package_seeded):
                continue
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


def _another_object(src: PythonFile, call: ast.Call, target: ast.expr, local_classes: set[str]) -> bool:
    """A bare name the calling function binds itself (`head = self._attached()`) to something it
    neither loads, builds from a module class nor restores with `load_state_dict`: its own object,
    which only shares the name of a model another function makes (`head = Head()` in a loader)."""
    function = src.nodes.function(call)
    if not isinstance(target, ast.Name) or function is None:
        return False
    own = [value for name, value in assigned_values(scope_walk(*function.body)) if name == target.id]
    if not own:
        return False
    for value in own:
        inner = _unwrap(value)[0]
        if not isinstance(inner, ast.Call):
            continue
        local = inner.func.id if isinstance(inner.func, ast.Name) else ""
        if src.names.call_name(inner) == "torch.load" or local in local_classes:
            return False
    return not any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "load_state_dict"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == target.id
        for node in scope_walk(*function.body)
    )


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
    they are already in eval mode; so is a local name the calling function binds to something it
    does not load, build or restore (`head = self._attached()`), though another function binds
    that name to a model.

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
        if _another_object(src, call, target, local_classes):
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


# What clears gradients, what computes them and what applies them (torch, and the wrappers that
# call them for you: Accelerate, Lightning, Fabric, AMP's GradScaler).
_BACKWARD_WRAPPERS = frozenset(["backward", "manual_backward"])
_OPTIMIZER_CLASS = re.compile(
    r"(^torch\.optim\.|\.optim\.|\.(Adam\w*|SGD|Lion\w*|Adafactor|RMSprop|Adagrad\w*)$)"
)
_OPTIMIZER_NAME = re.compile(r"optim|(^|_)opts?(\d|_|$)", re.I)
_SCALER_CLASS = re.compile(r"GradScaler$")
_SCHEDULER = re.compile(r"(?i)sched|LR$")
_DETACHING = frozenset(["item", "detach", "tolist", "numpy"])


def _is_backward(call: ast.Call) -> ast.AST | None:
    """The tensor a backward pass starts from: `loss.backward()`, `accelerator.backward(loss)`,
    `self.booster.backward(loss, optimizer)`, `self.manual_backward(loss)`,
    `scaler.scale(loss).backward()`; None if `call` is none."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in _BACKWARD_WRAPPERS:
        return None
    if call.args and (
        func.attr == "manual_backward" or not _tensor_method(func.value) or _named_loss(call.args[0])
    ):
        return call.args[0]
    receiver = func.value
    if (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr == "scale"
    ):
        return receiver.args[0] if receiver.args else receiver
    return receiver


def _named_loss(node: ast.AST) -> bool:
    """An argument named for a loss (`loss`, `total_loss`, `outputs.loss`): what a wrapper's
    `backward(loss, ...)` starts from; a tensor's own `backward(gradient)` takes a gradient."""
    return "loss" in (binding_key(node) or "").lower()


def _tensor_method(node: ast.AST) -> bool:
    """`loss.backward(...)` (a tensor's own method), not `accelerator.backward(loss)`."""
    label = (binding_key(node) or "").lower()
    return not any(word in label for word in ("accelerator", "fabric", "engine", "trainer"))


def _is_optimizer(names: Names, node: ast.AST) -> bool:
    """Built from (or annotated as) an optimizer class, or named like one; never a scheduler."""
    built = names.constructor(node)
    if built is not None:
        return bool(_OPTIMIZER_CLASS.search(built[0])) and not _SCHEDULER.search(built[0])
    label = (names.key(node) or (attribute_chain(node)[1] or [""])[-1]).split("@")[0].rsplit(".", 1)[-1]
    return bool(_OPTIMIZER_NAME.search(label)) and not _SCHEDULER.search(label)


def _is_optimizer_step(names: Names, call: ast.Call) -> bool:
    """`optimizer.step()` on a torch optimizer, or AMP's `scaler.step(optimizer)`."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "step":
        return False
    if call.args and _is_optimizer(names, call.args[0]):
        built = names.constructor(func.value)
        label = (names.key(func.value) or "").lower()
        return (built is not None and bool(_SCALER_CLASS.search(built[0]))) or "scaler" in label
    return not call.args and _is_optimizer(names, func.value)


# The methods that clear accumulated gradients, by framework (an optimizer's or a model's), each
# with where it is documented.
GRADIENT_CLEARS: Mapping[str, str] = {
    "zero_grad": "PyTorch (and OneFlow): torch.optim.Optimizer.zero_grad, torch.nn.Module.zero_grad",
    "clear_grad": "PaddlePaddle 2.x: paddle.optimizer.Optimizer.clear_grad; MegEngine: Optimizer.clear_grad",
    "clear_gradients": "PaddlePaddle 1.x (fluid): Optimizer.clear_gradients, dygraph Layer.clear_gradients",
}


def _clears_gradients(node: ast.AST) -> bool:
    """A clearing method of any framework (`.zero_grad(...)`, Paddle's `.clear_grad()`), `p.grad =
    None`, `p.grad.zero_()` / `p.grad.data.zero_()`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in GRADIENT_CLEARS:
            return True
        if node.func.attr in ("zero_", "detach_"):
            _, chain = attribute_chain(node.func.value)
            return "grad" in chain
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in node.targets)
    return False


_LOOPS = (ast.For, ast.AsyncFor, ast.While)


class _Steps:
    """The training steps of a module: loops (or local step functions) that run a backward pass and
    an optimizer step, and the module's functions, for one-hop lookups."""

    def __init__(self, src: PythonFile) -> None:
        self.names = src.names
        self.functions = {
            node.name: node
            for node in src.nodes.walked
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    def called_functions(self, body: list[ast.AST]) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        found = []
        for node in scope_walk(*body):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else ""
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "self"
                ):
                    name = func.attr
                if name in self.functions:
                    found.append(self.functions[name])
        return found

    def clears(self, body: list[ast.AST], hops: int = 1) -> bool:
        """The code (or a function of this module it calls, one hop) clears gradients."""
        if any(_clears_gradients(node) for node in scope_walk(*body)):
            return True
        return hops > 0 and any(self.clears(list(f.body), hops - 1) for f in self.called_functions(body))

    def parts(self, body: list[ast.AST]) -> tuple[list[ast.Call], list[ast.Call]]:
        """The backward calls and the optimizer steps in this code (not in nested functions)."""
        calls = [node for node in scope_walk(*body) if isinstance(node, ast.Call)]
        backward = [c for c in calls if _is_backward(c) is not None]
        steps = [c for c in calls if _is_optimizer_step(self.names, c)]
        return backward, steps


def _conditional(tree: Tree, node: ast.AST, within: ast.AST) -> bool:
    """`node` runs only under an `if` inside `within` (an accumulation boundary, usually)."""
    for ancestor in tree.ancestors(node):
        if ancestor is within:
            return False
        if isinstance(ancestor, (ast.If, ast.IfExp)):
            return True
    return False


@RULES.rule(
    "training-no-zero-grad",
    title="Training loop never clears gradients",
    severity=Severity.HIGH,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def training_no_zero_grad(src: PythonFile) -> Iterator[Hit]:
    """A loop that runs a backward pass (`loss.backward()`, `accelerator.backward(loss)`,
    `scaler.scale(loss).backward()`) and an optimizer step (`optimizer.step()`, `scaler.step(opt)`)
    every iteration, with no `zero_grad()` (nor another framework's clearing method,
    GRADIENT_CLEARS: Paddle's `clear_grad()`; nor `p.grad = None`) in the loop or in a function of
    this module it calls. Also a step function of this module (backward and step, no loop of its
    own) called in such a loop.

    Calibration: a step taken only under an `if` (gradient accumulation on purpose) is not judged;
    `.step()` counts only on an optimizer (built from `torch.optim` or named like one) — DeepSpeed
    engines and schedulers clear or need nothing; only the innermost loop holding both is judged.

    Why:
        PyTorch adds every backward pass's gradients to `.grad`. Without clearing them, each
        step applies the sum of all gradients so far: the effective learning rate grows every
        iteration and training diverges or silently converges to something else.
    Fix:
        Call `optimizer.zero_grad(set_to_none=True)` once per step, before `loss.backward()` (or
        right after `optimizer.step()`). To accumulate on purpose, step and clear under the same
        `if (i + 1) % accumulation_steps == 0:`.
    Bad:
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
    Good:
        for x, y in loader:
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
    """
    if "backward" not in src.code:
        return
    steps = _Steps(src)
    tree = src.nodes
    for loop in tree.walked:
        if not isinstance(loop, _LOOPS):
            continue
        backward, stepped = steps.parts(list(loop.body))
        if backward and stepped:
            if any(all(steps.parts(list(inner.body))) for inner in _inner_loops(loop)):
                continue  # the inner loop is the training step: judged on its own
            if any(_conditional(tree, call, loop) for call in stepped) or steps.clears(list(loop.body)):
                continue
            line = src.changed_line(backward[0]) or src.changed_line(stepped[0])
            if line is not None:
                yield Hit(line, "gradients are never cleared in this loop: every step adds to the last.")
            continue
        for function in steps.called_functions(list(loop.body)):
            inner_backward, inner_steps = steps.parts(list(function.body))
            if not (inner_backward and inner_steps) or any(_inner_loops(function)):
                continue
            if any(_conditional(tree, call, function) for call in inner_steps):
                continue
            if steps.clears(list(function.body)) or steps.clears(list(loop.body)):
                continue
            line = src.changed_line(inner_backward[0]) or src.changed_line(inner_steps[0])
            if line is not None:
                yield Hit(
                    line, f"`{function.name}` steps the optimizer in a loop and nothing clears gradients."
                )


def _inner_loops(
    outer: ast.For | ast.AsyncFor | ast.While | ast.FunctionDef | ast.AsyncFunctionDef,
) -> Iterator[ast.For | ast.AsyncFor | ast.While]:
    for node in scope_walk(*outer.body):
        if isinstance(node, _LOOPS):
            yield node


def _backpropagated(nodes: list[ast.AST]) -> set[str]:
    """Names a scope runs a backward pass from (`loss.backward()`, `accelerator.backward(loss)`)."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Call):
            start = _is_backward(node)
            while isinstance(start, (ast.Attribute, ast.Subscript)):
                start = start.value
            if isinstance(start, ast.Name):
                found.add(start.id)
    return found


def _kept_graph(value: ast.AST, losses: set[str]) -> str | None:
    """The loss name `value` carries with its autograd graph: read outside `.item()`, `.detach()`,
    `.tolist()`, `.data`, `float()`/`int()`."""
    if isinstance(value, ast.Name):
        return value.id if value.id in losses else None
    if isinstance(value, ast.Attribute) and value.attr == "data":
        return None  # the tensor's data without its history
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in _DETACHING:
            return None
        if isinstance(func, ast.Name) and func.id in ("float", "int", "len"):
            return None
    for child in ast.iter_child_nodes(value):
        found = _kept_graph(child, losses)
        if found is not None:
            return found
    return None


def _detached_in(nodes: list[ast.AST], name: str) -> bool:
    """`name = name.detach()` (or `.item()`, `float(name)`) somewhere in these nodes."""
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        and _detaches(node.value, name)
        for node in nodes
    )


def _detaches(value: ast.AST, name: str) -> bool:
    """`name.detach()`, `name.item()`, `float(name)`: a value made from `name` without its graph."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr in _DETACHING:
        inner: list[ast.AST] = [func.value]
    elif isinstance(func, ast.Name) and func.id in ("float", "int"):
        inner = list(value.args)
    else:
        return False
    return any(isinstance(n, ast.Name) and n.id == name for part in inner for n in ast.walk(part))


def _assigned_in(loop: ast.AST, name: str) -> bool:
    """`name` is (re)bound inside the loop body: a per-iteration value, not an accumulator."""
    for node in scope_walk(*getattr(loop, "body", [])):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
    return False


@RULES.rule(
    "loss-accumulated-with-graph",
    title="Loss tensor accumulated across steps with its autograd graph",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def loss_accumulated_with_graph(src: PythonFile) -> Iterator[Hit]:
    """In a training loop, a running total or list collects the loss that the same loop
    backpropagates (`total_loss += loss`, `losses.append(loss)`) without `.item()` or `.detach()`.

    Calibration: only a name the loop runs a backward pass from counts as its loss; a loss
    rebound to `loss.detach()` in the loop, an accumulator that is itself backpropagated (a
    multi-task loss summed on purpose), one reset inside the loop, eval loops (no backward) and
    code under `torch.no_grad()` are not judged.

    Why:
        The loss tensor carries its autograd history. Adding it to a running total makes the
        total's history reach back through every step of the epoch, so graph nodes (and whatever
        tensors they still hold) are never freed: memory grows step by step until the job dies
        with an out-of-memory error far from the cause (PyTorch FAQ, "My model reports cuda
        runtime error(2): out of memory").
    Fix:
        Accumulate a number: `total_loss += loss.item()` (or `loss.detach()` to stay on the
        device), and `losses.append(loss.item())`.
    Bad:
        for x, y in loader:
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            total_loss += loss
    Good:
        total_loss += loss.item()
    """
    if "backward" not in src.code:
        return
    names, tree = src.names, src.nodes
    for nodes in tree.scopes.values():
        losses = _backpropagated(nodes)
        if not losses:
            continue
        for node in nodes:
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
                target = binding_key(node.target)
                carried = _kept_graph(node.value, losses)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("append", "extend")
                and len(node.args) == 1
            ):
                target = binding_key(node.func.value)
                carried = _kept_graph(node.args[0], losses)
            else:
                continue
            if carried is None or target is None or target in losses:
                continue
            loop = next((a for a in tree.ancestors(node) if isinstance(a, _LOOPS)), None)
            if loop is None or (target.isidentifier() and _assigned_in(loop, target)):
                continue
            body = list(scope_walk(*loop.body))
            if carried not in _backpropagated(body) or _detached_in(body, carried):
                continue  # not this loop's training loss (an eval loop's), or detached before it is kept
            if _no_grad(names, tree, node):
                continue
            line = src.changed_line(node)
            if line is not None:
                yield Hit(line, f"`{target}` keeps the autograd graph of every step's `{carried}`.")


# A loop over held-out data: `val_loader`, `eval_dataloader`, `self.val_dataloader()`,
# `loaders["validation"]`, `test_ds` (not `interval`, `evaluate_fn`, `latest`).
_HELD_OUT = re.compile(
    r"(?i)(?:^|[_.\[\"'(])(?:val|valid|validation|eval|evaluation|test|dev|holdout)(?=[_.\]\"')]|loader|dataloader|data|set|ds|dl|$)"
)
_MODE_METHODS = frozenset(["train", "eval", "parameters", "named_parameters", "zero_grad"])


def _model_keys(names: Names, tree: Tree) -> set[str]:
    """Objects the module treats as `nn.Module`s: receivers of `.train()`, `.eval()`,
    `.parameters()`, `.named_parameters()`, `.zero_grad()`."""
    found: set[str] = set()
    for call in tree.calls:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _MODE_METHODS:
            key = names.key(func.value)
            if key is not None and "optim" not in key.lower():
                found.add(key)
    return found


def _last_mode(names: Names, body: Sequence[ast.AST], key: str, before: int) -> str | None:
    """'train' or 'eval': the last mode `key` was put in, in this code, before line `before`."""
    last: tuple[int, str] | None = None
    for node in scope_walk(*body):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or node.lineno >= before:
            continue
        if node.func.attr in ("train", "eval") and names.key(node.func.value) == key:
            mode = "eval" if _sets_eval(node) else "train"
            if last is None or node.lineno > last[0]:
                last = (node.lineno, mode)
    return last[1] if last else None


@RULES.rule(
    "validation-without-eval-mode",
    title="Validation loop runs the model in training mode or with autograd on",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def validation_without_eval_mode(src: PythonFile) -> Iterator[Hit]:
    """A loop over held-out data (`val_loader`, `eval_dataloader`, `loaders["validation"]`,
    `test_ds`) that calls the model, in code that trains it (a backward pass or `model.train()`
    earlier in the same function, or a script's top level), where the model was not put back in
    eval mode (`model.eval()`) after training, or the loop does not run under `torch.no_grad()` /
    `torch.inference_mode()`.

    Calibration: a function that only evaluates is not judged (its caller may have set eval mode
    and no-grad); Lightning's `validation_step` is not a loop; a loop that runs a backward pass is
    not validation.

    Why:
        In training mode dropout drops activations and batch-norm normalises with (and updates)
        batch statistics, so validation metrics are noisy, pessimistic and change the model; with
        autograd on every batch keeps its activations for a backward pass that never comes,
        multiplying memory use.
    Fix:
        Put `model.eval()` before the validation loop and run it under `with
        torch.inference_mode():` (or `torch.no_grad()`); call `model.train()` again before the
        next training epoch.
    Bad:
        for epoch in range(epochs):
            model.train()
            for x, y in train_loader:
                ...
            for x, y in val_loader:
                val_loss += criterion(model(x), y).item()
    Good:
        model.eval()
        with torch.inference_mode():
            for x, y in val_loader:
                val_loss += criterion(model(x), y).item()
    """
    names, tree = src.names, src.nodes
    models: set[str] | None = None
    for loop in tree.walked:
        if not isinstance(loop, (ast.For, ast.AsyncFor)) or not _HELD_OUT.search(ast.unparse(loop.iter)):
            continue
        if models is None:
            models = _model_keys(names, tree)
        calls = [
            node
            for node in scope_walk(*loop.body)
            if isinstance(node, ast.Call) and names.key(node.func) in models
        ]
        if not calls or any(
            _is_backward(n) is not None for n in scope_walk(*loop.body) if isinstance(n, ast.Call)
        ):
            continue
        function = tree.function(loop)
        body: list[ast.stmt] = list(function.body) if function is not None else list(tree.module.body)
        trains = any(isinstance(n, ast.Call) and _is_backward(n) is not None for n in scope_walk(*body))
        key = names.key(calls[0].func) or ""
        mode = _last_mode(names, body, key, calls[0].lineno)
        missing = []
        if mode == "train" or (mode is None and trains):
            missing.append("in training mode")
        if (trains or function is None) and not _no_grad(names, tree, calls[0]):
            missing.append("with autograd on")
        if not missing:
            continue
        header = src.file_line(loop.lineno)
        line = header if header in src.changed else src.changed_line(calls[0])
        if line is not None:
            yield Hit(line, f"`{key.split('@')[0]}` is validated {' and '.join(missing)}.")


@dataclasses.dataclass(frozen=True)
class Shuffler:
    """A call that draws at random: the keywords that seed it, and when it draws
    (`always`, `when-asked`: a `switch=` that is not False, `by-default`: unless `switch=False`).
    `switch` is the keyword that turns drawing on or off; `asked_with`, when given, the only
    string values of `switch` that turn it on. `unseeded`: where the draw comes from when no seed
    is given: `global` (a global RNG, which seeding the run fixes), `entropy` (fresh entropy: only
    its own seed fixes it), `fixed` (a default seed: reproducible, not configurable). `draws`:
    `order` (shuffles or samples data) or `decomposition` (a randomized factorisation or
    clustering whose result is kept: weights, an adapter's init, an index's centroids)."""

    seeded_by: tuple[str, ...]
    shuffles: str
    switch: str = "shuffle"
    unseeded: str = "global"
    asked_with: tuple[str, ...] = ()
    draws: str = "order"


_TORCH_LOADER = Shuffler(("generator", "sampler", "batch_sampler"), "when-asked")
_TORCH_SAMPLER = Shuffler(("generator",), "always")
_SKLEARN_ALWAYS = Shuffler(("random_state",), "always")
_SKLEARN_ASKED = Shuffler(("random_state",), "when-asked")
_STDLIB = Shuffler((), "always")
# torch's low-rank routines project onto a random basis drawn from the global RNG (no generator).
_TORCH_LOWRANK = Shuffler((), "always", draws="decomposition")
_SKLEARN_DECOMPOSITION = Shuffler(("random_state",), "always", draws="decomposition")
# Calls that shuffle or sample data, by qualified name; `*.name` is a method of a receiver the
# resolver cannot name (a dataset), matched by its name alone.
SHUFFLERS: dict[str, Shuffler] = {
    # torch: a loader shuffles when asked; samplers and splits always; `generator=` seeds them.
    "torch.utils.data.DataLoader": _TORCH_LOADER,
    "torch.utils.data.dataloader.DataLoader": _TORCH_LOADER,
    "torch.utils.data.RandomSampler": _TORCH_SAMPLER,
    "torch.utils.data.sampler.RandomSampler": _TORCH_SAMPLER,
    "torch.utils.data.SubsetRandomSampler": _TORCH_SAMPLER,
    "torch.utils.data.sampler.SubsetRandomSampler": _TORCH_SAMPLER,
    "torch.utils.data.WeightedRandomSampler": _TORCH_SAMPLER,
    "torch.utils.data.sampler.WeightedRandomSampler": _TORCH_SAMPLER,
    "torch.utils.data.random_split": _TORCH_SAMPLER,
    "torch.utils.data.dataset.random_split": _TORCH_SAMPLER,
    "torch.randperm": _TORCH_SAMPLER,
    # DistributedSampler shuffles unless told not to, from `seed=` (0 when left out).
    "torch.utils.data.DistributedSampler": Shuffler(("seed",), "by-default", unseeded="fixed"),
    "torch.utils.data.distributed.DistributedSampler": Shuffler(("seed",), "by-default", unseeded="fixed"),
    # Streaming datasets: litdata takes `seed=` (42 when left out), mosaicml streaming
    # `shuffle_seed=` (9176); webdataset shuffles its shards when given `shardshuffle=`, from
    # `seed=` (or `detshuffle=True`), else from the time and the process id.
    "litdata.StreamingDataset": Shuffler(("seed",), "when-asked", unseeded="fixed"),
    "litdata.streaming.StreamingDataset": Shuffler(("seed",), "when-asked", unseeded="fixed"),
    "litdata.streaming.dataset.StreamingDataset": Shuffler(("seed",), "when-asked", unseeded="fixed"),
    "streaming.StreamingDataset": Shuffler(("shuffle_seed",), "when-asked", unseeded="fixed"),
    "streaming.base.StreamingDataset": Shuffler(("shuffle_seed",), "when-asked", unseeded="fixed"),
    "webdataset.WebDataset": Shuffler(("seed", "detshuffle"), "when-asked", "shardshuffle", "entropy"),
    # The standard library and numpy's global RNG: nothing to pass, only a seeded generator.
    "random.shuffle": _STDLIB,
    "random.sample": _STDLIB,
    "random.choice": _STDLIB,
    "random.choices": _STDLIB,
    "numpy.random.shuffle": _STDLIB,
    "numpy.random.permutation": _STDLIB,
    "numpy.random.choice": _STDLIB,
    # scikit-learn splitters: `random_state=`; KFold and StratifiedKFold shuffle only when asked.
    "sklearn.model_selection.train_test_split": Shuffler(("random_state",), "by-default"),
    "sklearn.model_selection.KFold": _SKLEARN_ASKED,
    "sklearn.model_selection.StratifiedKFold": _SKLEARN_ASKED,
    "sklearn.model_selection.ShuffleSplit": _SKLEARN_ALWAYS,
    "sklearn.model_selection.StratifiedShuffleSplit": _SKLEARN_ALWAYS,
    "sklearn.model_selection.GroupShuffleSplit": _SKLEARN_ALWAYS,
    "sklearn.model_selection.RepeatedKFold": _SKLEARN_ALWAYS,
    "sklearn.model_selection.RepeatedStratifiedKFold": _SKLEARN_ALWAYS,
    "sklearn.utils.shuffle": _SKLEARN_ALWAYS,
    # Randomized decompositions and clusterings that look deterministic. PCA draws only with the
    # randomized or ARPACK solver (`auto` decides from the data's shape: unknown here); faiss
    # k-means seeds itself with 1234 when given no `seed=`.
    "torch.svd_lowrank": _TORCH_LOWRANK,
    "torch.pca_lowrank": _TORCH_LOWRANK,
    "torch._lowrank.svd_lowrank": _TORCH_LOWRANK,
    "torch._lowrank.pca_lowrank": _TORCH_LOWRANK,
    "sklearn.utils.extmath.randomized_svd": _SKLEARN_DECOMPOSITION,
    "sklearn.decomposition.TruncatedSVD": _SKLEARN_DECOMPOSITION,
    "sklearn.decomposition.PCA": Shuffler(
        ("random_state",),
        "when-asked",
        "svd_solver",
        asked_with=("randomized", "arpack"),
        draws="decomposition",
    ),
    "sklearn.cluster.KMeans": _SKLEARN_DECOMPOSITION,
    "sklearn.cluster.MiniBatchKMeans": _SKLEARN_DECOMPOSITION,
    "faiss.Kmeans": Shuffler(("seed",), "always", unseeded="fixed", draws="decomposition"),
    # Datasets' own methods: Hugging Face `Dataset`/`IterableDataset.shuffle(seed=, generator=)`,
    # `tf.data.Dataset.shuffle(buffer_size, seed=)`, webdataset's `.shuffle(n, rng=)`; Hugging Face
    # `Dataset.train_test_split` shuffles unless `shuffle=False`.
    "*.shuffle": Shuffler(("seed", "generator", "random_state", "rng"), "always"),
    "*.train_test_split": Shuffler(("seed", "generator"), "by-default"),
}
# A file without one of these words holds no shuffle of SHUFFLERS (decompositions are not screened).
_SHUFFLE_WORDS = re.compile(
    r"shuffle|Sampler|random_split|randperm|permutation|sample\(|choices?\(|train_test_split|KFold|ShuffleSplit"
)
_DATASET_SHUFFLE = SHUFFLERS["*.shuffle"]
# `seed`, `shuffle_seed`, `_data_seed`; not `cache_seed`, which keys a cache of model replies
# (AutoGen, guidance): it picks which cached answer comes back, and no RNG reads it.
_SEED_PARAMETER = re.compile(r"^_?(?!cache_)(?:\w+_)?seed$")


def _shuffler(src: PythonFile, call: ast.Call) -> Shuffler | None:
    """The shuffling `call` does, when it does shuffle and is given none of its seeding keywords.
    A dataset's `.shuffle(0)` or `.shuffle(1)` draws no order: a buffer of one sample or none
    (webdataset, `tf.data`), or the seed itself (Hugging Face datasets take `seed` first)."""
    found = _random_draw(src, call)
    if found is _DATASET_SHUFFLE and call.args:
        first = call.args[0]
        if isinstance(first, ast.Constant) and type(first.value) is int and first.value in (0, 1):
            return None
    return found if found is not None and found.draws == "order" else None


def _random_draw(src: PythonFile, call: ast.Call) -> Shuffler | None:
    """The random draw `call` makes (`SHUFFLERS`), when it does draw and is given none of its
    seeding keywords."""
    name = src.names.call_name(call)
    found = SHUFFLERS.get(name or "")
    func = call.func
    if found is None and name is None and isinstance(func, ast.Attribute):
        found = SHUFFLERS.get(f"*.{func.attr}")
    if found is None or has_splat(call) or kwarg(call, *found.seeded_by) is not None:
        return None
    if name is None and isinstance(func, ast.Attribute):
        built = src.names.constructor(func.value)
        if built is not None and built[0] in _SEEDED_GENERATORS:
            return None
    switch = kwarg(call, found.switch)
    if found.shuffles == "when-asked" and (switch is None or is_false(switch.value) or is_none(switch.value)):
        return None
    if found.asked_with and (switch is None or string_value(switch.value) not in found.asked_with):
        return None
    if found.shuffles == "by-default" and switch is not None and is_false(switch.value):
        return None
    return found


def _reads(root: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(root)
    )


def _class_seed_fields(cls: ast.ClassDef) -> dict[str, int]:
    """Seed fields a class declares (`seed: int = 42`, `self.seed = seed`) and their lines."""
    found: dict[str, int] = {}
    for statement in cls.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        elif isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        for target in targets:
            if isinstance(target, ast.Name) and _SEED_PARAMETER.match(target.id):
                found.setdefault(target.id, statement.lineno)
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and _SEED_PARAMETER.match(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            found.setdefault(node.attr, node.lineno)
    return found


def _field_read(module: ast.Module, cls: ast.ClassDef, attr: str) -> bool:
    """`.attr` read in the class (`self.seed`), or outside every class of the module
    (`module.seed` in a script), or named as a string there (`getattr(self, "seed")`)."""
    others = [n for n in ast.walk(module) if isinstance(n, ast.ClassDef) and n is not cls]
    inside_others = {id(n) for other in others for n in ast.walk(other)} - {id(n) for n in ast.walk(cls)}
    for node in ast.walk(module):
        if id(node) in inside_others:
            continue
        if isinstance(node, ast.Attribute) and node.attr == attr and isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, ast.Constant) and node.value == attr:
            return True
    return False


def _read_elsewhere(src: PythonFile, attr: str, here: bool = False, near: str = "") -> bool:
    """`.attr` read (not called, not assigned) or `"attr"` named in another Python file of the
    repository (or in this one too, with `here`): the field reaches someone. `near`: only files
    that also name this word count (the class whose field it is: a common name such as `seed` is
    read somewhere in most repositories, of some other object)."""
    pattern = re.compile(rf"\.{attr}\b(?!\s*(?:\(|=(?!=)))|[\"']{attr}[\"']")
    if here and pattern.search(src.code):
        return True
    other = re.compile(rf"\b{near}\b") if near else None
    return any(
        path != src.path
        and (text := src.repo.text(path)) is not None
        and pattern.search(text) is not None
        and (other is None or other.search(text) is not None)
        for path in src.repo.containing((attr,))
    )


# Code that hands a config's fields on without naming them: a seed may leave this way.
_FIELDS_SPREAD = re.compile(
    r"\bvars\(|asdict\(|model_dump\(|__dict__|\.to_dict\(|\.dict\(\)|OmegaConf|\bfields\("
)
# What a plain config class may derive from: none of these reads a seed field on its own.
_PLAIN_CONFIG_BASES = frozenset(["pydantic.BaseModel", "pydantic_settings.BaseSettings", "typing.NamedTuple"])
_SEED_OPTION = re.compile(r"^--?((?:\w+[-_])?seed)$")


def _unused_parameter(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    unused = [p for p in _parameter_names(node) if _SEED_PARAMETER.match(p) and not _reads(node, p)]
    return unused[0] if unused else None


def _unused_class_field(src: PythonFile, cls: ast.ClassDef) -> tuple[str, int] | None:
    fields = _class_seed_fields(cls)
    for field, line in fields.items():
        if not _field_read(src.nodes.module, cls, field) and not _read_elsewhere(src, field, near=cls.name):
            return field, line
    return None


def _config_classes(src: PythonFile, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[Class]:
    """Project classes of the objects the function reads fields of (`cfg.batch_size`, the class
    known from a constructor or an annotation) or takes as annotated parameters (`cfg: Config`)."""
    names = src.names
    if names.repo is None:
        return
    symbols: list[Symbol | None] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id != "self":
            built = names.constructor(node.value)
            if built is not None:
                call = built[1]
                symbols.append(names.symbol(call.func) if call is not None and src.nodes.owns(call) else None)
                symbols.append(names.repo.symbol(built[0], src.path))
    arguments = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    symbols += [names.symbol(a.annotation) for a in arguments if a.annotation is not None]
    seen: set[int] = set()
    for symbol in symbols:
        if symbol is not None and symbol.cls is not None and id(symbol.cls) not in seen:
            seen.add(id(symbol.cls))
            yield symbol.cls


def _unused_config_seed(src: PythonFile, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """A seed field of a plain config class (a dataclass, a pydantic model: no framework base that
    reads it) the function's objects are built from, read nowhere in the repository, and the
    class's objects handed on whole nowhere (no file naming the class spreads fields)."""
    repo = src.repo
    for cls in _config_classes(src, function):
        bases = repo.base_classes(cls)
        if any(isinstance(b, str) and b not in _PLAIN_CONFIG_BASES for b in bases):
            continue
        if _FIELDS_SPREAD.search(src.code) or _spread_where_named(src, cls.name):
            continue
        for owner in [cls, *(b for b in bases if isinstance(b, Class))]:
            for field, line in _class_seed_fields(owner.node).items():
                if not _read_elsewhere(src, field, here=True):
                    return f"`{owner.name}.{field}` ({owner.module.path}:{line})"
    return None


def _spread_where_named(src: PythonFile, name: str) -> bool:
    """A Python file naming `name` hands fields on without naming them (`asdict(cfg)`)."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    return any(
        (text := src.repo.text(path)) is not None and word.search(text) and _FIELDS_SPREAD.search(text)
        for path in src.repo.containing((name,))
    )


def _options_handed_on(src: PythonFile) -> bool:
    """The parsed options are handed on whole: `vars(args)`, or `args` passed to a call."""
    if _FIELDS_SPREAD.search(src.code):
        return True
    parsed = {
        name
        for name, value in assigned_values(src.nodes.walked)
        if isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in ("parse_args", "parse_known_args")
    }
    return any(
        isinstance(a, ast.Name) and a.id in parsed
        for call in src.nodes.calls
        for a in [*call.args, *(k.value for k in call.keywords)]
    )


def _unused_seed_option(src: PythonFile) -> str | None:
    """A `--seed` command-line option of the module's own parser whose value is read nowhere in
    the repository, while the parsed options are not handed on whole (`vars(args)`, `run(args)`)."""
    if _options_handed_on(src):
        return None
    for call in src.nodes.calls:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "add_argument"):
            continue
        option = next((m for a in call.args if (m := _SEED_OPTION.match(string_value(a) or ""))), None)
        if option is None:
            continue
        dest = kwarg(call, "dest")
        field = string_value(dest.value) if dest is not None else option.group(1).replace("-", "_")
        if field is not None and not _read_elsewhere(src, field, here=True):
            return f"`{option.group(0)}` (line {src.file_line(call.lineno)})"
    return None


def _unused_inherited_field(src: PythonFile, node: ast.AST) -> str | None:
    """A seed field a project base class of the class around `node` declares (in any module),
    read nowhere in the repository: no `.field` read or `"field"` string in any Python file."""
    cls = src.names.enclosing_class(node)
    if cls is None or src.repo is None:
        return None
    for base in src.repo.base_classes(cls):
        if not isinstance(base, Class):
            continue
        for field, line in _class_seed_fields(base.node).items():
            if not _read_elsewhere(src, field, here=True):
                return f"`{base.name}.{field}` ({base.module.path}:{line})"
    return None


def _unused_seed(src: PythonFile, call: ast.AST) -> str | None:
    """The seed declared for the code around `call` that nothing reads: a parameter of an
    enclosing function, a field of the enclosing class or of a project base class, of a config
    object the function reads, or the script's `--seed` option."""
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parameter = _unused_parameter(ancestor)
            if parameter is not None:
                return f"`{parameter}` (line {src.file_line(ancestor.lineno)})"
        if isinstance(ancestor, ast.ClassDef):
            field = _unused_class_field(src, ancestor)
            if field is not None:
                return f"`{field[0]}` (line {src.file_line(field[1])})"
    inherited = _unused_inherited_field(src, call)
    if inherited is not None:
        return inherited
    function = src.nodes.function(call)
    if function is not None:
        config = _unused_config_seed(src, function)
        if config is not None:
            return config
    return _unused_seed_option(src)


@RULES.rule(
    "seed-not-passed",
    title="A seed is declared but the shuffling or sampling never receives it",
    severity=Severity.MEDIUM,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def seed_not_passed(src: PythonFile) -> Iterator[Hit]:
    """A seed declared for the code that shuffles data or samples a model's generation without
    it, and never read: a parameter of the function (`seed`, `shuffle_seed`, ...), a field of its
    class or of a project base class in any module (`seed: int = 42`, `self._seed = ...`), a seed
    field of a plain config class (a dataclass or pydantic model, possibly in another module) whose
    objects the function reads (`cfg.batch_size`), or the script's own `--seed` option. The
    shuffles are those of the `SHUFFLERS` table given none of their seeding keywords:
    `DataLoader(shuffle=...)` without `generator=`, `RandomSampler`, `random_split`, streaming
    datasets (litdata, mosaicml, webdataset) without their seed, `dataset.shuffle()`,
    `random.shuffle`, `np.random.permutation`, sklearn splitters. The sampling is a generation
    request that sets its sampling (`temperature` other than a literal 0, `top_p`, `top_k`) to an
    API that takes a seed, without it: an SDK call whose seed option the SDK facts table names
    (`chat.completions.create(seed=)`, litellm `completion(seed=)`, Mistral `random_seed=`), or a
    request body literal the table recognises (an OpenAI-compatible body: `model`, `prompt` or
    `messages`, and a key only that API has, such as `stop`).

    Calibration: a seed read anywhere counts as used (passed to `set_seed`, a generator, another
    call; for a field or an option, any `.seed` read or `"seed"` string in any Python file of the
    repository; for a base class's field, in any file at all); a config handed on whole
    (`vars(args)`, `asdict(cfg)`, `model_dump()`) or derived from a framework class (which may read
    the field itself) is not judged; shuffling that is off (`shuffle=False`) or given its seeding
    keyword is not judged; a request to an API without a seed (Anthropic's Messages), a body the
    table cannot tell (no key of exactly one API), a greedy request (`temperature: 0`) and code
    that declares no seed (an application calling a chat API is not asked for one) are not judged.

    Why:
        The seed is the knob users turn to make a run reproducible, and its docstring says so;
        when it never reaches the shuffle or the sampling request, every run still sees the data
        in a different (or a fixed, unconfigurable) order or gets different generations, and
        changing the seed changes nothing.
    Fix:
        Pass it: `StreamingDataset(..., shuffle=True, seed=self.seed)`,
        `DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))`,
        `dataset.shuffle(seed=seed)`, `random.Random(seed).shuffle(items)`,
        `{"model": ..., "prompt": ..., "temperature": t, "seed": self._seed}`.
    Bad:
        @dataclass
        class Stream(DataModule):
            seed: int = 42
            def train_dataloader(self):
                return DataLoader(StreamingDataset(self.path, shuffle=True))
    Good:
        return DataLoader(StreamingDataset(self.path, shuffle=True, seed=self.seed))
    """
    shuffles = _SHUFFLE_WORDS.search(src.code) is not None
    samples = _SAMPLING_WORDS.search(src.code) is not None
    if not (shuffles or samples):
        return
    for call in src.changed_calls():
        line = src.changed_line(call)
        if line is None or not shuffles or _shuffler(src, call) is None:
            continue
        seed = _unused_seed(src, call)
        if seed is not None:
            yield Hit(line, f"{seed} is never used, and this shuffles without it.")
    if not samples:
        return
    for request in _changed_requests(src):
        line = src.changed_line(request)
        seed = _unused_seed(src, request) if line is not None else None
        if line is not None and seed is not None:
            yield Hit(line, f"{seed} is never used, and this sampling request is sent without it.")


# A file without one of these words sets no sampling in a generation request.
_SAMPLING_WORDS = re.compile(r"temperature|top_[pk]")


def _samples(settings: dict[str, ast.expr]) -> bool:
    """The request sets its sampling: a temperature other than a literal 0, or `top_p`/`top_k`."""
    temperature = settings.get("temperature")
    if temperature is not None:
        return not (isinstance(temperature, ast.Constant) and temperature.value == 0)
    return "top_p" in settings or "top_k" in settings


def _changed_requests(src: PythonFile) -> Iterator[ast.Call | ast.Dict]:
    """Changed generation requests that sample and are sent to an API that takes a seed, without
    it: SDK calls (the SDK facts' seed options) and request body literals (`sdk.request_body`)."""
    for node in src.nodes.walked:
        settings: dict[str, ast.expr]
        if isinstance(node, ast.Dict):
            settings = {
                key.value: value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            }
            body = sdk.request_body(frozenset(settings)) if "model" in settings else None
            seed_key = body.seed_key if body is not None else None
        elif isinstance(node, ast.Call):
            site = llm_call(src.names, node) if src.changed_line(node) is not None else None
            facts = site.facts if site is not None and not site.embedding else None
            option = facts.seed_option(site.method) if facts is not None and site is not None else None
            seed_key = option if option != sdk.UNKNOWN else None
            settings = {k.arg: k.value for k in node.keywords if k.arg is not None}
        else:
            continue
        if seed_key is not None and seed_key not in settings and _samples(settings):
            yield node


# Datasets whose `.shuffle()` draws from fresh entropy when given no seed: no global seed fixes it
# (Hugging Face `IterableDataset.shuffle` builds `np.random.default_rng(seed)`; webdataset's
# `.shuffle(n)` a `random.Random` seeded from the time and the process id).
_STREAMING_SOURCES = frozenset(["datasets.load_dataset", "datasets.IterableDataset.from_generator"])
_WEBDATASET_SOURCES = frozenset(["webdataset.WebDataset", "webdataset.DataPipeline", "webdataset.WebLoader"])


# Methods that return the same kind of stream (Hugging Face, webdataset's fluid interface).
_KEEPS_STREAMING = frozenset(
    [
        "map",
        "filter",
        "select_columns",
        "rename_column",
        "remove_columns",
        "shuffle",
        "skip",
        "decode",
        "to_tuple",
        "map_dict",
        "map_tuple",
        "select",
        "rename",
        "batched",
        "unbatched",
    ]
)


def _streaming_dataset(src: PythonFile, node: ast.AST, depth: int = 0) -> bool:
    """A Hugging Face streaming dataset (`load_dataset(..., streaming=True)`,
    `dataset.to_iterable_dataset()`) or a webdataset pipeline, what `.map`/`.filter`/`.shuffle`/...
    make of one, and a name any assignment in its scope binds to one."""
    if depth > 4:
        return False
    names = src.names
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "to_iterable_dataset":
            return True
        name = names.qualname(func) or ""
        if name in _WEBDATASET_SOURCES:
            return True
        if name in _STREAMING_SOURCES:
            streaming = kwarg(node, "streaming")
            return name.endswith("from_generator") or (streaming is not None and is_true(streaming.value))
        if isinstance(func, ast.Attribute) and func.attr in _KEEPS_STREAMING:
            return _streaming_dataset(src, func.value, depth + 1)
        return False
    if not isinstance(node, ast.Name):
        return False
    scope = src.nodes.function(node) or src.nodes.module
    values = [v for n, v in assigned_values(src.nodes.scopes.get(scope, [])) if n == node.id]
    if not values and node.id in names.bindings:
        values = [names.bindings[node.id]]
    return any(_streaming_dataset(src, value, depth + 1) for value in values)


@RULES.rule(
    "shuffle-without-seed",
    title="Data shuffled with no seed that any run can reproduce",
    severity=Severity.LOW,
    persona="ml-architecture-expert",
    kinds=("python", "notebook"),
)
def shuffle_without_seed(src: PythonFile) -> Iterator[Hit]:
    """Outside pytest modules: a shuffle that draws fresh entropy when given no seed, which no
    global seed fixes (`SHUFFLERS` entries marked `entropy`): a Hugging Face streaming dataset
    shuffled without `seed=` (`load_dataset(..., streaming=True).shuffle(buffer_size=...)`), a
    webdataset shuffling its shards (`WebDataset(urls, shardshuffle=100)` without `seed=`) or its
    samples (`.shuffle(1000)` without `rng=`/`seed=`); or a torch data loader that only a global
    seed would fix (`DataLoader(shuffle=True)` without `generator=`, `RandomSampler`,
    `random_split`) in a script (`__main__` guard or `def main`) that trains nothing and seeds no
    RNG — here, in the local modules it imports or in a project function or method it calls (two
    project calls deep, as `training-no-seed` follows them) — or in a module-level function whose every
    caller is such a script (one call away; the scripts name no seed, Trainer or determinism).

    Calibration: library modules are not judged for global-RNG shuffles unless every caller is
    found and is an unseeded script (otherwise their caller seeds); shuffles with a default seed
    (`DistributedSampler`: 0, litdata and mosaicml streaming) are reproducible; `random.shuffle`
    in a script is as often a deliberate random order (benchmarks) as data; scripts that train
    are `training-no-seed`'s; a seed in scope that is not passed is `seed-not-passed`'s; a
    shuffle under an `if` that tests a seed is unseeded on purpose.

    Why:
        Each run sees the data in a different order (and splits differ), so two runs of the same
        data preparation or evaluation give different results, and a regression cannot be told
        from noise or reproduced.
    Fix:
        Pass a seed: `dataset.shuffle(seed=SEED, buffer_size=10_000)`,
        `DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(SEED))`,
        `train_test_split(..., random_state=SEED)`, or seed the script once at its start.
    Bad:
        stream = load_dataset("acme/web-text", split="train", streaming=True)
        stream = stream.shuffle(buffer_size=10_000)
    Good:
        stream = stream.shuffle(seed=SEED, buffer_size=10_000)
    """
    if is_test_module(src.path) or not _SHUFFLE_WORDS.search(src.code):
        return
    names, module = src.names, src.tree
    script: bool | None = None
    for call in src.changed_calls():
        found = _shuffler(src, call)
        if found is None or _seed_in_scope(src, call) or _seed_decides(src, call):
            continue
        func = call.func
        line = src.changed_line(call)
        if line is None:
            continue
        if found.unseeded == "entropy" or (
            found is _DATASET_SHUFFLE
            and isinstance(func, ast.Attribute)
            and _streaming_dataset(src, func.value)
        ):
            yield Hit(line, "a streaming dataset shuffled without a seed draws a new order every run.")
            continue
        # Data loaders only: `random.shuffle` in a script is as often a deliberate random order
        # (benchmarks, sampling) as data; sklearn splitters are `training-no-seed`'s.
        if found.unseeded != "global" or not (names.call_name(call) or "").startswith("torch.utils.data."):
            continue
        if script is None:
            script = (
                _entry_point(module)
                and not any(_training_call(names, c) for c in src.nodes.calls)
                and not _seeds_globally(src)
                and not _seeded_behind(names, _entry_calls(src, [call]))
            )
        if script:
            yield Hit(line, "this script shuffles its data loader with an unseeded global RNG.")
            continue
        entry = None if _entry_point(module) else _unseeded_entry_point(src, call)
        if entry is not None:
            yield Hit(line, f"this loader shuffles with the global RNG, and {entry}.")


# A script that names any of these may seed (a helper, a Trainer's `args.seed`): not judged.
_MAY_SEED = re.compile(r"(?i)seed|Trainer\b|TrainingArguments|deterministic")


def _unseeded_entry_point(src: PythonFile, call: ast.Call) -> str | None:
    """The entry points that reach `call` one call away, when every call of its module-level
    function is in a script (`__main__` guard or `def main`) that seeds nothing, here or in the
    local modules it imports (no word of `_MAY_SEED` in them): what to say of them, else None."""
    function = src.nodes.function(call)
    if function is None or function not in src.tree.body or src.kind == "notebook":
        return None
    callers = src.repo.callers(function.name, limit=8)
    if not callers.complete or not callers.sites:
        return None
    scripts: list[str] = []
    for site in callers.sites:
        module = site.module
        text = src.repo.text(module.path) or ""
        if module.path == src.path or not _entry_point(module.tree) or _MAY_SEED.search(text):
            return None
        imported = _imported_paths(module.path, ast.walk(module.tree), src.repo.files)
        if any(_MAY_SEED.search(src.repo.text(path) or "") for path in imported if path != src.path):
            return None
        if module.path not in scripts:
            scripts.append(module.path)
    if len(scripts) == 1:
        return f"`{scripts[0]}`, the script that calls `{function.name}`, seeds no RNG"
    return f"none of the {len(scripts)} scripts that call `{function.name}` seeds an RNG"


def _seed_decides(src: PythonFile, call: ast.Call) -> bool:
    """The shuffle sits under an `if` that tests a seed (`if SEED is None: random.shuffle(x)`):
    unseeded on purpose, when no seed is configured."""
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.If, ast.IfExp)) and any(
            "seed" in str(binding_key(n) or getattr(n, "attr", "")).lower() for n in ast.walk(ancestor.test)
        ):
            return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
    return False


def _seed_in_scope(src: PythonFile, call: ast.Call) -> bool:
    """A seed-named parameter of an enclosing function, or a seed field of an enclosing class."""
    for ancestor in src.nodes.ancestors(call):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _SEED_PARAMETER.match(p) for p in _parameter_names(ancestor)
        ):
            return True
        if isinstance(ancestor, ast.ClassDef) and _class_seed_fields(ancestor):
            return True
    return False
