"""The knowledge tables, entry by entry: SDK facts (timeouts, retries, output caps, blocking calls
and their async twins), the loaders that unpickle or take a Hub revision, the synchronous
database and service clients (datastores), and the tool images an init container runs (images).
A change to any entry fails here first, so it is made on purpose, with its source."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable

import pytest

from archbot.policy import policy
from archbot.repo import datastores, endpoints, loaders, sdk, web
from archbot.repo.resolve import Names, Tree
from archbot.rules import images, manifests, training
from archbot.rules.pyast import is_response_shape, loopback_url
from conftest import GitRepo, Run, places

RunArchbot = Callable[..., Run]

U = sdk.UNKNOWN
# qualname: (provider, default timeout, default retries, is_async, async twin)
CLIENT_FACTS: dict[str, tuple[str, object, object, bool, str | None]] = {
    "openai.OpenAI": ("openai", 600.0, 2, False, "openai.AsyncOpenAI"),
    "openai.AsyncOpenAI": ("openai", 600.0, 2, True, None),
    "openai.AzureOpenAI": ("openai", 600.0, 2, False, "openai.AsyncAzureOpenAI"),
    "openai.AsyncAzureOpenAI": ("openai", 600.0, 2, True, None),
    "anthropic.Anthropic": ("anthropic", 600.0, 2, False, "anthropic.AsyncAnthropic"),
    "anthropic.AsyncAnthropic": ("anthropic", 600.0, 2, True, None),
    "anthropic.AnthropicBedrock": ("anthropic", 600.0, 2, False, "anthropic.AsyncAnthropicBedrock"),
    "anthropic.AsyncAnthropicBedrock": ("anthropic", 600.0, 2, True, None),
    "anthropic.AnthropicVertex": ("anthropic", 600.0, 2, False, "anthropic.AsyncAnthropicVertex"),
    "anthropic.AsyncAnthropicVertex": ("anthropic", 600.0, 2, True, None),
    "cohere.Client": ("cohere", 300.0, 2, False, "cohere.AsyncClient"),
    "cohere.ClientV2": ("cohere", 300.0, 2, False, "cohere.AsyncClientV2"),
    "cohere.AsyncClient": ("cohere", 300.0, 2, True, None),
    "cohere.AsyncClientV2": ("cohere", 300.0, 2, True, None),
    "huggingface_hub.InferenceClient": (
        "huggingface",
        None,
        0,
        False,
        "huggingface_hub.AsyncInferenceClient",
    ),
    "huggingface_hub.AsyncInferenceClient": ("huggingface", None, 0, True, None),
    "google.genai.Client": ("google-genai", None, 0, False, None),
    "mistralai.Mistral": ("mistral", None, U, False, None),
    "litellm": ("litellm", 6000.0, U, False, None),
    "litellm.Router": ("litellm", U, U, False, None),
    "langchain_openai.ChatOpenAI": ("langchain", None, U, False, None),
    "langchain_openai.AzureChatOpenAI": ("langchain", None, U, False, None),
    "langchain_anthropic.ChatAnthropic": ("langchain", None, 2, False, None),
    "langchain_groq.ChatGroq": ("langchain", None, 2, False, None),
    "langchain_fireworks.ChatFireworks": ("langchain", None, U, False, None),
    "langchain_google_genai.ChatGoogleGenerativeAI": ("langchain", U, U, False, None),
    "langchain_google_vertexai.ChatVertexAI": ("langchain", U, U, False, None),
    "langchain_aws.ChatBedrock": ("langchain", U, U, False, None),
    "langchain_aws.ChatBedrockConverse": ("langchain", U, U, False, None),
    "langchain_ollama.ChatOllama": ("langchain", U, U, False, None),
    "langchain_mistralai.ChatMistralAI": ("langchain", U, U, False, None),
    "langchain_openai.OpenAIEmbeddings": ("langchain", U, U, False, None),
    "langchain_openai.AzureOpenAIEmbeddings": ("langchain", U, U, False, None),
    "llama_index.llms.openai.OpenAI": ("llama-index", 60.0, 3, False, None),
    "llama_index.llms.anthropic.Anthropic": ("llama-index", 60.0, 3, False, None),
    "haystack.components.generators.chat.OpenAIChatGenerator": ("haystack", 30.0, 5, False, None),
    "dspy.LM": ("dspy", U, 3, False, None),
    "text_generation.Client": ("tgi", 10.0, 0, False, "text_generation.AsyncClient"),
    "text_generation.AsyncClient": ("tgi", 10.0, 0, True, None),
    "ollama.Client": ("ollama", None, 0, False, "ollama.AsyncClient"),
    "ollama.AsyncClient": ("ollama", None, 0, True, None),
    "boto3.client:bedrock-runtime": ("bedrock", U, U, False, None),
    "boto3.client:sagemaker-runtime": ("sagemaker", U, U, False, None),
    "sentence_transformers.SentenceTransformer": ("local", U, U, False, None),
    "sentence_transformers.CrossEncoder": ("local", U, U, False, None),
    "vllm.LLM": ("local", U, U, False, None),
    "transformers.pipeline": ("local", U, U, False, None),
}


def test_every_client_entry_is_pinned() -> None:
    assert sorted(sdk.CLIENTS) == sorted(CLIENT_FACTS)


@pytest.mark.parametrize("qualname", sorted(CLIENT_FACTS))
def test_client_entry(qualname: str) -> None:
    entry = sdk.CLIENTS[qualname]
    provider, timeout, retries, is_async, twin = CLIENT_FACTS[qualname]

    assert (entry.provider, entry.default_timeout, entry.default_retries) == (provider, timeout, retries)
    assert (entry.is_async, entry.async_twin) == (is_async, twin)
    assert entry.source  # every fact says where it was read (or that it was not verified)
    assert twin is None or sdk.CLIENTS[twin].is_async
    # A blocking method's twin is a different call on the same client.
    assert all(blocking != twin_method for blocking, twin_method in entry.method_twins.items())


@pytest.mark.parametrize(
    ("qualname", "method", "caps"),
    [
        ("openai.OpenAI", "chat.completions.create", ("max_tokens", "max_completion_tokens")),
        ("openai.OpenAI", "responses.create", ("max_output_tokens",)),
        ("anthropic.Anthropic", "messages.create", ()),  # required: never "missing"
        ("cohere.ClientV2", "chat", ("max_tokens",)),
        ("google.genai.Client", "models.generate_content", ("max_output_tokens",)),
        ("huggingface_hub.InferenceClient", "text_generation", ("max_new_tokens",)),
        ("litellm", "completion", ("max_tokens", "max_completion_tokens")),
        ("mistralai.Mistral", "chat.complete", ("max_tokens",)),
        ("langchain_openai.ChatOpenAI", "invoke", ("max_tokens", "max_completion_tokens")),
        ("openai.OpenAI", "embeddings.create", None),  # not a generation call
        ("sentence_transformers.CrossEncoder", "predict", None),  # scores pairs
        ("sentence_transformers.CrossEncoder", "rank", None),
    ],
)
def test_output_caps(qualname: str, method: str, caps: tuple[str, ...] | None) -> None:
    assert sdk.CLIENTS[qualname].cap_options(method) == caps


@pytest.mark.parametrize(
    ("task", "scores"),
    [
        ("text-classification", True),
        ("sentiment-analysis", True),  # an alias of text-classification
        ("token-classification", True),
        ("ner", True),
        ("zero-shot-classification", True),
        ("feature-extraction", True),
        ("fill-mask", True),
        ("question-answering", True),  # extractive: a span of the context
        ("image-classification", True),
        ("text-generation", False),
        ("text2text-generation", False),
        ("summarization", False),
        ("translation", False),
        ("image-text-to-text", False),
        ("automatic-speech-recognition", False),  # decodes text
    ],
)
def test_pipeline_tasks_that_generate_nothing(task: str, scores: bool) -> None:
    """A pipeline built for a task that labels, scores or extracts is called like an encoder."""
    assert (task in sdk.CLIENTS["transformers.pipeline"].scoring_tasks) == scores


@pytest.mark.parametrize(
    ("task", "samples"),
    [
        ("text-generation", True),
        ("image-text-to-text", True),
        ("automatic-speech-recognition", False),  # Whisper decodes greedily
        ("translation", False),
        ("summarization", False),
        ("text2text-generation", False),
        ("text-classification", False),
    ],
)
def test_pipeline_tasks_that_sample(task: str, samples: bool) -> None:
    """A pipeline samples as its model's generation config says only for chat-style generation."""
    assert (task in sdk.CLIENTS["transformers.pipeline"].sampling_tasks) == samples


