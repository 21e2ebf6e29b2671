"""Training and inference hygiene: reproducible runs, models put in eval mode for serving."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from archbot.models import Severity
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    Names,
    Tree,
    attribute_chain,
    call_receiver,
    is_false,
    is_none,
    is_route_handler,
    is_serving_module,
    is_true,
    kwarg,
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
    ]
)
# Hugging Face trainers seed every RNG in __init__ from `args.seed` (default 42).
_SEEDING_TRAINERS = re.compile(r"^(transformers|trl)\.(\w+\.)*\w*Trainer$")
_LOCAL_SEED_TEXT = re.compile(
    r"\b(manual_seed|seed_everything|set_seed|set_random_seed|enable_full_determinism|"
    r"random\.seed)\s*\(|\bdefault_rng\(\s*[^)\s]"
)
_SKLEARN_RANDOM = re.compile(
    r"^sklearn\.[\w.]*\.(train_test_split|KFold|StratifiedKFold|RepeatedKFold|ShuffleSplit|"
    r"StratifiedShuffleSplit|RandomForest\w+|RandomizedSearchCV|HalvingRandomSearchCV|"
    r"HalvingGridSearchCV)$"
)


def _seeding_call(names: Names, call: ast.Call) -> bool:
    name = names.call_name(call) or ""
    if name in _SEEDERS or _SEEDING_TRAINERS.match(name):
        return True
    if name == "numpy.random.default_rng":
        return bool(call.args or call.keywords)
    if name.endswith("TrainingArguments") or (name.startswith("trl.") and name.endswith("Config")):
        return True
    seed = kwarg(call, "random_state", "seed")
    if seed is not None and not is_none(seed.value):
        return True
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    # A project's own helper (`utils.seed_everything(cfg.seed)`, `fix_seeds()`): trust it.
    return "seed" in called.lower()


def _local_modules(src: PythonFile) -> Iterator[str]:
    """Repository paths of modules this file imports from the project itself."""
    here = PurePosixPath(src.path).parent
    for node in ast.walk(src.tree):
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


def _seeded(src: PythonFile) -> bool:
    if any(_seeding_call(src.names, call) for call in src.nodes.calls):
        return True
    for path in _local_modules(src):
        text = src.repo.text(path)
        if text is not None and _LOCAL_SEED_TEXT.search(text):
            return True
    return False


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
    """A training script (`if __name__ == "__main__"` / `def main`) or a module-level training
    function that calls `.fit(`, `Trainer(`, `.train(`, `loss.backward()` or `optimizer.step()`,
    in a module that seeds no RNG — here or in the local modules it imports: `torch.manual_seed`,
    `random.seed`, `np.random.seed`, `default_rng(seed)`, `tf.random.set_seed`, `set_seed`,
    `seed_everything`, `TrainingArguments` (Hugging Face trainers seed from `args.seed`).
    Also: sklearn `train_test_split`, `KFold(shuffle=True)`, `RandomForest*` and randomized
    searches without `random_state` (unless the module calls `np.random.seed`).

    Why:
        Unseeded runs differ in initialisation, data order, dropout and splits: a metric change
        cannot be told apart from noise, and a regression cannot be reproduced or bisected.
    Fix:
        Seed every RNG once at the start of the entry point (`transformers.set_seed(seed)`,
        `lightning.seed_everything(seed)`, or `random.seed`/`np.random.seed`/`torch.manual_seed`)
        and pass `random_state=` to sklearn splitters and estimators.
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
    names, tree, module = src.names, src.nodes, src.tree
    changed_calls = src.changed_calls()
    numpy_seeded = any(names.call_name(c) == "numpy.random.seed" for c in tree.calls)
    if not numpy_seeded:
        for call in changed_calls:
            what = _unseeded_sklearn(names, call)
            line = src.changed_line(call)
            if what is not None and line is not None:
                yield Hit(line, f"sklearn `{what}` without `random_state`.")
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
