"""Loading models and code from outside: pickles, remote code, floating Hub revisions."""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterable, Iterator

from archbot import carried
from archbot.models import Severity
from archbot.repo import loaders, packaging
from archbot.repo.model import Function, own_nodes, parameter_default
from archbot.repo.resolve import Keywords, Names, Tree, is_receiver, parameter_names
from archbot.rules import Family, Hit
from archbot.rules.pyast import (
    argument,
    assigned_values,
    beside_module,
    checked_local_path,
    is_false,
    is_none,
    is_route_handler,
    is_test_module,
    is_true,
    kwarg,
    leading_text,
    literal_text,
    scope_walk,
    string_value,
    url_value,
    values_bound,
)
from archbot.rules.source import PythonFile, SourceFile

RULES = Family()

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
# The start of a Hub id that writes out its organisation (`acme/`, `acme/encoder-`).
_HUB_ORG = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]*$")
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
# A torch requirement, on its own line or in a list (`dependencies = ["torch>=2.6", ...]`).
_TORCH_REQUIREMENT = r"(?:^|[\[,])\s*[\"']?torch\s*"
_OLD_TORCH = re.compile(
    _TORCH_REQUIREMENT + r"(==\s*(1\.|2\.[0-5]\b)|<\s*2\.[0-6]\b|<=\s*2\.[0-5]\b|~=\s*(1\.|2\.[0-5]\b))",
    re.M,
)
# A requirement whose floor is torch 2.6 or later, where `torch.load` defaults to weights_only=True.
_NEW_TORCH = re.compile(_TORCH_REQUIREMENT + r"(>=|==|~=|>)\s*(2\.([6-9]|\d{2,})\b|[3-9]\.)", re.M)
_TRUST_FLAG = re.compile(r"(^|\s|[\"'\[,])--trust-remote-code\b")
# The same switch as a setting: Helm values `trustRemoteCode: true`, `TRUST_REMOTE_CODE=true` in an
# env file or Dockerfile `ENV`, `trust_remote_code=True` in a model-arguments string; the value
# of a `- name: TRUST_REMOTE_CODE` env entry on the line after it.
_TRUST_SETTING = re.compile(
    r"(?i)(?:^|[^\w-])trust[_-]?remote[_-]?code[\"']?[ \t]*(?:[:=][ \t]*|[ \t]+)[\"']?(?:true|1|yes|on)\b"
)
_TRUST_NAME = re.compile(r"(?i)\bname:[ \t]*[\"']?trust[_-]?remote[_-]?code[\"']?[ \t]*$")
_TRUE_VALUE = re.compile(r"(?i)^[ \t]*value:[ \t]*[\"']?(?:true|1|yes|on)[\"']?[ \t]*$")


def _torch_floor(src: SourceFile) -> str | None:
    """What the requirements that govern the file say of torch's version: 'old' when one pins a
    release before 2.6 (`torch.load` then defaults to weights_only=False), 'new' when one requires
    2.6 or later and none pins an older one, None when they do not tell."""
    texts = [src.repo.text(path) or "" for path in _governing_manifests(src.repo.files, src.path)]
    if any(_OLD_TORCH.search(text) for text in texts):
        return "old"
    return "new" if any(_NEW_TORCH.search(text) for text in texts) else None


_SPECIFIER = re.compile(r"(<=|>=|==|~=|<|>)\s*(\d+(?:\.\d+)*)")


def _requires_at_least(src: SourceFile, package: str, version: tuple[int, ...]) -> bool:
    """A requirement that governs the file admits `package` only from `version` on (`nltk>=3.9.1`,
    `nltk==3.9.2`), and none pins or caps it below (`nltk==3.8.1`, `nltk<3.9`). A bare mention
    (`nltk`) is neutral: the install satisfies the other requirement."""
    mention = re.compile(
        rf"(?:^|[\[,])\s*[\"']?{re.escape(package)}\s*(?:\[[^\]]*\])?\s*([<>=~][^;\"'\n]*)?(?=[;\"',\s]|$)",
        re.M | re.I,
    )
    from_version: list[bool] = []
    for path in _governing_manifests(src.repo.files, src.path):
        for found in mention.finditer(src.repo.text(path) or ""):
            specifiers = [
                (operator, tuple(int(part) for part in number.split(".")))
                for operator, number in _SPECIFIER.findall(found.group(1) or "")
            ]
            if any(operator in ("<", "<=") and bound <= version for operator, bound in specifiers):
                return False
            lower = [bound for operator, bound in specifiers if operator in (">=", "==", "~=", ">")]
            if lower:
                from_version.append(max(lower) >= version)
    return bool(from_version) and all(from_version)


def _governing_manifests(files: Iterable[str], path: str) -> list[str]:
    """The dependency manifests in the directories that hold `path`, from its own up to the root:
    `requirements*.txt` (or a `requirements/` directory's `.txt` files), `pyproject.toml`,
    `setup.py`. A sibling project's or a vendored example's pins say nothing of this file's."""
    parts = path.split("/")[:-1]
    directories = {"/".join(parts[:depth]) for depth in range(len(parts) + 1)}
    found = []
    for file in files:
        directory, _, name = file.rpartition("/")
        parent, _, folder = directory.rpartition("/")
        beside = directory in directories and (
            fnmatch.fnmatchcase(name, "requirements*.txt") or name in ("pyproject.toml", "setup.py")
        )
        listed = folder == "requirements" and parent in directories and name.endswith(".txt")
        if beside or listed:
            found.append(file)
    return found


def _downloaded(src: PythonFile, node: ast.AST | None, scope: ast.AST) -> bool:
    """Is `node` a download call, `.content` of one, or a name assigned from one in `scope`?"""
    if isinstance(node, ast.Attribute) and node.attr == "content":
        node = node.value
    if isinstance(node, ast.Call):
        return src.names.call_name(node) in loaders.DOWNLOADERS or _project_download(src.names, node)
    if isinstance(node, ast.Name):
        for candidate in ast.walk(scope):
            if (
                isinstance(candidate, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in candidate.targets)
                and _downloaded(src, candidate.value, scope)
            ):
                return True
            if isinstance(candidate, ast.Call) and _fetches_to(src, candidate, node.id):
                return True
    return False


def _fetches_to(src: PythonFile, call: ast.Call, path: str) -> bool:
    """`call` is handed a web URL and the name `path` together (`download(url, model_path)`,
    `urlretrieve(f"https://.../{name}", target)`, whatever the function): it fetches that URL
    to the path."""
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if not any(isinstance(a, ast.Name) and a.id == path for a in arguments):
        return False
    for given in arguments:
        url = url_value(src.names, src.nodes, call, given)
        while isinstance(url, ast.BinOp) and isinstance(url.op, ast.Add):
            url = url.left
        if leading_text(url).startswith(("https://", "http://")):
            return True
    return False


def _project_download(names: Names, call: ast.Call) -> bool:
    """`call` runs a project function that downloads (calls one of the loaders table's
    DOWNLOADERS) and returns a value: what it returns is the file it fetched
    (`download_cached_file(url)` -> its cached path). One hop: the wrapper's own body."""
    callee = names.callee(call)
    if callee is None:
        return False
    function, body_names = callee
    nodes = list(ast.walk(function.node))
    returns = any(
        isinstance(node, ast.Return) and node.value is not None and not is_none(node.value) for node in nodes
    )
    return returns and any(
        isinstance(node, ast.Call) and body_names.call_name(node) in loaders.DOWNLOADERS for node in nodes
    )


def _refers_to_torch_load(src: PythonFile, value: ast.expr) -> bool:
    """`torch.load` itself, or one branch of a conditional choosing it (`a if safe else torch.load`)."""
    if isinstance(value, ast.IfExp):
        return _refers_to_torch_load(src, value.body) or _refers_to_torch_load(src, value.orelse)
    return src.names.qualname(value) == "torch.load"


def _torch_load_aliases(src: PythonFile) -> Iterator[tuple[ast.Assign, str, ast.Call]]:
    """`loader = torch.load` (or a conditional choosing it), paired with each call of `loader(...)`
    in the same scope that passes no `weights_only`."""
    if not any(module == "torch" or module.startswith("torch.") for module in src.names.imports.values()):
        return
    for scope_nodes in src.nodes.scopes.values():
        for node in scope_nodes:
            if not (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and _refers_to_torch_load(src, node.value)
            ):
                continue
            alias = node.targets[0].id
            for call in scope_nodes:
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == alias
                    and _leaves_weights_only(src, call)
                ):
                    yield node, alias, call


def _leaves_weights_only(src: PythonFile, call: ast.Call) -> bool:
    """The call surely passes no `weights_only`: none written, and every `**` splat one whose keys
    the code shows (`kwargs = {"weights_only": True} if new_torch else {}` may pass it)."""
    keywords = src.names.keywords(call)
    return "weights_only" not in keywords.values and keywords.complete


# Modules that unpickle anything, given as `torch.load(..., pickle_module=)`.
_PICKLE_MODULES = frozenset(["pickle", "dill", "cloudpickle", "pickle5", "joblib"])


def _own_unpickler(names: Names, call: ast.Call) -> bool:
    """`torch.load(path, pickle_module=LazyUnpickleModule)`: the project unpickles with its own
    module, typically one whose `find_class` admits only tensors and storages (the allow-list the
    fix asks for); pickle, dill or cloudpickle given there admit anything."""
    given = kwarg(call, "pickle_module")
    if given is None:
        return False
    qualname = names.qualname(given.value) or ""
    return qualname.split(".", 1)[0] not in _PICKLE_MODULES and not isinstance(given.value, ast.Constant)


def _round_trip(src: PythonFile, node: ast.AST | None) -> bool:
    """`pickle.loads(pickle.dumps(obj))`: bytes this process just made, not an artifact."""
    if not isinstance(node, ast.Call):
        return False
    name = src.names.call_name(node) or ""
    return name.endswith(".dumps") and name.split(".")[0] in ("pickle", "dill", "cloudpickle")


def _unpickled_state(src: PythonFile, call: ast.Call, data: ast.expr | None) -> bool:
    """`data` is the state `__setstate__` is handed, or a part of it (`dill.loads(state)`,
    `pickle.loads(state["model"])`, also through a local name or the state unpickled once more):
    bytes of the pickle being loaded, whose loader already runs whatever that pickle holds;
    unpickling them again adds nothing."""
    function = src.nodes.function(call)
    if not isinstance(function, ast.FunctionDef) or function.name != "__setstate__":
        return False
    if len(function.args.args) != 2 or data is None:
        return False
    state = function.args.args[1].arg
    for _ in range(3):
        while isinstance(data, (ast.Subscript, ast.Attribute)):
            data = data.value
        if not isinstance(data, ast.Name) or data.id == state:
            break
        data = next(iter(values_bound(scope_walk(function), data.id)), None)
        if isinstance(data, ast.Call) and (src.names.call_name(data) or "").endswith(".loads") and data.args:
            data = data.args[0]
    return isinstance(data, ast.Name) and data.id == state


def _stored_here(src: PythonFile, data: ast.expr | None, scope: ast.AST) -> bool:
    """`data` is bytes the same function stores itself, pickled, under the same name or key: a
    memo (`cache[key] = pickle.dumps(result)` ... `pickle.loads(cache[key])`), whatever store it
    keeps them in."""
    if not isinstance(data, (ast.Name, ast.Subscript, ast.Attribute)):
        return False
    read = ast.unparse(data)
    return any(
        isinstance(node, ast.Assign)
        and _round_trip(src, node.value)
        and any(ast.unparse(target) == read for target in node.targets)
        for node in scope_walk(scope)
    )