def test_anthropic_requires_max_tokens_and_others_do_not() -> None:
    assert [q for q, c in sdk.CLIENTS.items() if c.cap_required] == [
        q for q in sdk.CLIENTS if q.startswith("anthropic.")
    ]


_OPENAI_SEEDS = {
    "chat.completions.create": "seed",
    "chat.completions.parse": "seed",
    "beta.chat.completions.parse": "seed",
    "completions.create": "seed",
}
_MISTRAL_SEEDS = dict.fromkeys(
    [
        "chat.complete",
        "chat.complete_async",
        "chat.stream",
        "chat.stream_async",
        "fim.complete",
        "fim.complete_async",
    ],
    "random_seed",
)
# qualname: the generation calls that take a seed, and its option; every other entry is unverified.
SEED_FACTS: dict[str, dict[str, str]] = {
    **{
        f"openai.{name}": _OPENAI_SEEDS
        for name in ("OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI")
    },
    **{
        q: {}  # the Messages API has no seed
        for q in CLIENT_FACTS
        if q.startswith("anthropic.")
    },
    "mistralai.Mistral": _MISTRAL_SEEDS,
    "litellm": {m: "seed" for m in ("completion", "acompletion", "text_completion", "atext_completion")},
}


def test_every_verified_seed_option_is_pinned() -> None:
    verified = {q: dict(c.seed_options) for q, c in sdk.CLIENTS.items() if c.seed_options != U}
    assert verified == SEED_FACTS


def test_batch_calls_take_a_sequence_of_prompts() -> None:
    """Only calls that run a sequence of prompts as one batch: a chat call's list of messages is
    one conversation (vLLM's `chat` takes either, so it is not one)."""
    batches = {q: dict(c.batch_calls) for q, c in sdk.CLIENTS.items() if c.batch_calls}
    assert batches == {"vllm.LLM": {"generate": (0, "prompts")}}
    assert all(set(c.batch_calls) <= set(c.calls) for c in sdk.CLIENTS.values())


@pytest.mark.parametrize(
    ("qualname", "method", "option"),
    [
        ("openai.AsyncOpenAI", "chat.completions.create", "seed"),
        ("openai.OpenAI", "responses.create", None),  # the Responses API takes no seed
        ("anthropic.Anthropic", "messages.create", None),
        ("mistralai.Mistral", "chat.complete", "random_seed"),
        ("litellm", "acompletion", "seed"),
        ("cohere.ClientV2", "chat", U),  # not verified: rules do not judge it
    ],
)
def test_seed_option(qualname: str, method: str, option: str | None) -> None:
    assert sdk.CLIENTS[qualname].seed_option(method) == option


@pytest.mark.parametrize(
    ("keys", "api"),
    [
        (("model", "prompt", "temperature", "stop"), "openai-compatible"),
        (("model", "messages", "top_p", "n"), "openai-compatible"),
        (("model", "messages", "system", "max_tokens"), "anthropic-messages"),
        (("anthropic_version", "model", "messages", "max_tokens"), "anthropic-messages"),
        (("model", "messages", "temperature", "max_tokens"), None),  # keys every chat API shares
        (("prompt", "temperature", "stop"), None),  # no model: not a model API's body
        (("model", "messages", "stop", "system"), None),  # keys of two APIs
    ],
)
def test_request_body(keys: tuple[str, ...], api: str | None) -> None:
    body = sdk.request_body(frozenset(keys))
    assert (body.api if body is not None else None) == api


def test_request_body_seed_keys() -> None:
    assert {body.api: body.seed_key for body in sdk.REQUEST_BODIES} == {
        "openai-compatible": "seed",
        "anthropic-messages": None,
    }


@pytest.mark.parametrize(
    ("written", "public"),
    [
        ("openai.lib.azure.AzureOpenAI", "openai.AzureOpenAI"),
        ("openai._client.OpenAI", "openai.OpenAI"),
        ("anthropic._client.Anthropic", "anthropic.Anthropic"),
        ("huggingface_hub.inference._client.InferenceClient", "huggingface_hub.InferenceClient"),
        ("langchain_community.chat_models.ChatOpenAI", "langchain_openai.ChatOpenAI"),
        ("langchain.chat_models.ChatAnthropic", "langchain_anthropic.ChatAnthropic"),
        ("ollama._client.Client", "ollama.Client"),
        ("mistralai.sdk.Mistral", "mistralai.Mistral"),
        ("requests.Session", "requests.Session"),
    ],
)
def test_re_export_paths_are_their_public_names(written: str, public: str) -> None:
    assert sdk.canonical(written) == public


@pytest.mark.parametrize(
    ("qualname", "model", "embeddings"),
    [
        ("langchain_openai.ChatOpenAI", True, False),
        ("langchain_community.chat_models.ChatTogether", True, False),
        ("langchain.chat_models.init_chat_model", True, False),
        ("langchain_core.prompts.ChatPromptTemplate", False, False),
        ("langchain_core.messages.ChatMessage", False, False),
        ("langchain_huggingface.HuggingFaceEmbeddings", False, True),
        ("mypkg.ChatOpenAI", False, False),
        ("langchain.llms.OpenAI", True, False),  # legacy completion models
        ("langchain_community.llms.HuggingFaceEndpoint", True, False),
        ("langchain.chains.LLMChain", False, False),  # a chain holds a model, it is not one
        ("openai.OpenAI", False, False),
    ],
)
def test_langchain_classes(qualname: str, model: bool, embeddings: bool) -> None:
    assert (sdk.langchain_model(qualname), sdk.langchain_embeddings(qualname)) == (model, embeddings)


def test_langchain_calls_legacy_methods_included() -> None:
    runnable = {
        *("invoke", "ainvoke", "batch", "abatch", "stream", "astream"),
        *("predict", "apredict", "predict_messages", "apredict_messages"),
        *("run", "arun", "__call__", "acall"),
    }
    coroutines = {"ainvoke", "abatch", "astream", "apredict", "apredict_messages", "arun", "acall"}

    assert (runnable, coroutines) == (sdk.LANGCHAIN_RUNNABLE_CALLS, sdk.LANGCHAIN_ASYNC_CALLS)
    assert sdk.langchain_component("langchain.chains.LLMChain")
    assert not sdk.langchain_component("mypkg.Chain")


