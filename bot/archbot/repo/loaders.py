"""Loaders that execute what they load: one table of deserialisers that unpickle (or construct
arbitrary objects), and one of Hugging Face Hub loaders (which take a `revision` and may run the
model repository's Python code with `trust_remote_code`).

A deserialiser entry says when it is unsafe: always, or only when an option has a given value
(`numpy.load(allow_pickle=True)`, `torch.load(weights_only=False)`), or when a format option or
the file's extension selects pickle (`nltk.data.load(..., format="pickle")`). Rules ask this table;
they do not keep lists of their own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Literal

When = Literal["always", "option", "format"]


@dataclasses.dataclass(frozen=True)
class Deserialiser:
    """`when`: "always" unpickles; "option": only when `option` is given `value` (or, with
    `default_unsafe`, when the option is left out); "format": when `option` names a pickle
    format, or is left out and the path ends in a pickle extension. `index_scheme`: a relative
    name with no scheme names a resource of the library's data index under that scheme (found in
    its data path, fetched by its downloader), not a file of the repository. `safe_since`: the
    release of its package from which it no longer builds arbitrary objects (a restricted
    unpickler), as (package, version)."""

    qualname: str
    when: When
    source: str
    path_position: int = 0
    path_names: tuple[str, ...] = ("f", "file", "path", "filename", "filepath")
    option: str = ""
    value: object = None
    default_unsafe: bool = False
    pickle_formats: tuple[str, ...] = ()
    pickle_extensions: tuple[str, ...] = ()
    index_scheme: str = ""
    safe_since: tuple[str, tuple[int, ...]] | None = None


def _always(qualname: str, source: str, *names: str, position: int = 0) -> Deserialiser:
    paths = names or ("f", "file", "path", "filename", "filepath", "data")
    return Deserialiser(qualname, "always", source, position, paths)


_PICKLE = "Python docs: pickle is not secure; only unpickle data you trust"
_DESERIALISERS: tuple[Deserialiser, ...] = (
    _always("pickle.load", _PICKLE, "file"),
    _always("pickle.loads", _PICKLE, "data"),
    _always("pickle.Unpickler", _PICKLE, "file"),
    _always("_pickle.load", _PICKLE, "file"),
    _always("_pickle.loads", _PICKLE, "data"),
    _always("cPickle.load", _PICKLE, "file"),
    _always("cPickle.loads", _PICKLE, "data"),
    _always("dill.load", "dill extends pickle", "file"),
    _always("dill.loads", "dill extends pickle", "str"),
    _always("cloudpickle.load", "cloudpickle re-exports pickle.load", "file"),
    _always("cloudpickle.loads", "cloudpickle re-exports pickle.loads", "data"),
    _always("joblib.load", "joblib docs: load relies on pickle; never load untrusted files", "filename"),
    _always("sklearn.externals.joblib.load", "joblib.load under its old scikit-learn path", "filename"),
    _always("pandas.read_pickle", "pandas docs: read_pickle is not secure", "filepath_or_buffer"),
    _always("shelve.open", "Python docs: shelve is backed by pickle", "filename"),
    _always("torch.package.PackageImporter", "torch.package docs: loads pickled code", "file_or_buffer"),
    _always("jsonpickle.decode", "jsonpickle docs: decode can execute arbitrary code", "string"),
    _always("yaml.unsafe_load", "PyYAML: unsafe_load constructs arbitrary Python objects", "stream"),
    Deserialiser(
        "numpy.load",
        "option",
        "numpy docs: allow_pickle=True loads object arrays with pickle",
        path_names=("file",),
        option="allow_pickle",
        value=True,
    ),
    Deserialiser(
        "torch.load",
        "option",
        "PyTorch: weights_only defaults to True since 2.6, False before",
        path_names=("f",),
        option="weights_only",
        value=False,
    ),
    Deserialiser(
        "keras.models.load_model",
        "option",
        "Keras docs: safe_mode=False allows arbitrary code in lambda layers",
        path_names=("filepath",),
        option="safe_mode",
        value=False,
    ),
    Deserialiser(
        "tensorflow.keras.models.load_model",
        "option",
        "Keras docs: safe_mode=False allows arbitrary code in lambda layers",
        path_names=("filepath",),
        option="safe_mode",
        value=False,
    ),
    Deserialiser(
        "nltk.data.load",
        "format",
        "NLTK docs: format 'pickle' (or 'auto' on a .pickle file) unpickles the resource",
        path_names=("resource_url",),
        option="format",
        pickle_formats=("pickle",),
        pickle_extensions=(".pickle", ".pkl"),
        # NLTK docs: "The default protocol is "nltk:", which searches for the file in the the NLTK
        # data package."
        index_scheme="nltk",
        # CVE-2024-39705 (nltk#3276): data.load unpickles through a restricted unpickler that
        # refuses classes and functions; "NLTK 3.9.1 is no longer vulnerable".
        safe_since=("nltk", (3, 9, 1)),
    ),
)

DESERIALISERS: Mapping[str, Deserialiser] = {entry.qualname: entry for entry in _DESERIALISERS}


@dataclasses.dataclass(frozen=True)
class Serialiser:
    """A function that writes a file in a format a deserialiser reads; where it takes the file."""

    qualname: str
    path_position: int
    path_names: tuple[str, ...]


_PICKLE_FAMILY = ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
_PICKLE_WRITERS = tuple(Serialiser(f"{module}.dump", 1, ("file",)) for module in _PICKLE_FAMILY)
_NUMPY_WRITERS = tuple(
    Serialiser(f"numpy.{name}", 0, ("file",)) for name in ("save", "savez", "savez_compressed")
)
# Deserialiser -> the functions that write what it reads (the library's own pair: pickle's dump
# for its load; pickle's variants share one format).
SERIALISERS: Mapping[str, tuple[Serialiser, ...]] = {
    "pickle.load": _PICKLE_WRITERS,
    "_pickle.load": _PICKLE_WRITERS,
    "cPickle.load": _PICKLE_WRITERS,
    "dill.load": _PICKLE_WRITERS,
    "cloudpickle.load": _PICKLE_WRITERS,
    "joblib.load": (Serialiser("joblib.dump", 1, ("filename",)),),
    "sklearn.externals.joblib.load": (Serialiser("sklearn.externals.joblib.dump", 1, ("filename",)),),
    "numpy.load": _NUMPY_WRITERS,
    "torch.load": (Serialiser("torch.save", 1, ("f",)),),
}
# Methods that publish or save a Hugging Face dataset (`Dataset`, `DatasetDict`): a script that
# calls one builds a dataset once, and what it drew is fixed in what it saved.
DATASET_WRITERS = frozenset(["push_to_hub", "save_to_disk"])
# Methods that save an artifact to files or a hub: a model, a tokenizer, a dataset, a table, a
# figure (transformers' `save_pretrained`, datasets' writers, pandas' `to_csv`/`to_parquet`,
# matplotlib's `savefig`).
ARTIFACT_SAVERS = DATASET_WRITERS | frozenset(["save_pretrained", "to_csv", "to_parquet", "savefig"])
# Calls that move a written file into place, (source, destination) by position: a file written to
# a temporary name and moved onto the path read back (an atomic write) is still the writer's own.
# Path objects' own `.replace(target)` / `.rename(target)` do the same (source: the receiver).
FILE_MOVES: Mapping[str, tuple[int, int]] = {
    "os.replace": (0, 1),
    "os.rename": (0, 1),
    "shutil.move": (0, 1),
}
PATH_MOVES = frozenset(["replace", "rename"])
# Loading functions that are never pickle-based, whatever their name suggests (bandit #1293, #1343).
NOT_DESERIALISERS = frozenset(["torch.jit.load", "torch.utils.cpp_extension.load"])


@dataclasses.dataclass(frozen=True)
class HubLoader:
    """A loader that fetches a model, tokenizer or dataset from the Hugging Face Hub by repository
    id. `repo_position`/`repo_names`: where the id is passed. `revision_options`: the options that
    pin the revision of what it loads; `other_revisions`: revision options it takes for something
    else (the tokenizer's, the remote code's), which do not pin the load. `options_known`: its
    options are known, so another option named for a revision is a mistake that pins nothing
    (False for any class's `from_pretrained`, whose own options may be named anyhow).
    `remote_code`: whether it accepts `trust_remote_code`. `holds`: what it loads (`model`,
    `dataset`, or `any` repository type), so that a model's revision is not taken for a
    dataset's."""

    qualname: str
    source: str
    repo_position: int = 0
    repo_names: tuple[str, ...] = ("pretrained_model_name_or_path", "model_name_or_path", "repo_id")
    revision_options: tuple[str, ...] = ("revision",)
    other_revisions: tuple[str, ...] = ()
    options_known: bool = True
    remote_code: bool = True
    holds: str = "model"


_HUB_SOURCE = "transformers/huggingface_hub/datasets docs: `revision` pins a branch, tag or commit"
_HUB_LOADERS: tuple[HubLoader, ...] = (
    HubLoader("transformers.pipeline", _HUB_SOURCE, repo_position=1, repo_names=("model",)),
    HubLoader(
        "sentence_transformers.SentenceTransformer",
        "sentence-transformers: SentenceTransformer(model_name_or_path, revision=, trust_remote_code=)",
        repo_names=("model_name_or_path",),
    ),
    HubLoader(
        "sentence_transformers.CrossEncoder",
        "sentence-transformers: CrossEncoder(model_name, revision=, trust_remote_code=)",
        repo_names=("model_name", "model_name_or_path"),
    ),
    HubLoader(
        "huggingface_hub.hf_hub_download",
        _HUB_SOURCE,
        repo_names=("repo_id",),
        remote_code=False,
        holds="any",
    ),
    HubLoader(
        "huggingface_hub.snapshot_download",
        _HUB_SOURCE,
        repo_names=("repo_id",),
        remote_code=False,
        holds="any",
    ),
    HubLoader("datasets.load_dataset", _HUB_SOURCE, repo_names=("path",), holds="dataset"),
    HubLoader(
        "vllm.LLM",
        "vllm LLM(model, revision=, tokenizer_revision=, code_revision=, trust_remote_code=)",
        repo_names=("model",),
        revision_options=("revision",),
        other_revisions=("tokenizer_revision", "code_revision"),
    ),
    HubLoader(
        "vllm.transformers_utils.tokenizer.get_tokenizer",
        "vllm get_tokenizer(tokenizer_name, ..., revision=): unknown options (tokenizer_revision=) go "
        "to AutoTokenizer.from_pretrained, which ignores them",
        repo_names=("tokenizer_name",),
    ),
)
HUB_LOADERS: Mapping[str, HubLoader] = {entry.qualname: entry for entry in _HUB_LOADERS}
FROM_PRETRAINED = HubLoader(
    "*.from_pretrained",
    "transformers/diffusers/peft from_pretrained(pretrained_model_name_or_path, revision=, "
    "code_revision= (the remote code's), trust_remote_code=)",
    repo_names=("pretrained_model_name_or_path", "model_name_or_path", "model_id", "model_name"),
    other_revisions=("code_revision",),
    options_known=False,
)
# Words (ASCII lower case) one of which a file calling a loader that accepts `trust_remote_code`
# holds: the loader's name or its package's. The pre-commit screen relies on them (policy.py).
REMOTE_CODE_LOADER_WORDS = (
    "from_pretrained",
    "pipeline",
    "sentencetransformer",
    "crossencoder",
    "load_dataset",
    "vllm",
)
# Classes whose `from_pretrained` reads only local or already-loaded objects.
_LOCAL_FROM_PRETRAINED = ("peft.PeftConfig",)
# A model class transformers ships (`Qwen3ForCausalLM`, `BertModel`, `GPT2LMHeadModel`), not an
# Auto class: its `from_pretrained` is `PreTrainedModel`'s, which ignores `trust_remote_code`
# ("is to be used with Auto classes. It has no effect here and is ignored"): the class runs its
# own code, never the repository's. Tokenizers are not among them: theirs may read the
# repository's config through `AutoConfig`.
_SHIPPED_MODEL_CLASS = re.compile(
    r"^transformers(\.\w+)*\.(?!Auto|TF|Flax)\w*(Model|For[A-Z]\w*)\.from_pretrained$"
)


# Loaders whose `trust_remote_code=True` imports the code file an option names, when given one:
# FunASR's `AutoModel(..., trust_remote_code=True, remote_code="./model.py")` runs
# `import_module_from_path(kwargs.get("remote_code", "model"))`; without it, the downloaded
# model's own `model.py`.
LOCAL_CODE_OPTIONS: Mapping[str, str] = {
    "funasr.AutoModel": "remote_code",
    "funasr.auto.auto_model.AutoModel": "remote_code",
}


def runs_remote_code(qualname: str | None) -> bool:
    """Whether a call given `trust_remote_code=True` may run the repository's code: all but the
    `from_pretrained` of a model class transformers ships (an unresolved call may)."""
    return qualname is None or _SHIPPED_MODEL_CLASS.match(qualname) is None


# Functions that fetch a file over the network (what they return is it: its local path, or for
# `requests.get` the response whose `.content` is its bytes); a project function that calls one
# and returns a value is a download too (supply_chain's `_downloaded`).
DOWNLOADERS = frozenset(
    [
        "huggingface_hub.hf_hub_download",
        "huggingface_hub.snapshot_download",
        "urllib.request.urlretrieve",
        "requests.get",
        "torch.hub.download_url_to_file",
        "timm.models.hub.download_cached_file",
        "timm.models._hub.download_cached_file",
        "wget.download",
        "gdown.download",
        "gdown.cached_download",
        "modelscope.snapshot_download",
        "modelscope.hub.snapshot_download.snapshot_download",
        "basicsr.utils.download_util.load_file_from_url",
    ]
)


# Calls that move bytes between the processes of one job (torch.distributed collectives): a pickle
# of what they carry is the job's own data, as torch's own `*_object` collectives unpickle it.
JOB_TRANSPORTS = frozenset(
    [
        "torch.distributed.all_gather",
        "torch.distributed.all_gather_into_tensor",
        "torch.distributed.all_reduce",
        "torch.distributed.all_to_all",
        "torch.distributed.broadcast",
        "torch.distributed.gather",
        "torch.distributed.scatter",
        "torch.distributed.recv",
        "torch.distributed.irecv",
    ]
)


# Calls that start worker processes of this machine's program (a process pool, a child process):
# bytes a module pickles and hands to them are the program's own, passed between its processes.
WORKER_PROCESSES = frozenset(
    [
        "multiprocessing.Pool",
        "multiprocessing.Process",
        "multiprocessing.get_context",
        "multiprocessing.pool.Pool",
        "concurrent.futures.ProcessPoolExecutor",
        "torch.multiprocessing.spawn",
        "torch.multiprocessing.Process",
        "torch.multiprocessing.Pool",
    ]
)
# Base classes of a dataset (torch's map-style and iterable datasets, torchvision's): what its
# methods read are the samples whoever trains pointed it at (precomputed latents, tokenized shards,
# annotations), that operator's own data.
DATASET_CLASSES = frozenset(
    [
        "torch.utils.data.Dataset",
        "torch.utils.data.IterableDataset",
        "torch.utils.data.dataset.Dataset",
        "torch.utils.data.dataset.IterableDataset",
        "torchvision.datasets.VisionDataset",
        "torchvision.datasets.vision.VisionDataset",
    ]
)
# Embedded key-value stores a dataset is packed into (LMDB, LevelDB): the values read from one are
# the records whoever built the store wrote, the operator's own data, as a dataset's samples are.
RECORD_STORES = frozenset(["lmdb.open", "lmdb.Environment", "plyvel.DB"])
# Functions that pickle to bytes, for the pickle family's `loads`.
PICKLE_DUMPS = frozenset(f"{module}.dumps" for module in _PICKLE_FAMILY)


def deserialiser(qualname: str | None) -> Deserialiser | None:
    if qualname is None or qualname in NOT_DESERIALISERS:
        return None
    return DESERIALISERS.get(qualname)


def hub_loader(qualname: str | None, method: str | None = None) -> HubLoader | None:
    """The Hub loader a call is: a function of the table, or any `X.from_pretrained` (`method`
    is the attribute called, for receivers that do not resolve to a qualified name)."""
    if qualname is not None and qualname in HUB_LOADERS:
        return HUB_LOADERS[qualname]
    if qualname is not None and qualname.endswith(".from_pretrained"):
        return None if qualname.startswith(_LOCAL_FROM_PRETRAINED) else FROM_PRETRAINED
    if method == "from_pretrained":
        return FROM_PRETRAINED
    return None