def _object_buffer(src: PythonFile, data: ast.expr | None, scope: ast.AST) -> bool:
    """`data` reads an attribute of the object (`self._lst[start:end]`, directly or through a local
    name: `view = memoryview(self._lst[a:b])`) that a method of a class of the module fills with
    bytes it pickles itself (`self._lst = np.concatenate([pickle.dumps(x) ...])`): a dataset list
    serialized into one buffer to share with its loader's workers, unpickled item by item."""
    if isinstance(data, ast.Name):
        data = next(iter(values_bound(scope_walk(scope), data.id)), None)
    if data is None:
        return False
    read = {
        node.attr for node in ast.walk(data) if isinstance(node, ast.Attribute) and is_receiver(node.value)
    }
    functions = (
        node for node in ast.walk(src.tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )
    return bool(read) and any(read & _pickled_into(src, function) for function in functions)


def _pickled_into(src: PythonFile, function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The attributes of its object a function assigns (`self._lst = ...`) when it pickles to bytes
    itself (loaders.PICKLE_DUMPS); none when it pickles nothing."""
    nodes = list(ast.walk(function))
    if not any(
        isinstance(node, ast.Call) and src.names.call_name(node) in loaders.PICKLE_DUMPS for node in nodes
    ):
        return set()
    return {
        target.attr
        for node in nodes
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and is_receiver(target.value)
    }


def _written_here(
    src: PythonFile, entry: loaders.Deserialiser, path: ast.expr | None, scope: ast.AST
) -> bool:
    """The function reads back a file it writes itself with the writer of that format (a cache,
    an index it built): `path` (or the path a file handle was opened on: `with open(path) as f`,
    or `open(path, "rb")` given in place) is the path one of its calls of a matching writer is
    given, written the same way, or a local name one of whose values is (`load_from =
    cache_path`). What the process wrote is not an artifact from elsewhere."""
    writers = {writer.qualname: writer for writer in loaders.SERIALISERS.get(entry.qualname, ())}
    if path is None or not writers:
        return False
    nodes = list(scope_walk(scope))
    opened = _opened_paths(src, nodes)
    written: set[str] = set()
    calls = [node for node in nodes if isinstance(node, ast.Call)]
    for call in calls:
        writer = writers.get(src.names.call_name(call) or "")
        file = argument(call, writer.path_position, *writer.path_names) if writer is not None else None
        if file is not None:
            written.add(ast.dump(_file_path(src, file, opened)))
    for call in calls:
        move = _move(src, call) if written else None
        if move is not None and ast.dump(_file_path(src, move[0], opened)) in written:
            written.add(ast.dump(move[1]))
    read = _file_path(src, path, opened)
    if ast.dump(read) in written:
        return True
    # A local name one of whose values is a path written here (`load_from = cache_path` when the
    # cache exists, else computed and dumped there): the function's cache, read back.
    if not isinstance(read, ast.Name):
        return False
    return any(ast.dump(value) in written for value in values_bound(nodes, read.id))


def _saved_by_module(
    src: PythonFile,
    entry: loaders.Deserialiser,
    path: ast.expr | None,
    scope: ast.AST,
) -> bool:
    """Some function of the module writes, with the writer
    of that format, a file of the name this load reads (`torch.save(state, self.persist_path)` in
    `persist`, `torch.load(self.persist_path)` in `__init__`; `os.path.join(ckpt_dir,
    f"rng_{rank}.pt")` saved, `os.path.join(load_dir, f"rng_{rank}.pt")` loaded): the module's own
    format, read back."""
    writers = {writer.qualname: writer for writer in loaders.SERIALISERS.get(entry.qualname, ())}
    if path is None or not writers:
        return False
    read = _file_name(src, path, scope)
    if read is None:
        return False
    for call in src.nodes.calls:
        writer = writers.get(src.names.call_name(call) or "")
        file = argument(call, writer.path_position, *writer.path_names) if writer is not None else None
        function = src.nodes.function(call)
        if file is None:
            continue
        saved = _file_name(src, file, function or src.tree)
        if saved is not None and (saved == read or _fits(saved, read) or _fits(read, saved)):
            return True
    return False


def _dataset_sample(src: PythonFile, call: ast.Call) -> bool:
    """`call` runs in a method of a dataset class (one deriving, directly or through project
    classes, from the loaders table's DATASET_CLASSES): it reads the samples whoever trains
    pointed the dataset at, their own data."""
    cls = src.names.enclosing_class(call)
    if cls is None or src.repo is None:
        return False
    return any(base in loaders.DATASET_CLASSES for base in src.repo.subclasses_external(cls))


def _store_record(src: PythonFile, call: ast.Call) -> bool:
    """`call` runs where a local record store is opened (the loaders table's RECORD_STORES): in its
    function, or in a method of its class (`self.env = lmdb.open(root)` in `__init__`). What it
    unpickles are the records whoever packed the store wrote."""
    scopes = [src.nodes.function(call), src.nodes.enclosing_class(call)]
    return any(
        isinstance(node, ast.Call) and src.names.call_name(node) in loaders.RECORD_STORES
        for scope in scopes
        if scope is not None
        for node in ast.walk(scope)
    )


# Words naming an optimizer's state in a checkpoint (`state["optimizer"]`, `"optim_states"`), and
# an optimizer object: an `opt` whose `load_state_dict` runs is one, while a checkpoint's `"opt"`
# key as often holds the run's options.
_OPTIMIZER_KEY_WORDS = frozenset(["optimizer", "optimizers", "optim"])
_OPTIMIZER_WORDS = _OPTIMIZER_KEY_WORDS | {"opt"}


def _resumes_training(scope: ast.AST, path: ast.expr | None) -> bool:
    """The function restores an optimizer's state (`optimizer.load_state_dict(state["optimizer"])`,
    `engine.load_optimizer(optimizer, path)`) or reads it from what it loaded (`state["optimizer"]`,
    `state.get("optimizer")`), itself or in a helper it defines and calls: it resumes a training
    run, and what it loads are checkpoints that run wrote. Pretrained weights carry no optimizer
    state to restore; a path named for them (`config.pretrained_path`) is read by a function that
    also resumes, and is theirs."""
    if path is not None and any("pretrain" in word.lower() for word in _words_of(path)):
        return False
    for node in _with_local_helpers(scope):
        if (key := _key_read(node)) is not None and _OPTIMIZER_KEY_WORDS & set(key.lower().split("_")):
            return True
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method == "load_state_dict":
            owner = node.func.value
            named = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if _OPTIMIZER_WORDS & set(named.lower().split("_")):
                return True
        elif method.startswith("load_") and _OPTIMIZER_WORDS & set(method.split("_")):
            return True
    return False


def _with_local_helpers(scope: ast.AST) -> list[ast.AST]:
    """The nodes of a scope and of the functions it defines and calls itself (`def
    _load_optimizer(): ...` then `_load_optimizer()`): what it runs, helpers included."""
    nodes = list(scope_walk(scope))
    called = {
        node.func.id for node in nodes if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    helpers = [
        child
        for node in nodes
        for child in ast.iter_child_nodes(node)
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name in called
    ]
    return [*nodes, *(inner for helper in helpers for inner in scope_walk(*helper.body))]


def _words_of(node: ast.expr) -> Iterator[str]:
    """The names, attributes and literal text an expression is written with."""
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            yield part.id
        elif isinstance(part, ast.Attribute):
            yield part.attr
        elif isinstance(part, ast.Constant) and isinstance(part.value, str):
            yield part.value


def _key_read(node: ast.AST) -> str | None:
    """The literal key whose value `node` reads from a mapping: `state["key"]`, `state.get("key")`
    or `.pop("key")` (a test for the key, `"key" in state`, reads nothing)."""
    if isinstance(node, ast.Subscript):
        key: ast.AST = node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "pop")
        and node.args
    ):
        key = node.args[0]
    else:
        return None
    return string_value(key)


def _bound_path(src: PythonFile, path: ast.expr, scope: ast.AST) -> ast.expr:
    """What a local name stands for as a path in its function: the path it is bound to once and
    only once (`checkpoint = os.path.join(d, "model.bin")`, `out = self._shard_path(i)`, `name =
    f"intkey_{k}.bin"`); not an in-memory buffer, not a parameter; else the node itself."""
    function = scope if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if not isinstance(path, ast.Name) or (function is not None and path.id in parameter_names(function)):
        return path
    bound = values_bound(scope_walk(scope), path.id)
    assigned = len(bound) == 1 and isinstance(src.nodes.parents.get(bound[0]), (ast.Assign, ast.AnnAssign))
    return bound[0] if assigned and _names_a_file(src, bound[0]) else path


def _names_a_file(src: PythonFile, value: ast.expr) -> bool:
    """A value that is a path as code: a literal, a joined or formatted path, or what a project
    function returns (`self._shard_path(i)`); not a buffer or a handle of a library."""
    if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp)) or _template(value) is not None:
        return True
    if not isinstance(value, ast.Call):
        return False
    made = _joins_path(src, value) or src.names.call_name(value) == "pathlib.Path"
    return made or src.names.target(value) is not None


def _joins_path(src: PythonFile, call: ast.Call) -> bool:
    """`os.path.join(...)`, however `os` came in (a star import too), or `root.joinpath(...)`."""
    return (
        src.names.call_name(call) == "os.path.join"
        or ast.unparse(call.func) == "os.path.join"
        or (isinstance(call.func, ast.Attribute) and call.func.attr == "joinpath")
    )


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PERCENT_FIELD = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?[sdifrx]")


def _fits(template: str, name: str) -> bool:
    """A file name template (`snapshot_{}.pth`, `f"ckpt_{step}.pt"`) whose own words say more than
    its extension fits a name (`snapshot_best.pth`): the two name one kind of file."""
    parts = _PLACEHOLDER.split(template)
    stem = "".join(parts).rsplit(".", 1)[0]
    if len(parts) == 1 or len(re.sub(r"[\W_]", "", stem)) < 3:
        return False
    return re.fullmatch(".+".join(map(re.escape, parts)), name) is not None


def _file_name(src: PythonFile, file: ast.expr, scope: ast.AST) -> str | None:
    """The last component of the path a file argument stands for in its function (`_file_path`,
    `_bound_path`) as code (`os.path.join(d, f"rng_{rank}.pt")`: `f"rng_{rank}.pt"`; `root /
    "x.pt"`: `x.pt`; `self.persist_path`; a parameter's default file name), or None for a bare
    name: a parameter without one or a local of its own function, which names nothing another
    function can share."""
    path = _last_component(src, file, scope)
    if isinstance(path, ast.Name):
        return None
    template = _template(path)
    if isinstance(path, ast.JoinedStr):
        text = "".join(
            str(part.value) if isinstance(part, ast.Constant) else "{" + ast.unparse(part) + "}"
            for part in path.values
        )
    elif template is not None:
        text = template
    else:
        text = string_value(path) or ast.unparse(path)
    if isinstance(path, (ast.Constant, ast.JoinedStr)) or template is not None:
        # The text after the last separator: `f"{root}/cache.pt"` and `f"{other}/cache.pt"` name
        # one file in two directories.
        text = text.rsplit("/", 1)[-1]
    # `prefix + ".pt"` ends like every file of its kind: an extension names no file.
    return None if not text or text.startswith(".") else text


def _last_component(src: PythonFile, file: ast.expr, scope: ast.AST) -> ast.expr:
    """The expression of the last component of the path a file argument stands for in its
    function (`_file_name`)."""
    path = _bound_path(src, _file_path(src, file, _opened_paths(src, list(scope_walk(scope)))), scope)
    if isinstance(path, ast.Call) and _joins_path(src, path) and path.args:
        path = _bound_path(src, path.args[-1], scope)
    elif isinstance(path, ast.BinOp) and isinstance(path.op, (ast.Div, ast.Add)):
        path = _bound_path(src, path.right, scope)
    if isinstance(path, ast.Name) and isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # A parameter defaulting to a file (`def load(self, path="./checkpoint.pt")`) names that
        # file, as the `save` beside it that defaults to the same one does.
        default = parameter_default(scope, path.id) if path.id in parameter_names(scope) else None
        path = default if default is not None and string_value(default) is not None else path
    return path


def _own_cache(src: PythonFile, entry: loaders.Deserialiser, path: ast.expr | None, scope: ast.AST) -> bool:
    """A file read under a literal name (`cache_dir / "vocab.pkl"`) that another function of the
    module writes, with the writer of that format, under the same name: the module's own cache. A
    name formatted at run time (`f"{request_id}.pkl"` in a spool other processes write to) or a
    path kept elsewhere names no file of the module's own."""
    if path is None:
        return False
    last = _last_component(src, path, scope)
    literal = isinstance(last, ast.Constant) and isinstance(last.value, str)
    return literal and _saved_by_module(src, entry, path, scope)


def _untraced(src: PythonFile, call: ast.Call, loaded: ast.expr | None, scope: ast.AST) -> str:
    """The `run-time` variant for a load whose file or bytes the code shows coming from nowhere in
    particular (no download, no repository file, no request: a path a caller or a setting
    passes on), outside a web route handler (`in-house` in a package whose code reaches nobody
    else); '' in a handler or for request data, where the client may choose what is unpickled."""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_route_handler(scope):
        return ""
    given = [value for value in (loaded, *call.args) if value is not None]
    if any(src.names.request_source(value) is not None for value in given):
        return ""
    return _own_artifact(src, "run-time")


def _own_artifact(src: PythonFile, variant: str) -> str:
    """`variant` for an artifact of no outside source, or `in-house` when the package holding the
    file reaches nobody else (published nowhere, no image pushed): its callers are then this
    repository's own code, which loads its own artifacts, and nobody else points it at a file."""
    return "in-house" if packaging.reaches_others(src.repo, src.path) is False else variant


def _template(path: ast.expr) -> str | None:
    """The text of a name formatted from a literal (`"snapshot_{}.pth".format(tag)`, `"shard_%02d.bin"
    % rank`), each field written `{}`; None for anything else."""
    if isinstance(path, ast.Call) and isinstance(path.func, ast.Attribute) and path.func.attr == "format":
        text = string_value(path.func.value)
        return None if text is None else _PLACEHOLDER.sub("{}", text)
    if isinstance(path, ast.BinOp) and isinstance(path.op, ast.Mod):
        text = string_value(path.left)
        return None if text is None else _PERCENT_FIELD.sub("{}", text)
    return None


def _move(src: PythonFile, call: ast.Call) -> tuple[ast.expr, ast.expr] | None:
    """(source, destination) of a call that moves a file into place (loaders.FILE_MOVES:
    `os.replace(tmp.name, path)`; `tmp_path.replace(path)`); a handle's `.name` is the handle's
    file."""
    positions = loaders.FILE_MOVES.get(src.names.call_name(call) or "")
    if positions is not None:
        source, target = argument(call, positions[0]), argument(call, positions[1])
    elif isinstance(call.func, ast.Attribute) and call.func.attr in loaders.PATH_MOVES and call.args:
        source, target = call.func.value, call.args[0]
    else:
        return None
    if source is None or target is None:
        return None
    if isinstance(source, ast.Attribute) and source.attr == "name":
        source = source.value
    return source, target


def _file_path(src: PythonFile, file: ast.expr, opened: dict[str, ast.expr]) -> ast.expr:
    """The path a file argument stands for: the path its handle was opened on (a name bound to
    `open(path)`, or `open(path, mode)` itself), else the argument as written."""
    if isinstance(file, ast.Name):
        return opened.get(file.id, file)
    path = _opened_on(src, file)
    return file if path is None else path


def _opened_paths(src: PythonFile, nodes: list[ast.AST]) -> dict[str, ast.expr]:
    """Each name bound to a file opened on a path (`with open(path, "rb") as f`, `f = open(path)`)
    -> that path."""
    return {
        name: path for name, value in assigned_values(nodes) if (path := _opened_on(src, value)) is not None
    }


def _opened_on(src: PythonFile, value: ast.expr) -> ast.expr | None:
    """The path of `open(path, ...)` or of a path object's `path.open("rb")`; None for anything
    else."""
    if not isinstance(value, ast.Call):
        return None
    if src.nodes.builtin(value.func, "open") is not None and value.args:
        return value.args[0]
    if (
        isinstance(value.func, ast.Attribute)
        and value.func.attr == "open"
        and all(_is_file_mode(mode) for mode in value.args)
    ):
        return value.func.value
    return None


_FILE_MODE = re.compile(r"[rwxabt+]+")


def _is_file_mode(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _FILE_MODE.fullmatch(node.value) is not None
    )


def _unpickles(entry: loaders.Deserialiser, keywords: Keywords, path: ast.expr | None) -> bool:
    """Does this call of a table loader unpickle? Always; or when its option has the unsafe value
    (or is left out, for a `default_unsafe` entry); or when its format option names pickle, or is
    left out (or "auto") and the literal path ends in a pickle extension. An option a `**` splat
    the code does not show may carry is not taken as left out."""
    if entry.when == "always":
        return True
    value = keywords.get(entry.option)
    if entry.when == "option":
        if value is None:
            return entry.default_unsafe and keywords.complete
        return (
            isinstance(value, ast.Constant)
            and type(value.value) is type(entry.value)
            and value.value == entry.value
        )
    chosen = string_value(value) if value is not None else "auto"
    if chosen in entry.pickle_formats:
        return True
    return chosen == "auto" and literal_text(path).endswith(entry.pickle_extensions)


def _literal_file(src: PythonFile, path: ast.expr | None, scope: ast.AST) -> ast.expr | None:
    """The path as written, or for a handle the path it was opened on (`with open("x.pkl", "rb")
    as f`)."""
    if path is None:
        return None
    return _file_path(src, path, _opened_paths(src, list(scope_walk(scope))))


# A literal naming a resource by its index (`nltk:tokenizers/punkt/english.pickle`): a scheme of two
# or more letters (one is a Windows drive) not followed by `//` (a URL: a file fetched directly).
_RESOURCE_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][\w+.-]+):(?!//)")


def _resource_scheme(entry: loaders.Deserialiser, node: ast.expr | None) -> str | None:
    """The scheme of a literal that names a resource of a data index, not a file path: written
    out, or the loader's own default for a relative name (`nltk.data.load("tokenizers/punkt/
    english.pickle")`, or an f-string beginning so)."""
    head = leading_text(node)
    match = _RESOURCE_SCHEME.match(head)
    if match:
        # `file:` names a file on this machine (RFC 8089), chosen like any path.
        return match.group("scheme") if match.group("scheme").lower() != "file" else None
    if entry.index_scheme and head and not head.startswith(("/", "~", ".", "\\")):
        return entry.index_scheme
    return None


def _repository_file(names: Names, node: ast.expr | None) -> bool:
    """A file of the repository: a relative literal path, or a path built from the module's own
    file (`Path(__file__).parent / "assets" / "calibrator.pkl"`)."""
    value = string_value(node)
    if value is not None:
        return not value.startswith(("/", "~", "http:", "https:", "s3:", "gs:"))
    return beside_module(names, node)


@RULES.rule(
    "unsafe-model-deserialization",
    title="Pickle-based model or data loading",
    severity=Severity.HIGH,
    persona="ai-architect-agent",
    kinds=("python", "notebook"),
    peers=("B614", "B301", "S301", "B403", "S614"),
)
def unsafe_model_deserialization(src: PythonFile) -> Iterator[Hit]:
    """Loading a model or data file with pickle, which runs any code the file contains. The loaders
    are those of the loaders table (repo/loaders.py); it speaks in every file of a change that holds
    ML/LLM code (the module that saves and loads a model often imports no ML package), and a pickle
    round trip of the process's own bytes is not reported, nor the state `__setstate__` is handed
    (`dill.loads(state)`: the pickle being loaded already runs what it holds), nor a pickle load
    that runs only after its caller opted in (inside `if allow_pickle:`, or after `if not
    allow_pickle: raise` in the same block, or after a setting compared with its yes that raises
    otherwise: `if options.get("trust_insecure_model_files", "false") != "true": raise`; the flag's
    name says allow, trust or unsafe): that is the informed choice the fix asks for; nor a
    `torch.load` given the project's own `pickle_module=` (an allow-listed unpickler, not pickle,
    dill or cloudpickle); nor one in a function that exchanges bytes between the processes of its
    job (a torch.distributed collective of the loaders table's JOB_TRANSPORTS, called there or in a
    project function it calls: `ddp_allgather(buffer)`), or of a tensor's bytes
    (`gathered[i].numpy().tobytes()`, whatever collective carried them): the job's own data; nor a
    `loads` of a parameter in a module that pickles to bytes itself and starts worker processes
    (WORKER_PROCESSES: a function `dill.dumps`-ed for a process pool and loaded in the worker); nor
    a file the same function writes itself, at the path it reads, with a writer of that format (the
    loaders table's SERIALISERS: a cache `pickle.dump`-ed and read back, an index `np.save`-d before
    `np.load(..., allow_pickle=True)`, features `torch.save`-d before `torch.load`), directly or to
    a temporary file it moves onto that path (FILE_MOVES: `os.replace(tmp.name, path)`);
    nor bytes it stores pickled under the name or key it reads (a memo: `cache[key] =
    pickle.dumps(result)` ... `pickle.loads(cache[key])`), or that a method of the module's classes
    pickles into the attribute it reads (a dataset list serialized into `self._lst`, unpickled
    item by item); nor a loader whose package, from a
    release on, unpickles through a restricted unpickler that refuses code (the loaders table's
    `safe_since`: `nltk.data.load` from nltk 3.9.1), where the requirements of the directories
    holding the file admit only that release or later (`nltk>=3.9.1`).
    A path decided at run time whose file another function of the module writes, with a writer of
    that format, under the literal name it reads (a cache one method dumps to `cache_dir /
    "vocab.pkl"` and another reads back; not a name formatted at run time, as a spool's
    `f"{request_id}.pkl"`, nor a download), is the `own-file` variant: an application's or a
    script's own file, not reported there, in its route handlers too; a library reads it from
    wherever its caller points it (a vector store's persisted metadata, a classifier shared
    between machines), where it is reported if it is published (as below).
    A path or bytes decided at run time that the code shows coming from no outside source (no
    download, no request data, no repository file: a path a caller or a setting passes on),
    outside a web route handler, is the `run-time` variant (for `torch.load` too, whatever its
    release): in an application the operator's own
    artifact (its model, its index), not reported there; a library loads whatever its callers
    point it at, where it is reported — if its code reaches anyone else (its README, the
    repository's or an installation page of its docs installs it by name or from its git
    repository, a workflow uploads it, or a workflow pushes an image others run:
    repo/packaging.py): a package nothing publishes or ships is run by no one else, its callers
    are the repository's own code, and it is not reported either (the `in-house` variant). In a
    route handler the client may choose the file: it is reported as before.
    A web handler that picks a codec from a table by request data (`CODECS[request.headers[
    "Content-Type"]]`, a query parameter; the request objects of repo/web.py), itself or through a
    project function it hands the data to that returns the pick (`codec_for(content_type)`), where
    one entry of the table — in any project module — unpickles what it is handed, is reported at
    critical on the lookup (or the factory call) when what it picked is applied to the request:
    the client chooses to be unpickled.
    A codec the server picks itself (a constant, its configured content type), a table none of
    whose entries unpickles, a pick never applied to the request (the Accept header's codec that
    only encodes the reply), and a key the handler vetted first (an `if` on it that raises or
    returns: the pickle type refused, an allow-list) are not reported there.

    A `torch.load` of a downloaded file (fetched by a downloader of the loaders table, or by a
    project function that calls one and returns what it fetched: `download_cached_file(url)`, or
    at a path a call was handed together with a web URL: `download(url, model_path)`) is
    high without `weights_only` and critical with `weights_only=False`. Of a file the code did not
    download, an explicit `weights_only=False` is the author's choice for the project's own
    checkpoints: not reported. A `weights_only` in a `**` splat the code shows counts as written
    (`options = {"weights_only": True} if new_torch else {}`); a splat it does not show, or the
    caller's own `**kwargs` passed on, may carry one: not reported. A `torch.load` that leaves
    `weights_only` to torch's default (True since 2.6) is said low, unless the requirements of the
    directories holding the file (its own up to the root's; not a sibling project's) pin an older
    torch (high) or require 2.6 or later (not reported: the default is the safe load). Said low,
    it is not reported either when some function of the module `torch.save`s a file of the name it
    reads (a store persisting itself, a checkpoint's RNG states; a local name stands for the one
    path it is bound to, a parameter for the file it defaults to: `def load(self, path=
    "./policy.pt")` beside a `save` defaulting to the same file, and a template of the saved
    names fits the name read: `"snapshot_{}.pth".format(tag)` saved, `"snapshot_best.pth"` read):
    the module's own format, read back where torch is likely to load it safely. Whatever torch is
    pinned, a `torch.load` without `weights_only` that is no download is not reported in a
    function that restores an optimizer's state (`optimizer.load_state_dict(state["optimizer"])`,
    `engine.load_optimizer(optimizer, path)`): a training run resumed from the checkpoints it
    wrote, an artifact the fix allows.
    A method of a dataset class (deriving from torch's `Dataset` or `IterableDataset`, or
    torchvision's `VisionDataset`, directly or through project classes: the loaders table's
    DATASET_CLASSES) reads the samples whoever trains pointed it at (precomputed latents,
    tokenized shards, annotations): its loads of a path decided at run time, and its `torch.load`s
    without `weights_only`, are not reported; a download there still is. Nor are the records a
    function unpickles from a local record store that it, or its class, opens (the loaders
    table's RECORD_STORES: `lmdb.open(root)`, LevelDB): the data whoever packed the store wrote.
    Another loader is critical on a download, medium on a file of the repository (a relative
    literal path, or one built from the module's own file: `Path(__file__).parent / "assets" /
    "calibrator.pkl"`, a pickle that ships with the code but that no review can read) or on a
    resource a data index names (`nltk:tokenizers/punkt/english.pickle`, or a relative name the
    loader looks up in its index: `nltk.data.load("tokenizers/punkt/english.pickle")`), and high
    on a path decided at run time.

    Why:
        A pickle (`torch.load` with `weights_only=False`, `pickle`/`cloudpickle`/`dill`, `joblib`,
        `shelve`, `pandas.read_pickle`, `numpy.load(allow_pickle=True)`, `nltk.data.load` of a
        pickle) executes arbitrary code from the artifact. A model file from a hub, a bucket or a
        user upload becomes remote code execution (CWE-502, OWASP LLM03).
    Fix:
        Store weights as safetensors (`safetensors.torch.load_file`), load PyTorch checkpoints with
        `torch.load(path, weights_only=True)`, and keep pickles only for artifacts you produced
        and verified.
    Bad:
        state = torch.load(hf_hub_download("org/scorer", "model.pth"), weights_only=False)
    Good:
        state = safetensors.torch.load_file(hf_hub_download("org/scorer", "model.safetensors"))
    """
    names = src.names
    for call in src.changed_calls():
        name = names.call_name(call)
        line = src.changed_line(call)
        entry = loaders.deserialiser(name)
        if line is None or name is None or entry is None:
            continue
        scope = src.nodes.function(call) or src.tree
        path_arg = argument(call, entry.path_position, *entry.path_names)
        if name == "torch.load":
            keywords = names.keywords(call)
            weights_only = keywords.get("weights_only")
            if _own_unpickler(names, call) or _written_here(src, entry, path_arg, scope):
                continue
            if weights_only is None:
                downloaded = _downloaded(src, path_arg, scope)
                own_data = _resumes_training(scope, path_arg) or _dataset_sample(src, call)
                if (own_data and not downloaded) or not keywords.complete:
                    continue  # the run's own data; or a `**` splat the code does not show may carry it
                if downloaded:
                    yield Hit(
                        line,
                        "`torch.load` of a downloaded file without `weights_only=True`.",
                        Severity.HIGH,
                    )
                elif (floor := _torch_floor(src)) == "old":
                    yield Hit(
                        line,
                        "`torch.load` without `weights_only`, and its requirements pin "
                        "torch < 2.6 where the default is `weights_only=False`.",
                        Severity.HIGH,
                        variant=_untraced(src, call, path_arg, scope),
                    )
                elif floor is None and not _saved_by_module(src, entry, path_arg, scope):
                    yield Hit(
                        line,
                        "`torch.load` without `weights_only`: safe only on torch >= 2.6 "
                        "(where it defaults to True); say `weights_only=True`.",
                        Severity.LOW,
                        variant=_untraced(src, call, path_arg, scope),
                    )
            elif is_false(weights_only) and _downloaded(src, path_arg, scope):
                # Written out, the opt-out is the author's choice (a checkpoint holding optimizer
                # state or Python objects the safe loader refuses): what makes it a hole is a file
                # from elsewhere, and only a download says so (read on public ML code, every other
                # such load was of the project's own checkpoints, and stayed).
                yield Hit(
                    line, "`torch.load(..., weights_only=False)` of a downloaded file.", Severity.CRITICAL
                )
            continue
        if not _unpickles(entry, names.keywords(call), path_arg) or _round_trip(src, path_arg):
            continue
        if _unpickled_state(src, call, path_arg):
            continue
        if _stored_here(src, path_arg, scope) or _object_buffer(src, path_arg, scope):
            continue
        if _written_here(src, entry, path_arg, scope):
            continue
        if _behind_opt_in(src.nodes, call) or _between_ranks(src, call) or _tensor_bytes(path_arg, scope):
            continue
        if _handed_to_workers(src, call, path_arg):
            continue
        if entry.safe_since is not None and _requires_at_least(src, *entry.safe_since):
            continue
        if _downloaded(src, path_arg, scope):
            yield Hit(line, f"`{name}` of a downloaded file.", Severity.CRITICAL)
        elif (scheme := _resource_scheme(entry, literal := _literal_file(src, path_arg, scope))) is not None:
            yield Hit(line, f"`{name}` of a `{scheme}:` resource, fetched from its index.", Severity.MEDIUM)
        elif _repository_file(names, literal):
            yield Hit(line, f"`{name}` of a repository file.", Severity.MEDIUM)
        elif _dataset_sample(src, call) or _store_record(src, call):
            continue
        elif _own_cache(src, entry, path_arg, scope):
            detail = f"`{name}` of a file this module writes itself, read from where its caller says."
            yield Hit(line, detail, variant=_own_artifact(src, "own-file"))
        else:
            read = "data" if name.endswith((".loads", ".decode")) else "a path"
            variant = _untraced(src, call, path_arg, scope)
            yield Hit(line, f"`{name}` of {read} decided at run time.", variant=variant)
    yield from _aliased_torch_load(src)
    yield from _request_chosen_unpickler(src)


_OPT_IN_WORDS = ("allow", "trust", "unsafe")


def _opt_in_flag(test: ast.expr) -> bool:
    return any(word in ast.unparse(test).lower() for word in _OPT_IN_WORDS)


# How a flag read from configuration says yes.
_YES = frozenset(["true", "1", "yes", "on"])


def _unset(test: ast.expr) -> ast.expr | None:
    """The flag `test` holds when it is not set: `not allow_pickle`; a setting compared with its
    yes (`options.get("trust_insecure_model_files", "false").lower() != "true"`, `flag is not
    True`); None for any other test. (`flag is False` refuses only a flag set to no: one left
    unset still loads.)"""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return test.operand
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant)
    ):
        return None
    operator, value = test.ops[0], test.comparators[0].value
    said = str(value).lower() if isinstance(value, (str, bool, int)) else None
    return test.left if isinstance(operator, (ast.NotEq, ast.IsNot)) and said in _YES else None


def _refuses_unless_opted_in(statement: ast.stmt) -> bool:
    """`if not allow_pickle: raise ...`, or the same of a setting compared with its yes
    (`if options.get("trust_insecure_model_files", "false").lower() != "true": raise ...`)."""
    flag = _unset(statement.test) if isinstance(statement, ast.If) else None
    return (
        isinstance(statement, ast.If)
        and flag is not None
        and _opt_in_flag(flag)
        and any(isinstance(inner, ast.Raise) for inner in statement.body)
    )


def _behind_opt_in(tree: Tree, call: ast.Call) -> bool:
    """`call` runs only when its caller opted in: in the body of `if allow_pickle:`, or after an
    `if not allow_pickle: raise` earlier in a block that holds it (within its function)."""
    child: ast.AST = call
    for ancestor in tree.ancestors(call):
        if (
            isinstance(ancestor, ast.If)
            and _unset(ancestor.test) is None
            and any(statement is child for statement in ancestor.body)
            and _opt_in_flag(ancestor.test)
        ):
            return True
        for block in (getattr(ancestor, field, None) for field in ("body", "orelse", "finalbody")):
            if isinstance(block, list) and any(statement is child for statement in block):
                before = block[: next(i for i, statement in enumerate(block) if statement is child)]
                if any(_refuses_unless_opted_in(statement) for statement in before):
                    return True
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        child = ancestor
    return False


def _between_ranks(src: PythonFile, call: ast.Call) -> bool:
    """`call`'s function moves bytes between the ranks of its job (loaders.JOB_TRANSPORTS), itself
    or through a project function that does (`ddp_allgather(buffer)` wrapping `dist.all_gather`)."""
    function = src.nodes.function(call)
    if function is None:
        return False
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        if src.names.call_name(node) in loaders.JOB_TRANSPORTS:
            return True
        callee = src.names.callee(node)
        if callee is not None and any(
            isinstance(inner, ast.Call) and callee[1].call_name(inner) in loaders.JOB_TRANSPORTS
            for inner in ast.walk(callee[0].node)
        ):
            return True
    return False


def _tensor_bytes(data: ast.expr | None, scope: ast.AST) -> bool:
    """`data` is a tensor's bytes (`gathered[i].numpy().tobytes()`, also through a local name):
    objects a job moves between its ranks inside tensors, whatever collective carried them (a
    training library's own over NCCL, as torch's `*_object` collectives do over theirs)."""
    if isinstance(data, ast.Name):
        data = next(iter(values_bound(scope_walk(scope), data.id)), None)
    if not (
        isinstance(data, ast.Call) and isinstance(data.func, ast.Attribute) and data.func.attr == "tobytes"
    ):
        return False
    array = data.func.value
    return (
        isinstance(array, ast.Call) and isinstance(array.func, ast.Attribute) and array.func.attr == "numpy"
    )


def _handed_to_workers(src: PythonFile, call: ast.Call, data: ast.expr | None) -> bool:
    """`pickle.loads(payload)` of a parameter, in a module that pickles to bytes itself and starts
    worker processes (loaders.WORKER_PROCESSES): a function or task the program hands its own
    workers (`dill.dumps(fn)` in the parent, `dill.loads(payload)` in the worker)."""
    function = src.nodes.function(call)
    if function is None or not isinstance(data, ast.Name) or data.id not in parameter_names(function):
        return False
    if not (src.names.call_name(call) or "").endswith(".loads"):
        return False
    called = {src.names.call_name(node) for node in src.nodes.calls}
    return bool(called & loaders.PICKLE_DUMPS) and bool(called & loaders.WORKER_PROCESSES)


def _aliased_torch_load(src: PythonFile) -> Iterator[Hit]:
    """`torch.load` chosen as a loader function and called without `weights_only`: reported once
    per alias, where `torch.load` is chosen, at the severity of its riskiest call."""
    worst: dict[ast.Assign, tuple[Severity, str]] = {}
    calls: dict[ast.Assign, ast.Call] = {}
    for assign, alias, call in _torch_load_aliases(src):
        scope = src.nodes.function(call) or src.tree
        if _downloaded(src, argument(call, 0, "f"), scope):
            found = (
                Severity.HIGH,
                f"`{alias}` is `torch.load`, called on a downloaded file without `weights_only`.",
            )
        elif _resumes_training(scope, argument(call, 0, "f")):
            continue
        elif (floor := _torch_floor(src)) == "old":
            found = (
                Severity.HIGH,
                f"`{alias}` is `torch.load`, called without `weights_only`, and its requirements pin "
                "torch < 2.6 where the default is `weights_only=False`.",
            )
        elif floor == "new":
            continue
        else:
            found = (
                Severity.LOW,
                f"`{alias}` is `torch.load`, called without `weights_only`: safe only on torch >= 2.6; "
                "pass `weights_only=True`.",
            )
        if assign not in worst or found[0] > worst[assign][0]:
            worst[assign], calls[assign] = found, call
    for assign, (severity, detail) in worst.items():
        line = src.changed_line(assign) or src.changed_line(calls[assign])
        if line is not None:
            yield Hit(line, detail, severity)


def _selection(node: ast.AST) -> tuple[ast.expr, ast.expr] | None:
    """(registry, key) of a lookup: `registry[key]` read, or `registry.get(key, ...)`."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return node.value, node.slice
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        return node.func.value, node.args[0]
    return None


def _registry_members(names: Names, registry: ast.expr, depth: int = 0) -> list[tuple[Names, ast.expr]]:
    """What a lookup table holds, each with the resolver of the module that writes it: the values
    of a dict literal, of `dict(...)`, or of a comprehension over a literal list (`{s.media_type:
    s for s in [JSONSerde, PickleSerde]}`), here or in the module a name is imported from."""
    if depth > 3:
        return []
    if isinstance(registry, (ast.Name, ast.Attribute)):
        held = names.value_of(registry)
        return _registry_members(held[0], held[1], depth + 1) if held is not None else []
    if isinstance(registry, ast.Dict):
        return [(names, value) for value in registry.values]
    if isinstance(registry, ast.DictComp) and len(registry.generators) == 1:
        source = registry.generators[0].iter
        if isinstance(source, (ast.Name, ast.Attribute)):
            held = names.value_of(source)
            names, source = held if held is not None else (names, source)
        if isinstance(source, (ast.List, ast.Tuple, ast.Set)):
            return [(names, element) for element in source.elts]
        return []
    if isinstance(registry, ast.Call) and isinstance(registry.func, ast.Name) and registry.func.id == "dict":
        found = [(names, keyword.value) for keyword in registry.keywords if keyword.arg is not None]
        for arg in registry.args:
            found += _registry_members(names, arg, depth + 1)
        return found
    return []


def _unpickles_input(names: Names, function: Function) -> ast.Call | None:
    """The call by which a project function unpickles what its caller hands it (a loaders-table
    deserialiser on data built from one of its parameters), unless behind an opt-in."""
    parameters = set(function.parameters) - {"self", "cls"}
    for call in function.calls:
        entry = loaders.deserialiser(names.call_name(call))
        if entry is None:
            continue
        data = argument(call, entry.path_position, *entry.path_names)
        if data is None or not any(isinstance(n, ast.Name) and n.id in parameters for n in ast.walk(data)):
            continue
        if _unpickles(entry, names.keywords(call), data) and not _behind_opt_in(names.tree, call):
            return call
    return None


def _unpickling_member(names: Names, member: ast.expr) -> tuple[str, str] | None:
    """A table entry that unpickles its input: a loaders-table deserialiser that always unpickles
    (`pickle.loads`), or a project function or class one of whose methods unpickles what it is
    handed. Its name, and what unpickles where."""
    if isinstance(member, ast.Call):
        member = member.func
    found = names.symbol(member)
    repo = names.repo
    if found is None or repo is None:
        return None
    if found.module is None:
        entry = loaders.deserialiser(names.qualname(member))
        return (found.qualname, "") if entry is not None and entry.when == "always" else None
    functions: list[Function] = []
    if found.function is not None:
        functions = [found.function]
    elif found.cls is not None:
        classes = [found.cls, *(b for b in repo.base_classes(found.cls) if not isinstance(b, str))]
        functions = [m for cls in classes for m in cls.methods.values()]
    for function in functions:
        owner = names if function.module is names.module else Names.of(repo, function.module)
        call = _unpickles_input(owner, function)
        if call is not None:
            where = f"`{owner.call_name(call)}` at {function.module.path}:{call.lineno}"
            return found.qualname.rsplit(".", 1)[-1], where
    return None


def _meets_request(names: Names, node: ast.expr) -> bool:
    return names.is_request(node) or names.request_source(node) is not None


def _called_root(func: ast.expr) -> str | None:
    """The name a called chain starts from: `codec` for `codec(...)`, `codec.decode(...)`,
    `codec().decode(...)`."""
    while isinstance(func, (ast.Attribute, ast.Call)):
        func = func.value if isinstance(func, ast.Attribute) else func.func
    return func.id if isinstance(func, ast.Name) else None


def _applied_to_request(src: PythonFile, lookup: ast.AST) -> bool:
    """Is what a lookup chose applied to the request: called with request data (`decoders[kind](
    body)`), or bound to a name that a call in the same function receives with request data or
    the request itself (`decode(serde, request)`, `serde.loads(body)`, `codec().decode(body)`)?"""
    names = src.names
    chosen: ast.AST = lookup
    parent = src.nodes.parents.get(chosen)
    if isinstance(parent, ast.Call) and parent.func is chosen:
        if any(_meets_request(names, arg) for arg in parent.args):
            return True
        chosen = parent
        parent = src.nodes.parents.get(chosen)
    target = parent.targets[0] if isinstance(parent, ast.Assign) and len(parent.targets) == 1 else None
    if not isinstance(target, ast.Name):
        return False
    bound = target.id
    function = src.nodes.function(lookup)
    for call in own_nodes(*(function.body if function is not None else [])):
        if not isinstance(call, ast.Call):
            continue
        arguments = _arguments(call)
        applies = _called_root(call.func) == bound
        receives = any(isinstance(arg, ast.Name) and arg.id == bound for arg in arguments)
        if (applies or receives) and any(_meets_request(names, arg) for arg in arguments):
            return True
    return False


def _vetted(tree: Tree, function: ast.AST | None, before: int, keys: set[str]) -> bool:
    """Does `function` vet the client's choice before line `before`: an `if` on one of `keys` (the
    key, or names it is read from) that raises or returns (`if kind == PICKLE_TYPE: raise ...`,
    `if kind not in ALLOWED: return ...`)?"""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for statement in own_nodes(*function.body):
        if not isinstance(statement, ast.If) or (statement.end_lineno or before) >= before:
            continue
        tested = {n.id for n in ast.walk(statement.test) if isinstance(n, ast.Name)}
        tested |= {ast.unparse(n) for n in ast.walk(statement.test) if isinstance(n, ast.expr)}
        if keys & tested and isinstance(statement.body[-1], (ast.Raise, ast.Return)):
            return True
    return False


def _key_names(key: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(key) if isinstance(n, ast.Name)} | {ast.unparse(key)}


def _unpickling_entry(names: Names, registry: ast.expr) -> tuple[str, str] | None:
    """The first entry of a lookup table that unpickles its input (see `_unpickling_member`)."""
    for owner, member in _registry_members(names, registry):
        found = _unpickling_member(owner, member)
        if found is not None:
            return found
    return None


def _returned_pick(
    names: Names, function: Function, parameter: str
) -> tuple[ast.expr, tuple[str, str]] | None:
    """A project function that hands back what `parameter` picks from a table with an unpickling
    entry (`return CODECS[kind]()`, through locals read from the parameter), unless it vets the
    key first: the table and that entry."""
    derived = {parameter}
    assignments = sorted(
        (node for node in function.nodes if isinstance(node, ast.Assign)), key=lambda n: n.lineno
    )
    for assignment in assignments:
        if {n.id for n in ast.walk(assignment.value) if isinstance(n, ast.Name)} & derived:
            derived |= {t.id for t in assignment.targets if isinstance(t, ast.Name)}
    returned = {n.id for value in function.returns for n in ast.walk(value) if isinstance(n, ast.Name)}
    for node in function.nodes:
        selection = _selection(node)
        if selection is None or not _key_names(selection[1]) & derived:
            continue
        statement = next(a for a in names.tree.ancestors(node) if isinstance(a, ast.stmt))
        handed_back = isinstance(statement, ast.Return) or (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id in returned for t in statement.targets)
        )
        if not handed_back or _vetted(names.tree, function.node, getattr(node, "lineno", 0), derived):
            continue
        found = _unpickling_entry(names, selection[0])
        if found is not None:
            return selection[0], found
    return None


def _unpickling_hit(line: int, source: str, registry: str, found: tuple[str, str], via: str = "") -> Hit:
    name, where = found
    held = f"whose `{name}` unpickles its input ({where})" if where else f"which holds `{name}`"
    return Hit(
        line,
        f"{source[0].upper()}{source[1:]} chooses{via} from `{registry}`, {held}: "
        "any client can have the data it sends unpickled.",
        Severity.CRITICAL,
    )


def _request_chosen_unpickler(src: PythonFile) -> Iterator[Hit]:
    """A lookup keyed by request data (`SERDES[request.headers["Content-Type"]]`, in the handler
    or in the project function it hands that data to) in a table one of whose entries unpickles
    what it is given, applied to the request: the client chooses whether its body is unpickled.
    A table the server keys itself is not reported."""
    names = src.names
    if not names.may_hold_requests:
        return
    reported: set[int] = set()
    for node in src.nodes.walked:
        selection = _selection(node)
        line = src.changed_line(node) if selection is not None else None
        if selection is None or line is None:
            continue
        registry, key = selection
        source = names.request_source(key)
        if source is None or names.is_request(registry) or names.request_source(registry) is not None:
            continue
        if _vetted(src.nodes, src.nodes.function(node), getattr(node, "lineno", 0), _key_names(key)):
            continue
        found = _unpickling_entry(names, registry)
        if found is not None and _applied_to_request(src, node):
            reported.add(line)
            yield _unpickling_hit(line, source, ast.unparse(registry), found)
    for call in src.changed_calls():
        line = src.changed_line(call)
        if line is None or line in reported or not any(_meets_request(names, a) for a in _arguments(call)):
            continue
        target = names.target(call)
        if target is None or names.repo is None:
            continue
        owner = names if target.module is names.module else Names.of(names.repo, target.module)
        bound = names.bind(call, target) or {}
        for parameter, value in bound.items():
            source = names.request_source(value) or ("request data" if names.is_request(value) else None)
            picked = _returned_pick(owner, target, parameter) if source is not None else None
            if source is None or picked is None or not _applied_to_request(src, call):
                continue
            via = f" through `{target.name}` ({target.module.path}:{target.node.lineno})"
            reported.add(line)
            yield _unpickling_hit(line, source, ast.unparse(picked[0]), picked[1], via)
            break


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(keyword.value for keyword in call.keywords)]


@RULES.rule(
    "trust-remote-code",
    title="Executing model-repository Python code from the Hub",
    severity=Severity.HIGH,
    persona="ai-architect-agent",
    kinds=("python", "notebook", "yaml", "helm", "helm-values", "dockerfile", "env"),
    subject="call",
)
def trust_remote_code(src: SourceFile) -> Iterator[Hit]:
    """`trust_remote_code=True` (or `--trust-remote-code`, or the setting in configuration: Helm
    values `trustRemoteCode: true`, `TRUST_REMOTE_CODE=true` in an env file or Dockerfile `ENV`)
    runs Python from the model repository. Pinned to a full commit SHA beside it (`revision=` or
    `code_revision=` in the call, `revision:` in the same mapping, `--revision` among the same
    arguments; for options built with `dict(...)` as an argument of a call, a model registry's
    `loader_kwargs=dict(trust_remote_code=True)`, that call's `revision=`), the code is the one
    reviewed: not reported. Nor is a revision the call hands on from where it is chosen (a
    parameter, an attribute: no literal the code resolves it to), pinned or not there; nor a load
    from files on this machine (the operator's, not the Hub's): a path an enclosing
    `os.path.exists(path)` check has just found, a literal path (`"/srv/models/chat"`, `"./ckpt"`,
    a drive) or one built as a path (`os.path.join(out, "final")`, also kept in an attribute:
    `self.model_path = os.path.join(root, "weights")`); nor the `from_pretrained` of
    a model class transformers ships (`Qwen3ForCausalLM`), which ignores the flag: only the Auto
    classes (and other loaders) run the repository's code; nor that of a project class derived
    from one (`class ChatModel(PreTrainedModel)`) that inherits its `from_pretrained` (one of its
    own may hand the flag to an Auto class); nor a loader that imports the code
    file an option names, given a local one (LOCAL_CODE_OPTIONS: FunASR's `remote_code=
    "./model.py"`); nor a load that runs only
    after an opt-in (inside `if allow_remote_code:`, or after `if not trust_remote_code_allowed():
    raise ...` in its block): the operator's informed choice. A model the code names by
    its Hub id (`"org/embedder"`, not a dataset; also a name bound to that id or else to a
    local copy's path: `model_id = "org/embedder"`, then `model_id = local_dir` if it exists, and
    an id formatted after its organisation, written out: `f"org/encoder-{size}"`) is
    the `named` variant: an application ships
    it and is told; a library's named model is a default dependency its maintainers chose, whose
    pin is theirs to choose too (as for its named revisions), and a caller's model or path
    trusted by the library is still reported there. In configuration, the switch is the `named`
    variant where its block (between two unindented lines) names the one model it loads by its
    Hub id under a key that says so (`model: org/vision-chat`, `embedding_model_name:
    org/embed-v1`, `hf_name: org/chat-small`, `repo_id: ...`).

    Why:
        The model repository's code runs with your process's permissions at load time, and under a
        floating revision its author (or whoever takes over the account) can change that code
        without any change on your side.
    Fix:
        Use a model class that ships with the library; if remote code is unavoidable, review the
        code and pin `revision=` to a full 40-character commit SHA.
    Bad:
        model = AutoModel.from_pretrained("org/model", trust_remote_code=True)
    Good:
        model = AutoModel.from_pretrained(
            "org/model", trust_remote_code=True,
            revision="4f3b1c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",  # reviewed
        )
    """
    if isinstance(src, PythonFile):
        yield from _configured_remote_code(src)
        for call in src.changed_calls():
            keyword = kwarg(call, "trust_remote_code")
            if keyword is None or not is_true(keyword.value) or _pinned_call(src, call):
                continue
            if not loaders.runs_remote_code(src.names.call_name(call)) or _project_model_class(src, call):
                continue  # a model class the library ships ignores the flag, and so do the project's
            if _code_file_given(src, call):
                continue  # the loader imports that file of this checkout, not the model's code
            if _behind_opt_in(src.nodes, call):
                continue  # loaded only after the operator allowed remote code: their informed choice
            loaded = argument(call, 0, *_LOADED_NAMES)
            if loaded is not None and (
                checked_local_path(src.nodes, call, loaded) or _on_this_machine(src, call, loaded)
            ):
                continue  # files on this machine: code its operator put there, not the Hub's
            # The trust is given where the flag or the repository it trusts is written: a change
            # to the call's other options (a keyword added beside the flag) gives none.
            line = src.changed_line(keyword.value) or (
                src.changed_line(loaded) if loaded is not None else None
            )
            if line is not None:
                # A model the code names itself is its own choice of dependency: where that
                # matters is the role policy's (a library's named model is a default it ships).
                yield Hit(line, "", variant="named" if _named_model(src, call, loaded) else "")
        return
    for number in sorted(src.changed):
        text = src.line(number)
        if text.lstrip().startswith("#"):
            continue
        if _TRUST_FLAG.search(text) and not _pinned_block(src, number):
            yield Hit(number, "`--trust-remote-code` on the server command line.")
        elif (
            src.kind not in ("python", "notebook")
            and (
                _TRUST_SETTING.search(text)
                or (_TRUE_VALUE.match(text) and _TRUST_NAME.search(src.line(number - 1)))
            )
            and not _pinned_block(src, number)
        ):
            named = "named" if _names_its_model(src, number) else ""
            yield Hit(number, "remote code is switched on in configuration.", variant=named)


def _project_model_class(src: PythonFile, call: ast.Call) -> bool:
    """`ChatModel.from_pretrained(...)` of a project class derived from a model class transformers
    ships (`PreTrainedModel`, `LlamaForCausalLM`), with no `from_pretrained` of its own or of its
    project bases: transformers' loader, which ignores `trust_remote_code`."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "from_pretrained" or src.repo is None:
        return False
    symbol = src.names.symbol(func.value)
    cls = symbol.cls if symbol is not None else None
    if cls is None or src.repo.method(cls, "from_pretrained") is not None:
        return False
    bases = src.repo.subclasses_external(cls)
    return any(not loaders.runs_remote_code(f"{base}.from_pretrained") for base in bases)


# What a loader is given to load, by keyword (or first positionally).
_LOADED_NAMES = ("pretrained_model_name_or_path", "model", "model_id", "model_name", "repo_id", "path")


# A literal path on this machine: absolute, relative to the working directory, home, a drive.
_LOCAL_PATH = re.compile(r"^(?:/|\./|\.\./|~|[A-Za-z]:[\\/])")


def _code_file_given(src: PythonFile, call: ast.Call) -> bool:
    """The loader takes its remote code from a file an option names (loaders.LOCAL_CODE_OPTIONS),
    and the call names a local one (`remote_code="./model.py"`, not a URL)."""
    option = loaders.LOCAL_CODE_OPTIONS.get(src.names.call_name(call) or "")
    given = kwarg(call, option) if option is not None else None
    path = string_value(given.value) if given is not None else None
    return path is not None and "://" not in path


def _on_this_machine(src: PythonFile, call: ast.Call, loaded: ast.expr) -> bool:
    """What `call` loads is a directory on this machine: a literal path (`"/data/models/chat"`,
    `"D:\\models\\chat"`), one built as a path (`os.path.join(out, "model")`), itself or through
    the name it is read from, a name or attribute named for a directory (`self.load_dir`,
    `ckpt_dir`), or a configuration loaded from one of those: no Hub repository, no remote code
    fetched."""
    text = string_value(_loaded_value(src, call, loaded))
    if text is not None and _LOCAL_PATH.match(text) is not None:
        return True
    if _named_for_a_directory(loaded) or _filesystem_path(src, call, loaded):
        return True
    # A configuration a loader read from this machine (`config = AutoConfig.from_pretrained(
    # load_dir)`, then `from_config(config, trust_remote_code=True)`): its code is there too.
    held = url_value(src.names, src.nodes, call, loaded) if isinstance(loaded, ast.Name) else None
    if not isinstance(held, ast.Call) or held is call:
        return False
    inner = argument(held, 0, *_LOADED_NAMES)
    return inner is not None and _on_this_machine(src, held, inner)


# A name for a directory (`load_dir`, `ckpt_dir`, `checkpoint_directory`): a Hub id is no directory.
_DIRECTORY_WORDS = frozenset(["dir", "directory"])
# Words that say the value may be something else (`name_or_dir`, `repo_dir`'s Hub repository).
_OTHER_THAN_A_DIRECTORY = frozenset(["or", "name", "id", "repo", "hub", "url"])


def _named_for_a_directory(value: ast.expr) -> bool:
    """A name or attribute whose last word says directory and no word says otherwise."""
    named = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
    words = named.lower().split("_")
    return words[-1] in _DIRECTORY_WORDS and not _OTHER_THAN_A_DIRECTORY & set(words)


def _loaded_value(src: PythonFile, call: ast.Call, loaded: ast.expr) -> ast.expr:
    """What `call` loads, as written or as the name it is read from holds it."""
    built = url_value(src.names, src.nodes, call, loaded)
    held = src.names.value_of(built) if isinstance(built, ast.Name) else None
    return held[1] if held is not None else built


def _named_model(src: PythonFile, call: ast.Call, loaded: ast.expr | None) -> bool:
    """`call` loads a model (not a dataset: a dataset's loading script is no part of using its
    data) that the code names by its Hub id: `"org/embedder"`, a module constant holding it, one
    of two the code picks between (`"org/small" if lite else "org/large"`), or one of an
    organisation's it formats (`f"org/encoder-{size}"`)."""
    entry = _hub_loader(src.names.call_name(call), call)
    if loaded is None or (entry is not None and entry.holds == "dataset"):
        return False
    value = _loaded_value(src, call, loaded)
    branches = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    if all(
        _HUB_ID.match(string_value(branch) or "") is not None or _org_written(branch) for branch in branches
    ):
        return True
    return _named_or_local(src, call, loaded)


def _org_written(value: ast.expr) -> bool:
    """A Hub id formatted after its organisation, written out (`f"acme/encoder-{size}"`, `"acme/" +
    name`): the code names whose model it loads, choosing among that organisation's."""
    if (
        isinstance(value, ast.BinOp)
        and isinstance(value.op, ast.Add)
        and isinstance(value.left, ast.Constant)
    ):
        value = value.left
    elif not isinstance(value, ast.JoinedStr):
        return False
    return _HUB_ORG.match(leading_text(value)) is not None


def _named_or_local(src: PythonFile, call: ast.Call, loaded: ast.expr) -> bool:
    """A local name the function binds more than once, to its model's Hub id or to a path on this
    machine (`model_id = "org/chat"` unless a local copy exists, then `model_id = local_dir`): the
    code names the model it loads, wherever it reads it from."""
    function = src.nodes.function(call)
    if not isinstance(loaded, ast.Name) or function is None:
        return False
    nodes = list(scope_walk(*function.body))
    bound = values_bound(nodes, loaded.id)
    if len(bound) < 2:
        return False
    named = [value for value in bound if _HUB_ID.match(string_value(value) or "") is not None]
    return bool(named) and all(value in named or _local_value(src, nodes, value) for value in bound)


def _local_value(src: PythonFile, nodes: list[ast.AST], value: ast.expr) -> bool:
    """`value` is a path on this machine: a local literal, a path built (`os.path.join(...)`), or
    a local name the function binds only to such a path."""
    if isinstance(value, ast.Name):
        bound = values_bound(nodes, value.id)
        return len(bound) == 1 and not isinstance(bound[0], ast.Name) and _local_value(src, nodes, bound[0])
    text = string_value(value)
    if text is not None:
        return _LOCAL_PATH.match(text) is not None
    return isinstance(value, ast.Call) and src.names.call_name(value) in _PATH_MAKERS


def _pinned_call(src: PythonFile, call: ast.Call) -> bool:
    """The call pins the code it trusts: `revision=` (or `code_revision=`) a full commit SHA, given
    as a literal or a constant holding one (the rule's own fix), or a revision the code hands on
    from where it is chosen (a parameter, an attribute: no literal it resolves to). Options built
    with `dict(...)` as an argument of a call (a model registry's `loader_kwargs=dict(...)`) are
    pinned by that call's revision."""
    keyword = kwarg(call, "code_revision", "revision")
    if keyword is None:
        owner = _options_owner(src, call)
        return owner is not None and _pinned_call(src, owner)
    held = src.names.value_of(keyword.value) if not isinstance(keyword.value, ast.Constant) else None
    value = held[1] if held is not None else keyword.value
    if not isinstance(value, ast.Constant):
        return _handed_on(src, call, keyword.value) or _handed_on(src, call, value)
    revision = string_value(value)
    return revision is not None and _FULL_SHA.match(revision) is not None


def _handed_on(src: PythonFile, call: ast.Call, value: ast.expr) -> bool:
    """`value` is chosen where the call's caller or configuration says: a parameter of the
    enclosing function or an attribute (`self.revision`, `args.revision`)."""
    if isinstance(value, ast.Attribute):
        return True
    function = src.nodes.function(call)
    return isinstance(value, ast.Name) and function is not None and value.id in parameter_names(function)


def _options_owner(src: PythonFile, call: ast.Call) -> ast.Call | None:
    """The call that `call`, a `dict(...)` of options, is an argument of."""
    if src.nodes.builtin(call.func, "dict") is None:
        return None
    holder = src.nodes.parents.get(call)
    if isinstance(holder, ast.keyword):
        holder = src.nodes.parents.get(holder)
    return holder if isinstance(holder, ast.Call) else None


# A revision pinned to a commit in configuration: `revision: <sha>` beside the switch in one
# mapping, or `--revision <sha>` / `--code-revision=<sha>` among the same command's arguments.
_PINNED_SETTING = re.compile(
    r"(?i)(?:^|[^\w-])(?:code[_-]?)?revision[\"']?[ \t]*[:=][ \t]*[\"']?[0-9a-f]{40}\b"
)
_PINNED_FLAG = re.compile(r"--(?:code-)?revision[\s=\"',\-\]\[]*[0-9a-f]{40}\b")


def _pinned_block(src: SourceFile, number: int) -> bool:
    """The switch at line `number` sits with a revision pinned to a commit: on its own line, or
    on a line beside it at its indentation (a key of its mapping, an item of its argument list),
    up to the first line indented less."""
    indent = _indent(src.line(number))
    beside = {number}
    for step in (-1, 1):
        at = number + step
        while 1 <= at <= len(src.lines):
            text = src.line(at)
            if text.strip() and _indent(text) < indent:
                break
            if _indent(text) == indent:
                beside.add(at)
            at += step
    lines = [src.line(at) for at in sorted(beside)]
    return (
        _PINNED_SETTING.search("\n".join(lines)) is not None
        or _PINNED_FLAG.search(" ".join(lines)) is not None
    )


# A configuration key naming the model a block loads, and its value; the key may say which model
# it is (`embedding_model_name`, `embedding_hf_model_name`, `llm_model_id`).
_MODEL_KEY = re.compile(
    r"^[ \t]*(?:-[ \t]+)?[\"']?(?:\w+_)?"
    r"(?:model|model_id|model_name|model_name_or_path|pretrained_model_name_or_path|name_or_path"
    r"|(?:hf|hub|repo)_(?:name|id|repo)|repo)"
    r"[\"']?[ \t]*[:=][ \t]*[\"']?(?P<id>[^\"'\s#,]+)"
)


def _names_its_model(src: SourceFile, number: int) -> bool:
    """The configuration block holding line `number` (the lines between two unindented ones)
    names the one model it loads by its Hub id under a key that says so (`model: org/vision-chat`,
    `hf_name: org/chat-small`, `repo_id: ...`): the named variant, as in code."""
    start, end = number, number + 1
    while start > 1 and (not src.line(start).strip() or _indent(src.line(start)) > 0):
        start -= 1
    while end <= len(src.lines) and (not src.line(end).strip() or _indent(src.line(end)) > 0):
        end += 1
    models = {m.group("id") for at in range(start, end) if (m := _MODEL_KEY.match(src.line(at)))}
    return len(models) == 1 and _HUB_ID.match(next(iter(models))) is not None


def _indent(text: str) -> int:
    """Where a line's content starts, past a YAML list item's dash."""
    match = _LEADING.match(text)
    return match.end() if match else 0


_LEADING = re.compile(r"[ \t]*(?:-[ \t]+)?")


_TRUST_KEY = "trust_remote_code"


def _method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _hub_loader(qualname: str | None, call: ast.Call) -> loaders.HubLoader | None:
    """The Hub loader `call` is (`qualname`: its resolved name), by name or by method called."""
    return loaders.hub_loader(qualname, _method(call))


def _configured_remote_code(src: PythonFile) -> Iterator[Hit]:
    """`**kwargs` read from external or deserialised configuration (`config.get("kwargs", {})`,
    `json.load`, a request body; the splat's text says `kwargs`) passed to a Hub loader that
    accepts `trust_remote_code`, directly or through a project function that forwards its own
    `**kwargs` to one (one hop): whoever writes
    the configuration can switch remote code on. Reported where the options are read from the
    configuration when that line changed (the place to filter them), else at the call. Silent when
    the key is handled anywhere on the way (set at the call or the sink, popped, checked, filtered
    by an allow-list), when the options are a dict whose keys the code names (`{"torch_dtype":
    config.torch_dtype}`: a configured value sets no other option), when the sink does not
    resolve, or when the file names no such loader (its
    name or package: loaders.REMOTE_CODE_LOADER_WORDS), so that the pre-commit screen stays sound."""
    lowered = src.text.lower()
    if not any(word in lowered for word in loaders.REMOTE_CODE_LOADER_WORDS):
        return  # no loader named here: the pre-commit screen skips such files (policy.py)
    names = src.names
    for call in src.changed_calls():
        # Options named as such (`**kwargs`, `**config["model_kwargs"]`).
        splats = [
            k.value for k in call.keywords if k.arg is None and "kwargs" in ast.unparse(k.value).lower()
        ]
        if not splats or _TRUST_KEY in names.keywords(call).values:
            continue
        scope = src.nodes.function(call)
        if scope is not None and _mentions_trust_key(scope, call):
            continue
        for splat in splats:
            parts = _open_parts(splat, scope)
            source = next(filter(None, (names.config_source(part) for part in parts)), None)
            sink = _remote_code_sink(src, call) if source is not None else None
            if source is None or sink is None:
                continue
            line = _config_read_line(src, splat, scope, call) or src.changed_line(call)
            if line is not None:
                yield Hit(
                    line,
                    f"options read from {source} reach `{sink}` through `**{ast.unparse(splat)}`: "
                    f"the configuration can set `{_TRUST_KEY}=True`; drop the key or allow-list the options.",
                )
            break


def _open_parts(splat: ast.expr, scope: ast.AST | None, depth: int = 0) -> list[ast.expr]:
    """The parts of a `**` splat whose keys the code does not show: none of a dict it writes
    (`{"torch_dtype": config.torch_dtype}`: a configured value there sets no other option), the
    `**` spreads inside one, and anything else whole. A local name counts as the dicts it is bound
    to when the function never adds to it (`kwargs.update(...)`, `kwargs[key] = ...`)."""
    if isinstance(splat, ast.Dict):
        return [
            part
            for key, value in zip(splat.keys, splat.values, strict=True)
            if key is None
            for part in _open_parts(value, scope, depth + 1)
        ]
    if isinstance(splat, ast.Name) and scope is not None and depth < _MAX_SPLAT_DEPTH:
        values = values_bound(ast.walk(scope), splat.id)
        if values and all(isinstance(v, ast.Dict) for v in values) and not _added_to(scope, splat.id):
            return [part for value in values for part in _open_parts(value, scope, depth + 1)]
    return [splat]


# How deep a splat's dicts are followed (a name bound to a dict spreading another name...).
_MAX_SPLAT_DEPTH = 4
# The dict methods that add keys.
_ADDS_KEYS = frozenset(["update", "setdefault", "__setitem__", "__ior__"])


def _added_to(scope: ast.AST, name: str) -> bool:
    """The scope adds to the dict `name` keys the code does not show: `name.update(other)`,
    `name[key] = ...` with a computed key, `name |= other`. A key written out (`name["hf_overrides"]
    = ...`, `name.update(device=...)`) is shown, and another option than `trust_remote_code`."""
    for node in ast.walk(scope):
        receiver: ast.expr | None = None
        shown = False
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _ADDS_KEYS
        ):
            receiver = node.func.value
            shown = _shows_keys(node.func.attr, node)
        elif isinstance(node, ast.AugAssign):
            receiver, shown = node.target, _shown_dict(node.value)
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == name
            and not _shown_key(target.slice)
            for target in node.targets
        ):
            return True
        if isinstance(receiver, ast.Name) and receiver.id == name and not shown:
            return True
    return False


def _shows_keys(method: str, call: ast.Call) -> bool:
    """A dict method's call adds only keys it writes out: `setdefault("key", ...)`,
    `update({"key": ...}, key=...)`."""
    if method == "setdefault":
        return bool(call.args) and _shown_key(call.args[0])
    if method != "update":
        return False
    return all(_shown_dict(arg) for arg in call.args) and all(
        keyword.arg is not None and keyword.arg != "trust_remote_code" for keyword in call.keywords
    )


def _shown_dict(node: ast.expr) -> bool:
    return isinstance(node, ast.Dict) and all(key is not None and _shown_key(key) for key in node.keys)


def _shown_key(node: ast.expr) -> bool:
    """A key written out, other than `trust_remote_code` itself."""
    key = string_value(node)
    return key is not None and key != "trust_remote_code"


def _remote_code_sink(src: PythonFile, call: ast.Call) -> str | None:
    """The Hub loader accepting `trust_remote_code` that `call`'s splatted options reach: the call
    itself, or a call a project function makes with its own `**kwargs` without handling the key."""
    names = src.names
    name = names.call_name(call)
    entry = _hub_loader(name, call)
    if entry is not None:
        return (name or f"*.{_method(call)}") if entry.remote_code else None
    function = names.target(call)
    if function is None:
        return None
    for forward in names.forwards(function):
        inner = forward.sink
        inner_name = forward.names.call_name(inner)
        entry = _hub_loader(inner_name, inner)
        if (
            len(forward.chain) == 1
            and entry is not None
            and entry.remote_code
            and _TRUST_KEY not in forward.keywords.values
            and not _mentions_trust_key(function.node, inner)
        ):
            return inner_name or f"*.{_method(inner)}"
    return None


def _mentions_trust_key(function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call) -> bool:
    """The function names the key outside `call` (pops, checks or filters it): it handles it."""
    inside = {id(node) for node in ast.walk(call)}
    return any(
        string_value(node) == _TRUST_KEY and id(node) not in inside
        for node in ast.walk(function)
        if isinstance(node, ast.Constant)
    )


def _config_read_line(
    src: PythonFile,
    splat: ast.expr,
    scope: ast.FunctionDef | ast.AsyncFunctionDef | None,
    call: ast.Call,
) -> int | None:
    """The changed line where the splatted local is last bound from configuration before `call`."""
    if not isinstance(splat, ast.Name) or scope is None:
        return None
    found: int | None = None
    for node in own_nodes(*scope.body):
        if not isinstance(node, ast.Assign) or node.lineno > call.lineno:
            continue
        bound = any(isinstance(t, ast.Name) and t.id == splat.id for t in node.targets)
        if bound and src.names.config_source(node.value) is not None:
            found = src.changed_line(node)
    return found


# The names a revision goes by, for what a loader loads; a holder named for the other kind
# (`model_args.revision` at a dataset load) pins something else.
_REVISION_NAMES = {
    "model": frozenset(["revision", "model_revision"]),
    "dataset": frozenset(["revision", "dataset_revision", "data_revision"]),
    "any": frozenset(["revision", "model_revision", "dataset_revision", "data_revision"]),
}
_OTHER_HOLDER = {"model": re.compile(r"(?i)data"), "dataset": re.compile(r"(?i)model")}


def _revision_in_scope(
    src: PythonFile,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    call: ast.Call,
    holds: str,
    loaded: str | None,
) -> str | None:
    """The revision the enclosing function has at hand at `call`: a `revision` parameter, or a
    read of `kwargs.get("revision")` / `kwargs["revision"]` or of an attribute `x.revision`
    (`model_revision` for a model, `dataset_revision` for a dataset; not of a holder named for
    the other kind) before the call, or anywhere when it reads a parameter (`**kwargs`). A
    revision the function gives only to the load of another id (a delta's revision beside its
    base model) is that id's, not at hand for this one (`loaded`: the id `call` loads, dumped)."""
    names = _REVISION_NAMES[holds]
    other = _OTHER_HOLDER.get(holds)
    for arg in ast.walk(function.args):
        if isinstance(arg, ast.arg) and arg.arg in names:
            uses = [
                node
                for node in own_nodes(*function.body)
                if isinstance(node, ast.Name) and node.id == arg.arg and isinstance(node.ctx, ast.Load)
            ]
            if not uses or not all(_given_to_another_id(src, use, loaded) for use in uses):
                return f"the `{arg.arg}` parameter"
    parameters = parameter_names(function)
    for node in own_nodes(*function.body):
        holder: ast.expr | None = None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and string_value(argument(node, 0, "key")) in names
        ):
            holder = node.func.value
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and string_value(node.slice) in names
        ) or (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and node.attr in names):
            holder = node.value
        if holder is None or (other is not None and other.search(ast.unparse(holder))):
            continue
        # Read after the call, a local's revision is for what the function loads next (a teacher
        # model); a parameter's was there from the start.
        base = holder
        while isinstance(base, (ast.Attribute, ast.Subscript, ast.Call)):
            base = base.func if isinstance(base, ast.Call) else base.value
        if _given_to_another_id(src, node, loaded):
            continue
        if getattr(node, "lineno", 0) < call.lineno or (isinstance(base, ast.Name) and base.id in parameters):
            return f"`{ast.unparse(node)}`"
    return None