# qualname: (when, option, value)
DESERIALISER_FACTS: dict[str, tuple[str, str, object]] = {
    "pickle.load": ("always", "", None),
    "pickle.loads": ("always", "", None),
    "pickle.Unpickler": ("always", "", None),
    "_pickle.load": ("always", "", None),
    "_pickle.loads": ("always", "", None),
    "cPickle.load": ("always", "", None),
    "cPickle.loads": ("always", "", None),
    "dill.load": ("always", "", None),
    "dill.loads": ("always", "", None),
    "cloudpickle.load": ("always", "", None),
    "cloudpickle.loads": ("always", "", None),
    "joblib.load": ("always", "", None),
    "sklearn.externals.joblib.load": ("always", "", None),
    "pandas.read_pickle": ("always", "", None),
    "shelve.open": ("always", "", None),
    "torch.package.PackageImporter": ("always", "", None),
    "jsonpickle.decode": ("always", "", None),
    "yaml.unsafe_load": ("always", "", None),
    "numpy.load": ("option", "allow_pickle", True),
    "torch.load": ("option", "weights_only", False),
    "keras.models.load_model": ("option", "safe_mode", False),
    "tensorflow.keras.models.load_model": ("option", "safe_mode", False),
    "nltk.data.load": ("format", "format", None),
}


def test_every_deserialiser_entry_is_pinned() -> None:
    assert sorted(loaders.DESERIALISERS) == sorted(DESERIALISER_FACTS)


@pytest.mark.parametrize("qualname", sorted(DESERIALISER_FACTS))
def test_deserialiser_entry(qualname: str) -> None:
    entry = loaders.deserialiser(qualname)

    assert entry is not None and entry.source
    assert (entry.when, entry.option, entry.value) == DESERIALISER_FACTS[qualname]


def test_nltk_pickle_formats_and_extensions() -> None:
    entry = loaders.DESERIALISERS["nltk.data.load"]

    assert (entry.pickle_formats, entry.pickle_extensions) == (("pickle",), (".pickle", ".pkl"))


def test_only_nltk_looks_relative_names_up_in_a_data_index() -> None:
    # nltk.data.load's default protocol is "nltk:" (its data path); every other loader opens a
    # relative name as a file.
    assert {q: e.index_scheme for q, e in loaders.DESERIALISERS.items() if e.index_scheme} == {
        "nltk.data.load": "nltk"
    }


def test_only_nltk_stops_unpickling_code_from_a_release_on() -> None:
    # nltk#3276 / CVE-2024-39705: from 3.9.1 data.load's restricted unpickler refuses classes and
    # functions. Every other loader unpickles whatever it is given in every release.
    assert {q: e.safe_since for q, e in loaders.DESERIALISERS.items() if e.safe_since} == {
        "nltk.data.load": ("nltk", (3, 9, 1))
    }


_PICKLE_DUMPS = {(f"{module}.dump", 1) for module in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")}
# deserialiser: {(writer, position of the file it writes)}
SERIALISER_FACTS: dict[str, set[tuple[str, int]]] = {
    "pickle.load": _PICKLE_DUMPS,
    "_pickle.load": _PICKLE_DUMPS,
    "cPickle.load": _PICKLE_DUMPS,
    "dill.load": _PICKLE_DUMPS,
    "cloudpickle.load": _PICKLE_DUMPS,
    "joblib.load": {("joblib.dump", 1)},
    "sklearn.externals.joblib.load": {("sklearn.externals.joblib.dump", 1)},
    "numpy.load": {("numpy.save", 0), ("numpy.savez", 0), ("numpy.savez_compressed", 0)},
    "torch.load": {("torch.save", 1)},
}


def test_every_serialiser_entry_is_pinned() -> None:
    assert sorted(loaders.SERIALISERS) == sorted(SERIALISER_FACTS)


@pytest.mark.parametrize("qualname", sorted(SERIALISER_FACTS))
def test_serialiser_entry(qualname: str) -> None:
    writers = loaders.SERIALISERS[qualname]

    assert qualname in loaders.DESERIALISERS
    assert {(writer.qualname, writer.path_position) for writer in writers} == SERIALISER_FACTS[qualname]
    assert all(writer.path_names for writer in writers)


@pytest.mark.parametrize(
    ("qualname", "positions"), [("os.replace", (0, 1)), ("os.rename", (0, 1)), ("shutil.move", (0, 1))]
)
def test_file_moves(qualname: str, positions: tuple[int, int]) -> None:
    assert loaders.FILE_MOVES[qualname] == positions


def test_dataset_writers_are_the_methods_that_save_a_dataset() -> None:
    assert sorted(loaders.DATASET_WRITERS) == ["push_to_hub", "save_to_disk"]


def test_artifact_savers_are_the_dataset_writers_and_the_model_table_and_figure_savers() -> None:
    assert sorted(loaders.ARTIFACT_SAVERS) == [
        "push_to_hub",
        "save_pretrained",
        "save_to_disk",
        "savefig",
        "to_csv",
        "to_parquet",
    ]


# downloader: what it returns (its docs), the file it fetched or the way to it
DOWNLOADER_RESULTS = {
    "huggingface_hub.hf_hub_download": "the local path of the cached file",
    "huggingface_hub.snapshot_download": "the local folder of the snapshot",
    "urllib.request.urlretrieve": "(filename, headers)",
    "requests.get": "a Response whose .content is the body",
    "torch.hub.download_url_to_file": "None: the file is written at dst",
    "timm.models.hub.download_cached_file": "the path of the cached file",
    "timm.models._hub.download_cached_file": "the path of the cached file (timm >= 0.9)",
    "wget.download": "the output filename",
    "gdown.download": "the output path",
    "gdown.cached_download": "the cached path",
    "modelscope.snapshot_download": "the local folder of the model",
    "modelscope.hub.snapshot_download.snapshot_download": "the local folder of the model",
    "basicsr.utils.download_util.load_file_from_url": "the path of the downloaded (cached) file",
}


def test_every_downloader_is_pinned() -> None:
    assert sorted(loaders.DOWNLOADERS) == sorted(DOWNLOADER_RESULTS)


@pytest.mark.parametrize("qualname", sorted(DOWNLOADER_RESULTS))
def test_a_downloader_fetches_and_does_not_unpickle(qualname: str) -> None:
    assert "." in qualname and loaders.deserialiser(qualname) is None


def reviewed(run_archbot: RunArchbot) -> list[tuple[int, str]]:
    """(line, rule) of each finding of a review of what is staged."""
    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    return [(f["line"], f["rule"]) for f in json.loads(result.out)["findings"]]


# A library's loaders: a pickle of a path its callers pass on is reported there (in an application
# it is the operator's own artifact), so what the tables exempt stands out.
DATA_LIBRARY = 'roles:\n  "data/**": library\n'
# record store opener: how its values are read (py-lmdb, plyvel docs)
RECORD_STORE_READS = {
    "lmdb.open": "an Environment; env.begin().get(key) returns the stored bytes",
    "lmdb.Environment": "the class lmdb.open returns",
    "plyvel.DB": "a LevelDB database; db.get(key) returns the stored bytes",
}


def test_every_record_store_is_pinned() -> None:
    assert sorted(loaders.RECORD_STORES) == sorted(RECORD_STORE_READS)


@pytest.mark.parametrize("qualname", sorted(RECORD_STORE_READS))
def test_records_of_each_store_are_its_own(qualname: str, repo: GitRepo, run_archbot: RunArchbot) -> None:
    module, _, name = qualname.rpartition(".")
    repo.stage(".archbot.yml", DATA_LIBRARY)
    repo.stage(
        "data/records.py",
        f"import pickle\n\nimport torch\nfrom {module} import {name}\n\n\n"
        f"def record(path, key):\n    store = {name}(path)\n    return pickle.loads(store.get(key))\n\n\n"
        "def blob(data):\n    return torch.tensor(pickle.loads(data))\n",
    )

    assert reviewed(run_archbot) == [(13, "unsafe-model-deserialization")]


# dataset base class: what its subclasses implement (torch/torchvision docs)
DATASET_BASES = {
    "torch.utils.data.Dataset": "__getitem__ (and __len__): a sample by key",
    "torch.utils.data.IterableDataset": "__iter__: a stream of samples",
    "torch.utils.data.dataset.Dataset": "the module Dataset is defined in",
    "torch.utils.data.dataset.IterableDataset": "the module IterableDataset is defined in",
    "torchvision.datasets.VisionDataset": "__getitem__ of an image dataset under root",
    "torchvision.datasets.vision.VisionDataset": "the module VisionDataset is defined in",
}


def test_every_dataset_base_is_pinned() -> None:
    assert sorted(loaders.DATASET_CLASSES) == sorted(DATASET_BASES)


@pytest.mark.parametrize("qualname", sorted(DATASET_BASES))
def test_a_dataset_of_each_base_reads_its_own_samples(
    qualname: str, repo: GitRepo, run_archbot: RunArchbot
) -> None:
    module, _, name = qualname.rpartition(".")
    repo.stage(".archbot.yml", DATA_LIBRARY)
    repo.stage(
        "data/frames.py",
        f"import pickle\n\nfrom {module} import {name}\n\n\nclass Frames({name}):\n"
        "    def read(self, path):\n        with open(path, 'rb') as f:\n"
        "            return pickle.load(f)\n\n\n"
        "def read(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n",
    )

    result = run_archbot("review", "--format", "json", "--fail-on", "never")

    found = [(f["line"], f["severity"]) for f in places(json.loads(result.out))]
    assert found == [(14, "high")]


def test_job_transports_are_the_collectives_that_move_bytes_between_ranks() -> None:
    # Each hands one rank's tensor bytes to others (all_reduce too: a zero-padded buffer summed
    # across ranks is a gather).
    assert sorted(loaders.JOB_TRANSPORTS) == [
        "torch.distributed.all_gather",
        "torch.distributed.all_gather_into_tensor",
        "torch.distributed.all_reduce",
        "torch.distributed.all_to_all",
        "torch.distributed.broadcast",
        "torch.distributed.gather",
        "torch.distributed.irecv",
        "torch.distributed.recv",
        "torch.distributed.scatter",
    ]


def test_worker_process_starters_are_pinned() -> None:
    # Each starts processes of this program on this machine (a pool, a child, torch's spawn).
    assert sorted(loaders.WORKER_PROCESSES) == [
        "concurrent.futures.ProcessPoolExecutor",
        "multiprocessing.Pool",
        "multiprocessing.Process",
        "multiprocessing.get_context",
        "multiprocessing.pool.Pool",
        "torch.multiprocessing.Pool",
        "torch.multiprocessing.Process",
        "torch.multiprocessing.spawn",
    ]
    assert sorted(loaders.PICKLE_DUMPS) == [
        "_pickle.dumps",
        "cPickle.dumps",
        "cloudpickle.dumps",
        "dill.dumps",
        "pickle.dumps",
    ]


def test_every_file_move_is_pinned() -> None:
    assert sorted(loaders.FILE_MOVES) == ["os.rename", "os.replace", "shutil.move"]
    assert {"rename", "replace"} == loaders.PATH_MOVES


@pytest.mark.parametrize("qualname", ["torch.jit.load", "torch.utils.cpp_extension.load", "json.load"])
def test_loaders_that_never_unpickle(qualname: str) -> None:
    assert loaders.deserialiser(qualname) is None


# qualname: (repo position, first repo keyword, revision options, other revision options, options
# known, accepts trust_remote_code)
HUB_FACTS: dict[str, tuple[int, str, tuple[str, ...], tuple[str, ...], bool, bool]] = {
    "transformers.pipeline": (1, "model", ("revision",), (), True, True),
    "sentence_transformers.SentenceTransformer": (0, "model_name_or_path", ("revision",), (), True, True),
    "sentence_transformers.CrossEncoder": (0, "model_name", ("revision",), (), True, True),
    "huggingface_hub.hf_hub_download": (0, "repo_id", ("revision",), (), True, False),
    "huggingface_hub.snapshot_download": (0, "repo_id", ("revision",), (), True, False),
    "datasets.load_dataset": (0, "path", ("revision",), (), True, True),
    "vllm.LLM": (0, "model", ("revision",), ("tokenizer_revision", "code_revision"), True, True),
    # tokenizer_revision= is no option of get_tokenizer: it reaches AutoTokenizer, which ignores it.
    "vllm.transformers_utils.tokenizer.get_tokenizer": (0, "tokenizer_name", ("revision",), (), True, True),
    # Any class's from_pretrained: code_revision= pins the remote code only; its options are open.
    "*.from_pretrained": (0, "pretrained_model_name_or_path", ("revision",), ("code_revision",), False, True),
}


def test_every_hub_loader_entry_is_pinned() -> None:
    assert sorted([*loaders.HUB_LOADERS, loaders.FROM_PRETRAINED.qualname]) == sorted(HUB_FACTS)


@pytest.mark.parametrize("qualname", sorted(HUB_FACTS))
def test_hub_loader_entry(qualname: str) -> None:
    entry = loaders.HUB_LOADERS.get(qualname, loaders.FROM_PRETRAINED)

    assert entry.qualname == qualname and entry.source
    assert (
        entry.repo_position,
        entry.repo_names[0],
        entry.revision_options,
        entry.other_revisions,
        entry.options_known,
        entry.remote_code,
    ) == HUB_FACTS[qualname]


@pytest.mark.parametrize("qualname", [q for q, facts in sorted(HUB_FACTS.items()) if facts[5]])
def test_a_remote_code_loader_is_named_by_a_screen_word(qualname: str) -> None:
    # A file calling it holds one of the words, and the trust-remote-code rule's policy needs them.
    assert any(word in qualname.lower() for word in loaders.REMOTE_CODE_LOADER_WORDS)
    assert set(loaders.REMOTE_CODE_LOADER_WORDS) <= set(policy("trust-remote-code").needs)


def test_any_from_pretrained_is_a_hub_loader_except_local_configs() -> None:
    assert loaders.hub_loader("transformers.AutoTokenizer.from_pretrained") is loaders.FROM_PRETRAINED
    assert loaders.hub_loader(None, "from_pretrained") is loaders.FROM_PRETRAINED
    assert loaders.hub_loader("peft.PeftConfig.from_pretrained") is None
    assert loaders.hub_loader("transformers.AutoTokenizer") is None


# Whether `trust_remote_code=True` given to the call may run the repository's code.
REMOTE_CODE_RUNS = {
    "transformers.AutoModelForCausalLM.from_pretrained": True,
    "transformers.AutoTokenizer.from_pretrained": True,
    "transformers.AutoConfig.from_pretrained": True,
    "transformers.AutoProcessor.from_pretrained": True,
    "transformers.pipeline": True,
    "transformers.PreTrainedTokenizerFast.from_pretrained": True,  # may read the config through AutoConfig
    "transformers.TFBertModel.from_pretrained": True,  # not judged: TensorFlow's loader
    "sentence_transformers.SentenceTransformer": True,
    "datasets.load_dataset": True,
    "project.models.ChatModel.from_pretrained": True,
    "transformers.Qwen3ForCausalLM.from_pretrained": False,
    "transformers.BertModel.from_pretrained": False,
    "transformers.GPT2LMHeadModel.from_pretrained": False,
    "transformers.LlavaForConditionalGeneration.from_pretrained": False,
    "transformers.models.qwen3.modeling_qwen3.Qwen3ForCausalLM.from_pretrained": False,
    "transformers.T5EncoderModel.from_pretrained": False,
}


@pytest.mark.parametrize("qualname", sorted(REMOTE_CODE_RUNS))
def test_which_loaders_run_remote_code(qualname: str) -> None:
    assert loaders.runs_remote_code(qualname) is REMOTE_CODE_RUNS[qualname]


def test_an_unresolved_call_may_run_remote_code() -> None:
    assert loaders.runs_remote_code(None) is True


@pytest.mark.parametrize("qualname", sorted(sdk.ANSWER_ERRORS))
def test_an_answer_error_is_no_failed_call(qualname: str) -> None:
    assert sdk.answer_error(qualname)
    assert qualname not in sdk.TRANSIENT_ERRORS


# A project's error classes, by name: whether each says an answer could not be read.
PROJECT_ERRORS = {
    "app.query.ExtractionException": True,
    "app.llm.InvalidJSONOutput": True,
    "app.parsing.ParseError": True,
    "app.schema.SchemaMismatch": True,
    "app.llm.LLMRateLimitError": False,
    "app.llm.OutputTimeoutError": False,
    "app.llm.APIResponseFormatError": False,
    "app.llm.ServerOverloaded": False,
    "app.llm.LLMError": False,
    "openai.RateLimitError": False,
    "Exception": False,
}


@pytest.mark.parametrize("qualname", sorted(PROJECT_ERRORS))
def test_a_project_error_named_for_an_unreadable_answer(qualname: str) -> None:
    assert sdk.answer_error(qualname) is PROJECT_ERRORS[qualname]


def test_retries_that_wait_nothing_name_the_option_that_backs_off() -> None:
    # litellm's completion_with_retries defaults to retry_strategy="constant_retry": no wait.
    backing_off = {
        qualname: (entry.own_retry_options, entry.backoff_option)
        for qualname, entry in sdk.CLIENTS.items()
        if entry.backoff_option
    }
    assert backing_off == {
        "litellm": (("num_retries", "retry_policy"), ("retry_strategy", "exponential_backoff_retry"))
    }


# kind: (package, a method that waits on the server, a method that does not)
STORE_FACTS: dict[str, tuple[str, str | None, str | None]] = {
    "sqlalchemy.sessionmaker": ("SQLAlchemy", None, "begin"),
    "sqlalchemy.session": ("SQLAlchemy", "commit", "add"),
    "sqlalchemy.query": ("SQLAlchemy", "all", "filter"),
    "sqlalchemy.engine": ("SQLAlchemy", None, "connect"),
    "sqlalchemy.connection": ("SQLAlchemy", "execute", "close"),
    "dbapi.connection": ("DB-API", "commit", "cursor"),
    "dbapi.cursor": ("DB-API", "fetchall", "close"),
    "pymongo.client": ("PyMongo", "list_database_names", "get_database"),
    "pymongo.database": ("PyMongo", "list_collection_names", "get_collection"),
    "pymongo.collection": ("PyMongo", "find_one", "with_options"),
    "redis.client": ("redis-py", "hgetall", "pipeline"),
    "elasticsearch.client": ("Elasticsearch", "search", "options"),
    "boto3.client": ("boto3", "get_object", "get_paginator"),
    "boto3.session": ("boto3", None, "client"),
    "peewee.model-class": ("peewee", "get_or_none", "select"),
    "peewee.query": ("peewee", "execute", "where"),
    "peewee.model": ("peewee", "save", "is_dirty"),
}


def test_every_store_entry_is_pinned() -> None:
    assert sorted(datastores.STORES) == sorted(STORE_FACTS)


@pytest.mark.parametrize("kind", sorted(STORE_FACTS))
def test_store_entry(kind: str) -> None:
    entry = datastores.STORES[kind]
    package, blocking, local = STORE_FACTS[kind]
    assert (entry.package, entry.source != "") == (package, True)
    assert blocking is None or entry.blocks(blocking)
    assert local is None or not entry.blocks(local)
    assert not entry.blocks("_private")
    assert all(target in datastores.STORES for target in entry.returns.values())
    assert entry.called in (None, *datastores.STORES)
    assert entry.members in (None, *datastores.STORES)


def kind_in(source: str) -> str | None:
    """The kind of the last expression statement of a file resolved on its own."""
    tree = ast.parse(source)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr)
    return datastores.kind_of(Names(Tree(tree)), last.value)