def _given_to_another_id(src: PythonFile, read: ast.AST, loaded: str | None) -> bool:
    """`read` (of a revision) is part of what a call of its function is given beside another id
    than `loaded`: a Hub loader of that id, or a helper also given an id a Hub loader of the
    function loads (`model_class(model_path, args.revision)` beside `from_pretrained(model_path,
    revision=args.revision)`: the revision goes with `model_path`, not with a dataset)."""
    others: set[str | None] | None = None
    for ancestor in src.nodes.ancestors(read):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if isinstance(ancestor, ast.Call):
            other = _loaded_id(src, ancestor)
            if other is not None:
                return other != loaded
            if others is None:
                others = _ids_loaded(src, read) - {loaded}
            given = {ast.dump(value) for value in _arguments(ancestor)}
            if loaded not in given and given & others:
                return True
    return False


def _ids_loaded(src: PythonFile, node: ast.AST) -> set[str | None]:
    """The ids the Hub loader calls of `node`'s function (or module) load, as written."""
    scope = src.nodes.function(node) or src.tree
    return {_loaded_id(src, call) for call in scope_walk(scope) if isinstance(call, ast.Call)} - {None}


def _fetched_at_revision(src: PythonFile, call: ast.Call, entry: loaders.HubLoader) -> bool:
    """The id the loader is given is a name the function last set, before the call, to what a call
    given a revision returned (`path = get_model(path, download_dir, config.revision)`,
    `snapshot_download(repo_id, revision=rev)`): files fetched at that revision."""
    loaded = argument(call, entry.repo_position, *entry.repo_names)
    if not isinstance(loaded, ast.Name):
        return False
    fetched = url_value(src.names, src.nodes, call, loaded)
    fetched = fetched.value if isinstance(fetched, ast.Await) else fetched
    revisions = _REVISION_NAMES["any"]
    return isinstance(fetched, ast.Call) and any(
        (isinstance(part, ast.Name) and part.id in revisions)
        or (isinstance(part, ast.Attribute) and part.attr in revisions)
        for given in _arguments(fetched)
        for part in ast.walk(given)
    )