CONSTRUCTED = {
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.sessionmaker",
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.sessionmaker",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.session",
    "sqlalchemy.orm.Session": "sqlalchemy.session",
    "sqlalchemy.orm.session.Session": "sqlalchemy.session",
    "sqlmodel.Session": "sqlalchemy.session",
    "sqlalchemy.create_engine": "sqlalchemy.engine",
    "sqlmodel.create_engine": "sqlalchemy.engine",
    "psycopg2.connect": "dbapi.connection",
    "psycopg.connect": "dbapi.connection",
    "psycopg.Connection.connect": "dbapi.connection",
    "pymysql.connect": "dbapi.connection",
    "pymongo.MongoClient": "pymongo.client",
    "pymongo.mongo_client.MongoClient": "pymongo.client",
    "redis.Redis": "redis.client",
    "redis.StrictRedis": "redis.client",
    "redis.client.Redis": "redis.client",
    "redis.from_url": "redis.client",
    "redis.Redis.from_url": "redis.client",
    "elasticsearch.Elasticsearch": "elasticsearch.client",
    "boto3.client": "boto3.client",
    "boto3.Session": "boto3.session",
    "boto3.session.Session": "boto3.session",
}


def test_every_store_constructor_is_pinned() -> None:
    assert dict(datastores.CONSTRUCTORS) == CONSTRUCTED
    assert sorted(datastores.CONNECTING) == [
        "psycopg.Connection.connect",
        "psycopg.connect",
        "psycopg2.connect",
        "pymysql.connect",
    ]


@pytest.mark.parametrize("qualname", sorted(CONSTRUCTED))
def test_store_constructor(qualname: str) -> None:
    module = qualname.split(".")[0]
    assert kind_in(f"import {module}\nclient = {qualname}()\nclient\n") == CONSTRUCTED[qualname]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("from pymongo import MongoClient\nMongoClient()['rag']['docs']\n", "pymongo.collection"),
        ("from pymongo import MongoClient\nMongoClient().rag.get_collection('docs')\n", "pymongo.collection"),
        ("import pymysql\npymysql.connect(host='db').cursor()\n", "dbapi.cursor"),
        ("import sqlite3\nsqlite3.connect('a.db').cursor()\n", None),  # in the process: no server
        ("import boto3\nboto3.Session().client('s3')\n", "boto3.client"),
        (
            "from sqlalchemy.orm import sessionmaker\nFactory = sessionmaker()\nFactory()\n",
            "sqlalchemy.session",
        ),
        ("from sqlalchemy.orm import Session\nSession().query(1).filter(2).limit(3)\n", "sqlalchemy.query"),
        ("from elasticsearch import Elasticsearch\nElasticsearch().indices\n", "elasticsearch.client"),
        # Async clients and session factories of async sessions are not in the table.
        (
            "from sqlalchemy.orm import sessionmaker\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
            "sessionmaker(class_=AsyncSession)()\n",
            None,
        ),
        ("from sqlalchemy.orm import sessionmaker\nsessionmaker(**options)()\n", None),
        ("from sqlalchemy.ext.asyncio import async_sessionmaker\nasync_sessionmaker()()\n", None),
        ("import redis.asyncio as redis\nredis.Redis()\n", None),
        ("from elasticsearch import AsyncElasticsearch\nAsyncElasticsearch()\n", None),
        ("from motor.motor_asyncio import AsyncIOMotorClient\nAsyncIOMotorClient()['rag']['docs']\n", None),
        ("import aioboto3\naioboto3.Session().client('s3')\n", None),
        ("import redis\nclient = redis.Redis()\nclient = make_client()\nclient\n", None),
    ],
)
def test_store_kinds_through_calls_members_and_bindings(source: str, kind: str | None) -> None:
    assert kind_in(source) == kind


@pytest.mark.parametrize("annotation", sorted(datastores.ANNOTATIONS))
def test_store_annotations(annotation: str) -> None:
    module, _, name = annotation.rpartition(".")
    source = f"from {module} import {name}\n\n\ndef handler(db: {name} | None = None):\n    db\n"
    tree = ast.parse(source)
    function = tree.body[-1]
    assert isinstance(function, ast.FunctionDef) and isinstance(function.body[0], ast.Expr)
    found = datastores.kind_of(Names(Tree(tree)), function.body[0].value)
    assert found == datastores.ANNOTATIONS[annotation]


def test_peewee_model_bases() -> None:
    assert dict(datastores.MODEL_BASES) == {
        "peewee.Model": "peewee.model-class",
        "playhouse.signals.Model": "peewee.model-class",
    }


@pytest.mark.parametrize(
    ("expression", "shaped"),
    [
        ("reply.choices[0].message", True),
        ("reply.choices[0].text", True),
        ("reply.output_text", True),
        ("result.generations", True),
        ("reply.choices", False),
        ("page.text", False),
        ("choices[0].message", False),
        ("reply.content", False),
    ],
)
def test_a_model_response_read_by_its_shape(expression: str, shaped: bool) -> None:
    node = ast.parse(expression, mode="eval").body
    assert is_response_shape(node) is shaped


@pytest.mark.parametrize(
    ("url", "data", "offline"),
    [
        ("data:text/plain;base64,aGk=", True, True),
        ("DATA:image/png;base64,AA==", True, True),
        ("file:///srv/models/card.json", False, True),
        ("https://example.test/data:x", False, False),
    ],
)
def test_urls_opened_without_the_network(url: str, data: bool, offline: bool) -> None:
    assert (bool(endpoints.DATA_URL.match(url)), bool(endpoints.OFFLINE_URL.match(url))) == (data, offline)


@pytest.mark.parametrize("host", sorted(endpoints.HOSTED_MODEL_APIS))
def test_hosted_model_api_host(host: str) -> None:
    """Each host is a model endpoint whatever the path; a generation host is an LLM endpoint too
    (eval-no-seed asks it for a seed), a scoring one is not."""
    url = f"https://{host}/any/path?key=k"
    assert endpoints.MODEL_ENDPOINT.search(url)
    assert bool(endpoints.LLM_ENDPOINT.search(url)) == (endpoints.HOSTED_MODEL_APIS[host] == "generation")


@pytest.mark.parametrize(
    "url",
    [
        "https://storage.googleapis.com/upload/storage/v1/b/x/o",
        "https://notapi.openai.com/v1/files",
        "https://api.mistral.ai.example.net/notes",
        "https://huggingface.co/api/models",
    ],
)
def test_not_a_hosted_model_api(url: str) -> None:
    assert not endpoints.MODEL_ENDPOINT.search(url)


REQUEST_CLASSES = [
    "aiohttp.web.BaseRequest",
    "aiohttp.web.Request",
    "aiohttp.web_request.Request",
    "django.http.HttpRequest",
    "django.http.request.HttpRequest",
    "falcon.Request",
    "fastapi.Request",
    "fastapi.requests.Request",
    "flask.Request",
    "litestar.Request",
    "quart.Request",
    "rest_framework.request.Request",
    "sanic.Request",
    "sanic.request.Request",
    "starlette.requests.HTTPConnection",
    "starlette.requests.Request",
    "tornado.httputil.HTTPServerRequest",
    "werkzeug.Request",
    "werkzeug.wrappers.Request",
]


def test_every_request_class_is_pinned() -> None:
    assert sorted(web.REQUEST_CLASSES) == REQUEST_CLASSES
    assert {"flask.request", "quart.request", "bottle.request"} == web.REQUEST_GLOBALS


@pytest.mark.parametrize("qualname", REQUEST_CLASSES)
def test_a_parameter_annotated_with_a_request_class_holds_the_request(qualname: str) -> None:
    module, name = qualname.rsplit(".", 1)
    code = f"from {module} import {name} as R\n\ndef handle(anything: R):\n    return anything.headers['x']\n"
    names = Names(Tree(ast.parse(code)))
    returned = next(n.value for n in names.tree.walked if isinstance(n, ast.Return))

    assert web.REQUEST_CLASSES[qualname]
    assert returned is not None and names.request_source(returned) == "the `x` request header"


@pytest.mark.parametrize(("attribute", "part"), sorted(web.CLIENT_ATTRIBUTES.items()))
def test_request_attributes_the_client_sends(attribute: str, part: str) -> None:
    code = f"from flask import request\n\ndef handle():\n    return request.{attribute}\n"
    names = Names(Tree(ast.parse(code)))
    returned = next(n.value for n in names.tree.walked if isinstance(n, ast.Return))

    expected = "the request body" if part == "body" else f"a request {part}"
    assert returned is not None and names.request_source(returned) == expected


@pytest.mark.parametrize("method", sorted(web.CLIENT_READS))
def test_request_methods_that_read_the_body(method: str) -> None:
    code = f"from aiohttp import web\n\nasync def on(req: web.Request):\n    return await req.{method}()\n"
    names = Names(Tree(ast.parse(code)))
    returned = next(n.value for n in names.tree.walked if isinstance(n, ast.Return))

    assert returned is not None and names.request_source(returned) == "the request body"