# What builds a path on this machine (never a Hub id): a directory the code exports or saves to.
_PATH_MAKERS = frozenset(["pathlib.Path", "os.path.join", "tempfile.mkdtemp", "tempfile.gettempdir"])


def _filesystem_path(src: PythonFile, call: ast.Call, value: ast.expr) -> bool:
    """`value`, given to `call`, is built as a path on this machine (`Path(tmp.name)`,
    `os.path.join(out, "onnx")`), itself or through the name it is read from (its last assignment
    before the call; for a name the function binds once, to another name: `model_id = local_dir`,
    that name's) or the attribute (`self.model_path`'s one value in its class): local files, no
    revision to pin."""
    names, built = src.names, url_value(src.names, src.nodes, call, value)
    if isinstance(built, ast.Name) and isinstance(value, ast.Name) and _bound_once(src, call, value):
        built = url_value(names, src.nodes, call, built)
    if isinstance(built, ast.Attribute) and (held := names.value_of(built)) is not None:
        names, built = held
    return isinstance(built, ast.Call) and names.call_name(built) in _PATH_MAKERS


def _bound_once(src: PythonFile, call: ast.Call, name: ast.Name) -> bool:
    """The function around `call` binds `name` once (no branch binds it to something else)."""
    function = src.nodes.function(call)
    nodes = scope_walk(*function.body) if function is not None else iter(())
    return len(values_bound(nodes, name.id)) == 1