def test_an_unannotated_request_parameter_outside_serving_code_is_no_request() -> None:
    code = "import httpx\n\ndef hook(request):\n    return request.headers['x']\n"
    names = Names(Tree(ast.parse(code)))
    returned = next(n.value for n in names.tree.walked if isinstance(n, ast.Return))

    assert returned is not None and names.request_source(returned) is None


@pytest.mark.parametrize("qualname", sorted(sdk.TRANSIENT_ERRORS))
def test_transient_errors(qualname: str) -> None:
    """Each entry names an error class of a model SDK, an HTTP library or Python itself; the
    anthropic ones exist in the SDK installed here (a dependency of archbot)."""
    module, _, name = qualname.rpartition(".")
    assert module in (
        "",
        "asyncio",
        "openai",
        "openai.error",
        "anthropic",
        "litellm",
        "google.api_core.exceptions",
        "requests",
        "requests.exceptions",
        "httpx",
        "urllib3.exceptions",
        "aiohttp",
    )
    assert name.endswith(
        ("Error", "Timeout", "Exception", "Exhausted", "Unavailable", "Exceeded", "Requests", "Again")
    )
    if module == "anthropic":
        import anthropic

        assert issubclass(getattr(anthropic, name), anthropic.APIError)


@pytest.mark.parametrize(
    "qualname",
    [
        "openai.BadRequestError",  # 400: a prompt too long stays too long
        "openai.AuthenticationError",
        "openai.APIError",  # every API error, refusals included
        "openai.error.InvalidRequestError",  # the legacy SDK's 400 and 404
        "openai.error.AuthenticationError",
        "anthropic.APIStatusError",
        "anthropic.NotFoundError",
        "requests.HTTPError",
        "Exception",
    ],
)
def test_errors_that_do_not_pass_by_themselves(qualname: str) -> None:
    assert qualname not in sdk.TRANSIENT_ERRORS


@pytest.mark.parametrize("method", sorted(sdk.QUERY_EMBEDDING_METHODS))
def test_query_embedding_methods(method: str) -> None:
    """Each embeds one search query (LangChain `Embeddings.embed_query`, LlamaIndex
    `BaseEmbedding.get_query_embedding`, and their async forms): a single-text method, whose
    document twin is no batch of queries."""
    assert "query" in method.split("_")
    assert method.removeprefix("a") in ("embed_query", "get_query_embedding")
    assert method in sdk.LANGCHAIN_EMBEDDING_CALLS or method.removeprefix("a").startswith("get_")


@pytest.mark.parametrize(
    ("code", "on_this_machine"),
    [
        ('requests.post("http://localhost:8000/v1/chat/completions")', True),
        ('requests.post("http://127.0.0.1:11434/api/generate")', True),
        ('requests.post("http://0.0.0.0:9000/generate")', True),
        ('requests.post("http://[::1]:8080/generate")', True),
        ('requests.post(f"http://localhost:{port}/v1/completions")', True),
        ('url = os.getenv("URL", "http://localhost:8000/v1")\nrequests.post(url)', True),
        ('url = params.get("url", "http://127.0.0.1:8000")\nrequests.post(url)', True),
        ('requests.post("http://localhost.example.com/v1")', False),
        ('requests.post("http://vllm.internal:8000/v1")', False),
        ('requests.post(f"http://{host}:8000/v1")', False),
        ('url = os.getenv("URL")\nrequests.post(url)', False),
        ('url = os.getenv("URL", "https://api.example.com/v1")\nrequests.post(url)', False),
    ],
)
def test_loopback_hosts(code: str, on_this_machine: bool) -> None:
    tree = ast.parse(
        "def send(port, host, params):\n" + "".join(f"    {line}\n" for line in code.splitlines())
    )
    call = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "requests.post"
    )
    names = Names(Tree(tree))
    assert loopback_url(names, names.tree, call, call.args[0]) is on_this_machine


def test_every_gradient_clearing_method_is_pinned() -> None:
    """Each entry is exercised by tests/data/rules/training-no-zero-grad (a loop it clears)."""
    assert sorted(training.GRADIENT_CLEARS) == ["clear_grad", "clear_gradients", "zero_grad"]


def test_every_local_code_option_is_pinned() -> None:
    """Exercised by tests/data/rules/trust-remote-code/serving/speech.py."""
    assert dict(loaders.LOCAL_CODE_OPTIONS) == {
        "funasr.AutoModel": "remote_code",
        "funasr.auto.auto_model.AutoModel": "remote_code",
    }


UTILITY_IMAGES = {
    "busybox",
    "alpine",
    "alpine/curl",
    "alpine/git",
    "curlimages/curl",
    "bitnami/kubectl",
    "bitnami/os-shell",
    "appropriate/curl",
    "groundnuty/k8s-wait-for",
}


def test_every_utility_image_is_pinned() -> None:
    assert images.UTILITY_IMAGES == UTILITY_IMAGES


@pytest.mark.parametrize("name", sorted(UTILITY_IMAGES))
def test_a_utility_image_by_each_of_its_names(name: str) -> None:
    """On Docker Hub, written bare, tagged, with the registry or (official images) `library/`."""
    written = [name, f"{name}:latest", f"docker.io/{name}"]
    if "/" not in name:
        written.append(f"docker.io/library/{name}")
    assert [images.utility_image(w) for w in written] == [True] * len(written)
    assert images.utility_image(f"ghcr.io/acme/{name.rsplit('/', 1)[-1]}") is False


@pytest.mark.parametrize(
    ("reference", "local", "versioned"),
    [
        ("localhost:5000/acme/app:latest", True, False),
        ("localhost/acme/app", True, False),
        ("127.0.0.1:5001/app", True, False),
        ("localhost:5000", True, False),
        ("registry.internal:5000/acme/app", False, False),
        ("10.0.0.12:5000/acme/app:latest", False, False),
        ("vault.example.com/gaudi/1.22.1/ubuntu22.04/pytorch-installer-2.7.1:latest", False, True),
        ("acme/serving-v2.1:latest", False, True),
        ("acme/ubuntu22.04:latest", False, False),
        ("acme/llama-3-8b:latest", False, False),
    ],
)
def test_where_an_image_lives_and_what_its_path_names(reference: str, local: bool, versioned: bool) -> None:
    assert (images.local_registry(reference), images.versioned_repository(reference)) == (local, versioned)


@pytest.mark.parametrize(
    ("reference", "placeholder"),
    [
        ("your-registry/mcp-server:latest", True),
        ("YOUR_ACR.azurecr.io/rag-api", True),
        ("<registry>/acme/app:latest", True),
        ("ghcr.io/<org>/app", True),
        ("REPLACE_ME/app:latest", True),
        ("ghcr.io/acme/app:latest", False),
        ("vllm/vllm-openai:latest", False),
        ("registry.internal:5000/yourtube/app", False),
        ("yourregistry.azurecr.io/app", True),
        ("ghcr.io/acme/changemaker:latest", False),
    ],
)
def test_an_image_left_for_its_deployer_to_name(reference: str, placeholder: bool) -> None:
    assert images.placeholder_image(reference) is placeholder