# Where code writes a model, tokenizer or dataset to a directory it can load again from.
_SAVES = frozenset(["save_pretrained", "save_model", "save_to_disk"])


def _saved_here(src: PythonFile, call: ast.Call) -> bool:
    """The id the loader is given is a directory its function has written the model or data to
    (`base.save_pretrained(merged_path)` before `from_pretrained(merged_path)`): local files."""
    loaded = _loaded_id(src, call)
    function = src.nodes.function(call)
    if loaded is None or function is None:
        return False
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SAVES
        and node.lineno < call.lineno
        and (target := argument(node, 0, "save_directory", "output_dir", "dataset_path")) is not None
        and ast.dump(target) == loaded
        for node in own_nodes(*function.body)
    )


def _revision_not_forwarded(src: PythonFile, call: ast.Call, name: str) -> str | None:
    """A Hub loader called without a revision while the function it is in has one at hand: the
    model (or its tokenizer, or data) comes from the main branch, whatever the caller pinned. A
    revision passed through a `**` splat the code does not show (forwarded `**kwargs` included)
    is accepted. A directory the function has saved to, or one built as a path on this machine
    (an export's output, `Path(tmp.name)`), holds local files."""
    entry = _hub_loader(name or None, call)
    function = src.nodes.function(call)
    if entry is None or function is None:
        return None
    if src.names.keywords(call).state(*entry.revision_options) != "absent":
        return None
    where = _revision_in_scope(src, function, call, entry.holds, _loaded_id(src, call))
    loaded = argument(call, entry.repo_position, *entry.repo_names)
    if (
        where is None
        or _saved_here(src, call)
        or (loaded is not None and _filesystem_path(src, call, loaded))
        or _fetched_at_revision(src, call, entry)
    ):
        return None
    loader = _method(call) or name.rsplit(".", 1)[-1]
    return f"`{loader}` is called without `revision=` although {where} is at hand: it loads the main branch."


def _parameter_loads(names: Names, function: Function) -> Iterator[tuple[str, str, loaders.HubLoader]]:
    """What a project function loads from the Hub by its parameters: (the parameter holding the id,
    the parameter passed as its revision, the loader), for each Hub loader it calls itself with
    both (`def __init__(self, model_id, revision=None)` calling
    `AutoConfig.from_pretrained(model_id, revision=revision)`). `names`: its module's resolver."""
    parameters = set(function.parameters)
    for call in function.calls:
        entry = _hub_loader(names.call_name(call), call)
        if entry is None:
            continue
        loaded = argument(call, entry.repo_position, *entry.repo_names)
        revision = names.keywords(call).get(*entry.revision_options)
        if (
            isinstance(loaded, ast.Name)
            and isinstance(revision, ast.Name)
            and {loaded.id, revision.id} <= parameters
            and loaded.id != revision.id
        ):
            yield loaded.id, revision.id, entry


def _floating_default(function: Function, parameter: str) -> bool:
    """Left out, the parameter loads a revision that can move: its default is None or a literal
    that is no commit SHA (a required parameter, or a default the code does not show, is not)."""
    default = function.default(parameter)
    if is_none(default):
        return True
    value = string_value(default)
    return value is not None and not _FULL_SHA.match(value)