# how an application names the coroutines its server runs at startup and shutdown
LIFECYCLE_HANDOVERS = {
    "lifespan": "app = FastAPI(lifespan=boot)",
    "on_startup": "app = Starlette(on_startup=[boot])",
    "on_shutdown": "app = Litestar(route_handlers=[], on_shutdown=[boot])",
}
LIFECYCLE_SIGNAL_LISTS = ["cleanup_ctx", "on_cleanup", "on_shutdown", "on_startup"]
BOOT = (
    "from openai import OpenAI\n\n"
    "client = OpenAI(timeout=10)\n\n\n"
    "async def boot(app=None):\n"
    "    client.chat.completions.create(model='m', messages=[], max_tokens=1)\n\n\n"
)


def test_every_lifecycle_handover_is_pinned() -> None:
    assert sorted(web.LIFECYCLE_KEYWORDS) == sorted(LIFECYCLE_HANDOVERS)
    assert sorted(web.LIFECYCLE_SIGNALS) == LIFECYCLE_SIGNAL_LISTS
    assert {"startup", "shutdown"} == web.LIFECYCLE_EVENTS


@pytest.mark.parametrize(
    "handover", [*LIFECYCLE_HANDOVERS.values(), "app.add_event_handler('startup', boot)"]
)
def test_a_coroutine_the_server_runs_at_startup_blocks_no_request(
    handover: str, repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.stage("gateway/boot.py", f"{BOOT}{handover}\n")
    repo.stage("gateway/served.py", f'"""Served."""\n{BOOT}app = FastAPI()\n')

    result = run_archbot("review", "--format", "json", "--fail-on", "never")
    found = [(f["file"], f["line"], f["rule"]) for f in places(json.loads(result.out))]
    assert found == [("gateway/served.py", 8, "sync-llm-client-in-async")]


@pytest.mark.parametrize("signal", LIFECYCLE_SIGNAL_LISTS)
def test_a_coroutine_an_aiohttp_signal_runs_blocks_no_request(
    signal: str, repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.stage("gateway/boot.py", f"{BOOT}app = web.Application()\napp.{signal}.append(boot)\n")

    assert reviewed(run_archbot) == []


@pytest.mark.parametrize(
    ("event", "found"), [("startup", []), ("shutdown", []), ("request", [(8, "sync-llm-client-in-async")])]
)
def test_a_coroutine_decorated_for_a_lifecycle_event_blocks_no_request(
    event: str, found: list[tuple[int, str]], repo: GitRepo, run_archbot: RunArchbot
) -> None:
    code = BOOT.replace("async def boot", f"@app.on_event({event!r})\nasync def boot")
    repo.stage("gateway/boot.py", code)

    assert reviewed(run_archbot) == found


# the keywords a generation call takes its input by (sdk.GENERATION_INPUTS)
GENERATION_INPUTS = [
    "body",
    "contents",
    "images",
    "input",
    "inputs",
    "instructions",
    "message",
    "messages",
    "prompt",
    "prompt_token_ids",
    "prompts",
    "system",
]


def test_every_generation_input_is_pinned() -> None:
    assert sorted(sdk.GENERATION_INPUTS) == GENERATION_INPUTS


@pytest.mark.parametrize("keyword", GENERATION_INPUTS)
def test_a_call_given_an_input_per_item_is_a_generation_per_item(
    keyword: str, repo: GitRepo, run_archbot: RunArchbot
) -> None:
    repo.stage(".archbot.yml", "rules:\n  enable: [llm-call-in-loop]\n")
    repo.stage(
        "pipelines/per_item.py",
        "import ollama\n\nclient = ollama.Client(host='http://gpu:11434', timeout=30)\n\n\n"
        f"def run(items):\n    for item in items:\n        client.generate(model='m', {keyword}=item)\n",
    )

    assert (8, "llm-call-in-loop") in reviewed(run_archbot)


MODEL_SERVER_EXAMPLES = {
    "vllm": "vllm/vllm-openai:v0.6.3",
    "text-generation-inference": "ghcr.io/huggingface/text-generation-inference:2.4.0",
    "text-embeddings-inference": "ghcr.io/huggingface/text-embeddings-inference:cpu-1.5",
    "tritonserver": "nvcr.io/nvidia/tritonserver:24.08-py3",
    "torchserve": "pytorch/torchserve:0.12.0-gpu",
    "tensorflow/serving": "tensorflow/serving:2.17.0-gpu",
    "sglang": "lmsysorg/sglang:v0.3.5-cu124",
    "ollama": "ollama/ollama:0.4.1",
    "tensorrt-llm": "nvcr.io/nvidia/tensorrt-llm/release:0.15.0",
    "ray serve": "ray serve run app:deployment",
    "llama-server": "llama-server --model /models/q4.gguf --port 8080",
    "llama.cpp": "ghcr.io/ggerganov/llama.cpp:server-cuda",
    "lmdeploy": "openmmlab/lmdeploy:v0.6.2-cu12",
    "xinference": "xprobe/xinference:v0.16.3",
    "localai": "localai/localai:v2.22.1-aio-gpu-nvidia-cuda-12",
    "infinity_emb": "infinity_emb v2 --model-id BAAI/bge-small-en-v1.5",
    "mlserver": "seldonio/mlserver:1.6.1",
}


def test_every_model_server_is_pinned() -> None:
    assert sorted(MODEL_SERVER_EXAMPLES) == sorted(manifests.MODEL_SERVERS)


@pytest.mark.parametrize("entry", sorted(MODEL_SERVER_EXAMPLES))
def test_model_server(entry: str) -> None:
    assert manifests.model_server_named(MODEL_SERVER_EXAMPLES[entry]) == entry


@pytest.mark.parametrize(
    "text",
    [
        "redis:7.2.5",
        "fluent/fluent-bit:3.1.4",
        "timberio/vector:0.39.0-debian",
        "otel/opentelemetry-collector:0.104.0",
        "ghcr.io/acme/rag-api:1.2.0 uvicorn app.main:app",
        "qdrant/qdrant:v1.12.1",
    ],
)
def test_not_a_model_server(text: str) -> None:
    assert manifests.model_server_named(text) is None


@pytest.mark.parametrize(
    ("command", "entry"),
    [
        ("vllm serve meta-llama/Llama-3.1-8B-Instruct --port 8000", "vllm"),
        ("python3 -m vllm.entrypoints.openai.api_server --model /models/m", "vllm"),
        ("/opt/tritonserver/bin/tritonserver --model-repository=/models", "tritonserver"),
        ("sh -c exec ollama serve", "ollama"),
        ("python -m sglang.launch_server --model-path /models/m", "sglang"),
        ("ray serve run app:deployment", "ray serve"),
        ("llama-server --model /models/q4.gguf", "llama-server"),
        ("infinity_emb v2 --model-id BAAI/bge-small-en-v1.5", "infinity_emb"),
    ],
)
def test_a_command_that_runs_a_model_server(command: str, entry: str) -> None:
    assert manifests.model_server_run(command) == entry


@pytest.mark.parametrize(
    "command",
    [
        "-upstream=http://localhost:8080 -openshift-service-account=vllm-optimizer-frontend",
        "--upstream http://vllm:8000/v1 --listen :4000",
        "--backend=ollama --port 3000",
        "node server.js --models-dir /data/vllm_cache",
        "python -m acme_vllm_gateway",
    ],
)
def test_a_command_that_points_at_a_model_server_runs_none(command: str) -> None:
    """A proxy, a gateway or a UI names the model server it sends requests to: another container."""
    assert manifests.model_server_run(command) is None