def _revision_not_passed_on(src: PythonFile, call: ast.Call) -> str | None:
    """A project function that loads the id it is given from the Hub with the revision its own
    parameter gives (`_parameter_loads`), called with that id but not that revision, while the
    caller has a revision at hand: `super().__init__(model_id=model_id, **kwargs)` in a subclass
    that took `revision` as a named parameter (so `**kwargs` cannot carry it). The callee loads
    the main branch (or its default's floating revision). An id built as a path on this machine
    (`Path(export_dir.name)`) holds local files."""
    names = src.names
    function = src.nodes.function(call)
    if function is None or "revision" not in src.text:
        return None
    target = names.target(call)
    if target is None or target.node is function or src.repo is None:
        return None
    bound = names.bind(call, target)
    if bound is None:
        return None
    keywords = names.keywords(call)
    callee_names = names if target.module is names.module else Names.of(src.repo, target.module)
    for loaded, revision, entry in _parameter_loads(callee_names, target):
        model = bound.get(loaded)
        if (
            model is None
            or string_value(model) is not None
            or revision in bound
            or keywords.carried(revision) != "absent"
            or not _floating_default(target, revision)
            or _filesystem_path(src, call, model)
        ):
            continue
        where = _revision_in_scope(src, function, call, entry.holds, ast.dump(model))
        if where is None:
            continue
        callee = f"{target.owner.name}.{target.name}" if target.owner is not None else target.name
        return (
            f"`{callee}` loads `{ast.unparse(model)}` from the Hub with its `{revision}` parameter, "
            f"which `{ast.unparse(call.func)}(...)` leaves out although {where} is at hand: it loads "
            "the main branch."
        )
    return None


def _field_read(node: ast.AST | None) -> tuple[str, str] | None:
    """`cfg.base_model` (also `self.cfg.base_model`, `cfg["base_model"]`): the configuration
    object as written and the field read; None for anything else (`self` itself is no
    configuration object: its fields are the class's state)."""
    field: str | None = None
    holder: ast.expr | None = None
    if isinstance(node, ast.Attribute):
        holder, field = node.value, node.attr
    elif isinstance(node, ast.Subscript):
        holder, field = node.value, string_value(node.slice)
    if field is None:
        return None
    if isinstance(holder, ast.Name) and holder.id not in ("self", "cls"):
        return holder.id, field
    if isinstance(holder, ast.Attribute) and isinstance(holder.value, ast.Name) and holder.value.id == "self":
        return f"self.{holder.attr}", field
    return None


def _fields_loaded(
    function: ast.FunctionDef | ast.AsyncFunctionDef, loaded: ast.expr
) -> set[tuple[str, str]]:
    """The configuration fields a loaded id reads: the id itself, either side of an `or` or of a
    conditional, or, for a local name, any value the function assigns it."""
    values = [loaded]
    if isinstance(loaded, ast.Name):
        values += [value for name, value in assigned_values(own_nodes(*function.body)) if name == loaded.id]
    found: set[tuple[str, str]] = set()
    while values:
        value = values.pop()
        if isinstance(value, ast.BoolOp):
            values.extend(value.values)
        elif isinstance(value, ast.IfExp):
            values.extend([value.body, value.orelse])
        else:
            read = _field_read(value)
            if read is not None:
                found.add(read)
    return found


def _annotation(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> str | None:
    """The type a parameter is annotated with, as written."""
    for arg in ast.walk(function.args):
        if isinstance(arg, ast.arg) and arg.arg == name and arg.annotation is not None:
            return ast.unparse(arg.annotation)
    return None


# At most this many files are read for another load of a configuration field (past it: silence).
_MAX_SIBLING_FILES = 40


def _configured_revision(src: PythonFile, call: ast.Call, entry: loaders.HubLoader) -> str | None:
    """A Hub loader given an id read from a configuration object (`cfg.tokenizer_config`) and no
    revision, where another load of the project reads that same field with its revision from the
    same object (`revision=cfg.revision_of_model`, directly or through a dict it splats): the
    configuration carries the revision of that model, and this load leaves it out. The object is
    the same when it has the same name in the same file (`cfg`, `self.cfg`) or, in another file,
    when both functions take it as a parameter annotated with the same type; anything less, or a
    search past its bound, is silence."""
    function = src.nodes.function(call)
    loaded = argument(call, entry.repo_position, *entry.repo_names)
    if function is None or loaded is None or src.repo is None or src.names.module is None:
        return None
    fields = _fields_loaded(function, loaded)
    if not fields:
        return None
    paths = [src.path]
    typed = {holder: _annotation(function, holder) for holder, _ in fields}
    types = tuple(sorted({t.rsplit(".", 1)[-1] for t in typed.values() if t}))
    if types:
        words = tuple(sorted({field for _, field in fields}))
        found = set(src.repo.containing(words)) & set(src.repo.containing(types))
        found &= set(src.repo.containing(("revision",)))
        found.discard(src.path)
        if len(found) <= _MAX_SIBLING_FILES:
            paths += [p for p in src.repo.files if p in found]
    for path in paths:
        module = src.names.module if path == src.path else src.repo.module(path)
        if module is None:
            continue
        names = src.names if path == src.path else Names.of(src.repo, module)
        for sibling in module.every_function:
            pinned = _pinned_field(names, sibling, fields, call)
            if pinned is None:
                continue
            holder, revision, line = pinned
            here, there = typed[holder], _annotation(sibling.node, holder)
            # In this file a name is one object unless typed apart; elsewhere only the type says so.
            if (
                (None in (here, there) or here == there)
                if path == src.path
                else (here is not None and here == there)
            ):
                return (
                    f"`{ast.unparse(loaded)}` is loaded without `revision=` although "
                    f"`{holder}.{revision}` pins it where `{sibling.name}` loads it ({path}:{line}): "
                    "it loads the main branch."
                )
    return None


def _pinned_field(
    names: Names, sibling: Function, fields: set[tuple[str, str]], call: ast.Call
) -> tuple[str, str, int] | None:
    """A Hub load in `sibling` of one of `fields` with its revision read from the same object:
    (the object, the revision field, the line)."""
    for other in sibling.calls:
        entry = _hub_loader(names.call_name(other), other)
        if entry is None or other is call:
            continue
        revision = _field_read(names.keywords(other).get(*entry.revision_options))
        loaded = argument(other, entry.repo_position, *entry.repo_names)
        if revision is None or loaded is None:
            continue
        for holder, _ in _fields_loaded(sibling.node, loaded) & fields:
            if holder == revision[0]:
                return holder, revision[1], other.lineno
    return None


def _misnamed_revision(call: ast.Call, entry: loaders.HubLoader) -> ast.keyword | None:
    """A revision passed under an option the loader does not take for it (vLLM's `get_tokenizer`
    takes `revision=`; its `tokenizer_revision=` goes on to `AutoTokenizer`, which ignores it):
    the load pins nothing. Only for loaders whose options the table knows, and not when the call
    also passes the loader's own option."""
    if not entry.options_known or kwarg(call, *entry.revision_options) is not None:
        return None
    known = (*entry.revision_options, *entry.other_revisions)
    for keyword in call.keywords:
        if (
            keyword.arg
            and "revision" in keyword.arg
            and keyword.arg not in known
            and not is_none(keyword.value)
        ):
            return keyword
    return None


def _repo_argument(call: ast.Call, name: str) -> ast.expr | None:
    if name == "transformers.pipeline":
        return argument(call, 1, "model")
    return argument(
        call, 0, "pretrained_model_name_or_path", "model_name_or_path", "repo_id", "path", "model_name"
    )


def _lines(src: PythonFile, call: ast.Call) -> set[int]:
    return {src.file_line(n) for n in range(call.lineno, (call.end_lineno or call.lineno) + 1)}


def _unpinned_by_change(src: PythonFile, call: ast.Call, entry: loaders.HubLoader) -> str | None:
    """The change rewrote a Hub loader call that passed a revision and dropped it, or replaced the
    full commit SHA it passed by a branch or a tag: what it did, else None. The old call is the one
    of the same callee in the same place among the lines the rewrite removed (the k-th such call
    of a run of removed and added lines becomes its k-th), read in the file before the change."""
    if src.diff is None or not src.diff.removed_lines:
        return None
    before = src.before
    if before is None:
        return None
    runs = carried.runs(src.diff)
    run = next((runs[line] for line in sorted(_lines(src, call)) if line in runs), None)
    options = entry.revision_options
    state = src.names.keywords(call).state(*options)
    if run is None or state == "unknown":
        return None
    removed, added = set(run[0]), set(run[1])
    callee = ast.unparse(call.func)
    news = [c for c in src.nodes.calls if _lines(src, c) & added and ast.unparse(c.func) == callee]
    olds = [c for c in before.nodes.calls if _lines(before, c) & removed and ast.unparse(c.func) == callee]
    position = next(i for i, c in enumerate(news) if c is call)
    old = olds[position] if position < len(olds) else _replaced_loader(src, call, before, removed)
    pinned = kwarg(old, *_pins(before, old)) if old is not None else None
    if old is None or pinned is None or is_none(pinned.value):
        return None
    loader = ast.unparse(old.func).rsplit(".", 1)[-1]
    if state == "absent":
        return f"the change drops `{ast.unparse(pinned)}` from `{loader}`: it now loads the main branch."
    now = kwarg(call, *options)
    was, value = string_value(pinned.value), string_value(now.value) if now is not None else None
    if was is not None and _FULL_SHA.match(was) and value is not None and not _FULL_SHA.match(value):
        return f"the change replaces the pinned commit of `{loader}` with {value!r}, which can move."
    return None


def _pins(src: PythonFile, call: ast.Call) -> tuple[str, ...]:
    """The options that pin what `call` loads (the loaders table), `revision` for a call that is
    no Hub loader."""
    entry = _hub_loader(src.names.call_name(call), call)
    return entry.revision_options if entry is not None else ("revision",)


def _replaced_loader(
    src: PythonFile, call: ast.Call, before: PythonFile, removed: set[int]
) -> ast.Call | None:
    """The one Hub loader of another callee the rewrite removed that loaded the same id as `call`
    in a function of the same name (`AutoTokenizer.from_pretrained(name, ...)` replaced by vLLM's
    `get_tokenizer(name, ...)`)."""
    loaded = _loaded_id(src, call)
    if loaded is None:
        return None
    same = [
        old
        for old in before.nodes.calls
        if _lines(before, old) & removed
        and ast.unparse(old.func) != ast.unparse(call.func)
        and _function_name(before, old) == _function_name(src, call)
        and _loaded_id(before, old) == loaded
    ]
    return same[0] if len(same) == 1 else None


def _function_name(src: PythonFile, node: ast.AST) -> str | None:
    function = src.nodes.function(node)
    return function.name if function is not None else None


def _loaded_id(src: PythonFile, call: ast.Call) -> str | None:
    """The id expression a Hub loader call loads, as written (None for a call that is no loader)."""
    entry = _hub_loader(src.names.call_name(call), call)
    value = argument(call, entry.repo_position, *entry.repo_names) if entry is not None else None
    return ast.dump(value) if value is not None else None


@RULES.rule(
    "hf-unpinned-revision",
    title="Hub model or dataset loaded without an immutable revision",
    severity=Severity.MEDIUM,
    persona="ml-system-architect",
    kinds=("python", "notebook"),
    peers=("B615",),
    subject="call",
)
def hf_unpinned_revision(src: PythonFile) -> Iterator[Hit]:
    """A Hugging Face Hub model or dataset loaded by name without `revision=<commit sha>`, outside
    pytest modules (`test_*.py`, `conftest.py`: test fixtures load tiny models that nobody pins);
    also a Hub loader (loaders table) called without a revision in a function that has one at
    hand (a `revision` parameter, `kwargs.get("revision")`, `config.revision`) - one passed
    through a `**` splat the code does not show is accepted, a revision the function gives only
    to the load of another id (an adapter's, beside its base model) is not at hand, and a
    directory the function has just saved a model to (`save_pretrained(path)`), or an id it set
    to what a call given the revision returned (`path = get_model(path, dir, cfg.revision)`),
    holds local files; the same for a project function (a
    base class's `__init__`) that loads the id it is given with the revision its own parameter
    gives, called with the id but not the revision (`super().__init__(model_id=model_id,
    **kwargs)` after taking `revision` as a named parameter, which `**kwargs` then cannot carry),
    when its default revision can move; and a Hub loader given an id read from a configuration
    object (`cfg.tokenizer_config`) without a revision, where another load of the project reads
    that same field with its revision from the same object (`revision=cfg.revision_of_model`): the
    same object by name in one file, by annotated type across files, else silence. A revision
    passed under an option the
    loader does not take for it (vLLM's `get_tokenizer(..., tokenizer_revision=)`: it takes
    `revision=`) pins nothing, for the loaders whose options the loaders table knows. And a change
    that rewrites a Hub loader call and drops the `revision=` the old line passed (also when it
    replaces the loader by another loading the same id in the same function), or replaces its full
    commit SHA with a branch or tag, whatever the id is (the old call is read in the file as it was
    before the change); a revision moved into a `**` splat or a variable is accepted. A Hub id the
    code names itself is the rule's `named` variant, a team's policy (which snapshot of the models
    it names it ships): off unless the config's `rules.enable` lists the rule, and then not reported
    in a library, where it is a default its callers override (the role policy below); given a `**`
    splat the code does not show (`load_dataset("org/set", **options)`), it may be given its
    revision: not reported.

    Why:
        Without a pinned revision every load takes whatever the repository's main branch holds
        today: the weights, tokenizer or data can change (or be swapped by an attacker) and
        training, evaluation and serving silently stop being reproducible.
    Fix:
        Pass `revision=` with the full 40-character commit SHA you evaluated (a branch, a tag or
        a short SHA can move or be ambiguous).
    Bad:
        tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    Good:
        tokenizer = AutoTokenizer.from_pretrained(
            "meta-llama/Llama-3.1-8B-Instruct", revision="0e9e39f249a16976918f6564b8830bc894c89659"
        )
    """
    if is_test_module(src.path):
        return
    names = src.names
    for call in src.changed_calls():
        name = names.call_name(call) or ""
        entry = _hub_loader(name or None, call)
        line = src.changed_line(call)
        if entry is None:
            passed_on = _revision_not_passed_on(src, call) if line is not None else None
            if passed_on is not None and line is not None:
                yield Hit(line, passed_on)
            continue
        misnamed = _misnamed_revision(call, entry)
        if misnamed is not None and line is not None:
            loader = _method(call) or name.rsplit(".", 1)[-1]
            yield Hit(
                src.changed_line(misnamed) or line,
                f"`{loader}` takes its revision as `{entry.revision_options[0]}=`: `{misnamed.arg}=` pins "
                "nothing, so it loads the main branch.",
            )
            continue
        unpinned = _unpinned_by_change(src, call, entry)
        if unpinned is not None and line is not None:
            yield Hit(line, unpinned)
            continue
        repo_id = string_value(_repo_argument(call, name))
        if repo_id is None or not _HUB_ID.match(repo_id):
            # A literal that is no Hub id is a local path or a builtin dataset: nothing to pin.
            dropped = _revision_not_forwarded(src, call, name) if repo_id is None else None
            if (
                dropped is None
                and repo_id is None
                and names.keywords(call).state(*entry.revision_options) == "absent"
            ):
                dropped = _configured_revision(src, call, entry)
            if dropped is not None and line is not None:
                yield Hit(line, dropped)
            continue
        revision = kwarg(call, *entry.revision_options)
        if revision is not None:
            value = string_value(revision.value)
            if value is None or _FULL_SHA.match(value):
                continue
            detail = f"`revision={value!r}` can move; pin the full commit SHA of {repo_id!r}."
        elif names.keywords(call).state(*entry.revision_options) == "unknown":
            continue  # a `**` splat the code does not show may carry it
        else:
            detail = f"{repo_id!r} is loaded without `revision=`."
        if line is not None:
            # The id is the code's own choice: where that matters is the role policy's (a library's
            # named id is a default its callers override).
            yield Hit(line, detail, variant="named")
