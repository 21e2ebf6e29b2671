"""The package catalog: which imports make code ML/LLM code, and whose domain it is.

ONE table of ML/LLM packages of the ecosystem, by the name code imports them with (Python module,
npm package, Go module path, Rust crate), each mapped to the persona whose domain it is and a
category. Routing (routing.py) reads it for every built-in persona, so this knowledge lives here and
not in five persona files; an agent file's own `archbot.imports` still add to it.

Matching: a Python import `m` matches entry `e` when `m == e` or `m` starts with `e.` (npm, Go: `e/`;
Rust: the crate root of a `use` path); the longest matching entry wins, so sub-modules refine their
package (`llama_index.llms` is LLM work, `llama_index.vector_stores` is RAG). A name ending in `*`
is a family (`@ai-sdk/*`, `langchain_*`). Manifest dependencies (requirements, pyproject,
package.json, go.mod, Cargo.toml) match by distribution name (`scikit-learn` is `sklearn`).

`shared` names are words projects also use for their own modules (`agents`, `evaluate`,
`datasets`): such an import counts only when it does not resolve to a module of the repository.

This module is read by the pre-commit screen too: it imports nothing (no typing, no dataclasses).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the screen reads this module)
if TYPE_CHECKING:
    from collections.abc import Iterable

LLM = "llm-ml-engineer"
SERVICE = "senior-ml-systems-architect"
SYSTEM = "ml-system-architect"
MODEL = "ml-architecture-expert"
PLATFORM = "ai-architect-agent"
PERSONAS = (LLM, SERVICE, SYSTEM, MODEL, PLATFORM)
ECOSYSTEMS = ("python", "js", "go", "rust")


class Package:
    """One catalog entry: `name` as imported, the `persona` whose domain it is, a `domain`
    (category), its ecosystem, the distribution names manifests declare it by, and whether the
    name is `shared` with projects' own modules."""

    __slots__ = ("distributions", "domain", "ecosystem", "name", "persona", "shared")

    def __init__(
        self,
        name: str,
        ecosystem: str,
        persona: str,
        domain: str,
        distributions: tuple[str, ...] = (),
        shared: bool = False,
    ) -> None:
        self.name = name
        self.ecosystem = ecosystem
        self.persona = persona
        self.domain = domain
        self.distributions = distributions
        self.shared = shared

    def __repr__(self) -> str:
        return f"<Package {self.ecosystem}:{self.name} -> {self.persona} ({self.domain})>"


def _rows(ecosystem: str, persona: str, domain: str, *rows: str) -> list[Package]:
    """Rows written as `[~]name [distribution ...]`: `~` marks a shared name."""
    found = []
    for row in rows:
        name, *distributions = row.split()
        shared = name.startswith("~")
        found.append(Package(name.lstrip("~"), ecosystem, persona, domain, tuple(distributions), shared))
    return found


PACKAGES: tuple[Package, ...] = (
    # -- Python: LLM SDKs and gateways --------------------------------------------------------------
    *_rows(
        "python",
        LLM,
        "llm-sdk",
        "openai",
        "anthropic",
        "google.genai google-genai",
        "google.generativeai google-generativeai",
        "vertexai",
        "mistralai",
        "cohere",
        "groq",
        "together",
        "fireworks fireworks-ai",
        "replicate",
        "ai21",
        "zhipuai",
        "dashscope",
        "cerebras.cloud.sdk cerebras-cloud-sdk",
        "xai_sdk xai-sdk",
        "ibm_watsonx_ai ibm-watsonx-ai",
        "azure.ai.inference azure-ai-inference",
        "ollama",
        "text_generation text-generation",
        "huggingface_hub.InferenceClient",
        "huggingface_hub.AsyncInferenceClient",
        "huggingface_hub.inference",
        "tiktoken",
        "~mcp",
        "fastmcp",
        "airflow.providers.openai",
    ),
    *_rows("python", LLM, "gateway", "litellm", "portkey_ai portkey-ai", "aisuite"),
    # -- Python: agent frameworks and structured generation ----------------------------------------
    *_rows(
        "python",
        LLM,
        "agents",
        "langchain",
        "langchain_*",
        "langchain_core",
        "langchain_community",
        "langchain_openai",
        "langchain_anthropic",
        "langchain_google_genai",
        "langchain_google_vertexai",
        "langchain_aws",
        "langchain_mistralai",
        "langchain_cohere",
        "langchain_groq",
        "langchain_ollama",
        "langchain_huggingface",
        "langchain_fireworks",
        "langchain_together",
        "langchain_nvidia_ai_endpoints",
        "langchain_experimental",
        "langchain_deepseek",
        "langchain_xai",
        "langchain_ibm",
        "langgraph",
        "langgraph_sdk langgraph-sdk",
        "langserve",
        "crewai",
        "crewai_tools crewai-tools",
        "autogen pyautogen ag2",
        "autogen_agentchat autogen-agentchat",
        "autogen_core autogen-core",
        "autogen_ext autogen-ext",
        "smolagents",
        "pydantic_ai pydantic-ai pydantic-ai-slim",
        "~agents openai-agents",
        "dspy dspy-ai",
        "semantic_kernel semantic-kernel",
        "letta",
        "letta_client letta-client",
        "~guidance",
        "instructor",
        "outlines",
        "marvin",
        "mirascope",
        "magentic",
        "agno",
        "~camel camel-ai",
        "~swarm",
        "~strands strands-agents",
        "controlflow",
        "langroid",
        "griptape",
        "browser_use browser-use",
        "google.adk google-adk",
        "mem0 mem0ai",
        "zep_cloud zep-cloud",
        "llama_index.llms",
        "llama_index.core.llms",
        "llama_index.agent",
        "llama_index.core.agent",
        "haystack.components.generators",
        "langchain_community.chat_models",
        "langchain_community.llms",
        "langchain.chat_models",
        "langchain.agents",
    ),
    # -- Python: LLM observability ---------------------------------------------------------------
    *_rows(
        "python",
        LLM,
        "observability",
        "langsmith",
        "langfuse",
        "~phoenix arize-phoenix",
        "openinference",
        "opik",
        "traceloop traceloop-sdk",
        "openlit",
        "~weave",
        "agentops",
        "promptlayer",
        "humanloop",
    ),
    # -- Python: RAG, document loading, vector stores and retrieval --------------------------------
    *_rows(
        "python",
        SYSTEM,
        "rag",
        "llama_index llama-index",
        "llama_index.core.retrievers",
        "llama_index.retrievers",
        "llama_index.readers",
        "llama_index.core.node_parser",
        "haystack haystack-ai",
        "haystack.components.retrievers",
        "langchain_text_splitters langchain-text-splitters",
        "langchain.text_splitter",
        "langchain.retrievers",
        "langchain_core.retrievers",
        "langchain_core.documents",
        "langchain_community.retrievers",
        "langchain_community.document_loaders",
        "unstructured",
        "docling",
        "llama_parse llama-parse",
        "chonkie",
        "semantic_text_splitter semantic-text-splitter",
        "txtai",
        "graphrag",
        "lightrag lightrag-hku",
        "neo4j_graphrag neo4j-graphrag",
        "ragatouille",
        "~colbert colbert-ai",
        "rank_bm25 rank-bm25",
        "bm25s",
        "pyserini",
    ),
    *_rows(
        "python",
        SYSTEM,
        "vector-store",
        "chromadb",
        "qdrant_client qdrant-client",
        "pinecone pinecone-client",
        "weaviate weaviate-client",
        "pymilvus",
        "faiss faiss-cpu faiss-gpu",
        "lancedb",
        "redisvl",
        "vespa pyvespa",
        "marqo",
        "vecs",
        "turbopuffer",
        "docarray",
        "usearch",
        "hnswlib",
        "annoy",
        "scann",
        "llama_index.vector_stores",
        "llama_index.core.vector_stores",
        "langchain_community.vectorstores",
        "langchain.vectorstores",
        "langchain_core.vectorstores",
        "langchain_chroma",
        "langchain_pinecone",
        "langchain_qdrant",
        "langchain_milvus",
        "langchain_postgres",
        "langchain_mongodb",
        "langchain_elasticsearch",
        "langchain_weaviate",
        "langchain_redis",
        "airflow.providers.pinecone",
    ),
    *_rows("python", SERVICE, "vector-store", "pgvector"),
    # -- Python: embedding and reranking ------------------------------------------------------------
    *_rows(
        "python",
        SYSTEM,
        "embedding",
        "sentence_transformers sentence-transformers",
        "fastembed",
        "FlagEmbedding",
        "voyageai",
        "nomic",
        "rerankers",
        "flashrank",
        "gensim",
        "model2vec",
        "infinity_emb infinity-emb",
        "llama_index.embeddings",
        "llama_index.core.embeddings",
        "langchain_community.embeddings",
        "langchain.embeddings",
        "langchain_core.embeddings",
        "haystack.components.embedders",
    ),
    # -- Python: evaluation and experiment tracking ------------------------------------------------
    *_rows(
        "python",
        SYSTEM,
        "evaluation",
        "ragas",
        "deepeval",
        "lm_eval lm-eval",
        "~evaluate",
        "trulens",
        "trulens_eval trulens-eval",
        "inspect_ai inspect-ai",
        "lighteval",
        "opencompass",
        "bert_score bert-score",
        "rouge_score rouge-score",
        "sacrebleu",
        "giskard",
        "uptrain",
        "mteb",
        "beir",
        "ranx",
        "alpaca_eval alpaca-eval",
        "~evals",
        "braintrust",
        "llama_index.core.evaluation",
    ),
    *_rows(
        "python",
        SYSTEM,
        "tracking",
        "mlflow",
        "wandb",
        "comet_ml comet-ml",
        "neptune",
        "clearml",
        "~aim",
        "tensorboard",
        "tensorboardX",
        "dvclive",
        "sacred",
    ),
    *_rows(
        "python",
        SYSTEM,
        "data",
        "feast",
        "dvc",
        "great_expectations great-expectations",
        "evidently",
        "whylogs",
        "deepchecks",
        "cleanlab",
        "argilla",
        "label_studio_sdk label-studio-sdk",
        "ray.data",
    ),
    # -- Python: training and model libraries -------------------------------------------------------
    *_rows(
        "python",
        MODEL,
        "training",
        "torch",
        "torch*",
        "torchvision",
        "torchaudio",
        "torchtext",
        "torchmetrics",
        "torchdata",
        "torchtune",
        "torchao",
        "torch_geometric torch-geometric",
        "peft",
        "trl",
        "accelerate",
        "deepspeed",
        "lightning",
        "pytorch_lightning pytorch-lightning",
        "litgpt",
        "axolotl",
        "unsloth",
        "bitsandbytes",
        "fairscale",
        "megatron megatron-core",
        "~nemo nemo-toolkit",
        "~composer mosaicml",
        "llmfoundry llm-foundry",
        "~ignite pytorch-ignite",
        "~apex",
        "fastai",
        "liger_kernel liger-kernel",
        "einops",
        "optuna",
        "ray.train",
        "ray.tune",
        "ray.rllib",
        "stable_baselines3 stable-baselines3",
        "gymnasium",
        "jax",
        "flax",
        "optax",
        "orbax orbax-checkpoint",
        "equinox",
        "~haiku dm-haiku",
        "tensorflow",
        "keras",
        "tf_keras tf-keras",
        "tensorflow_datasets tensorflow-datasets",
        "tensorflow_hub tensorflow-hub",
        "~paddle paddlepaddle",
        "mlx",
        "mlx_lm mlx-lm",
    ),
    *_rows(
        "python",
        MODEL,
        "model-library",
        "transformers",
        "transformers.pipelines",
        "diffusers",
        "timm",
        "open_clip open-clip-torch",
        "ultralytics",
        "detectron2",
        "spacy",
        "~datasets",
        "~tokenizers",
        "safetensors",
        "sklearn scikit-learn",
        "xgboost",
        "lightgbm",
        "catboost",
        "xformers",
        "flash_attn flash-attn",
        "flashinfer flashinfer-python",
        "mamba_ssm mamba-ssm",
        "sentencepiece",
        "triton",
        "gguf",
    ),
    *_rows(
        "python",
        MODEL,
        "inference",
        "vllm",
        "sglang",
        "llama_cpp llama-cpp-python",
        "exllamav2",
        "ctranslate2",
        "tensorrt",
        "tensorrt_llm tensorrt-llm",
        "onnx",
        "onnxruntime onnxruntime-gpu",
        "openvino",
        "optimum",
        "auto_gptq auto-gptq",
        "~awq autoawq",
        "lmdeploy",
        "~mii deepspeed-mii",
    ),
    # -- Python: model servers, hubs and ML platforms ------------------------------------------------
    *_rows(
        "python",
        PLATFORM,
        "serving",
        "bentoml",
        "kserve",
        "ray.serve",
        "tritonclient",
        "triton_python_backend_utils",
        "mlserver",
        "seldon_core seldon-core",
        "litserve",
        "truss",
        "huggingface_hub huggingface-hub",
        "sagemaker",
        "google.cloud.aiplatform google-cloud-aiplatform",
        "azure.ai.ml azure-ai-ml",
    ),
    # -- Python: ML orchestration ---------------------------------------------------------------
    *_rows(
        "python",
        PLATFORM,
        "orchestration",
        "airflow apache-airflow",
        "kfp",
        "kubeflow",
        "prefect",
        "dagster",
        "zenml",
        "metaflow",
        "ray",
        "flytekit",
        "kedro",
        "mlrun",
        "~sky skypilot",
    ),
    # -- JavaScript / TypeScript (npm) -------------------------------------------------------------
    *_rows(
        "js",
        LLM,
        "llm-sdk",
        "openai",
        "@anthropic-ai/sdk",
        "@anthropic-ai/bedrock-sdk",
        "@anthropic-ai/vertex-sdk",
        "@google/genai",
        "@google/generative-ai",
        "@google-cloud/vertexai",
        "@mistralai/mistralai",
        "cohere-ai",
        "groq-sdk",
        "together-ai",
        "@huggingface/inference",
        "replicate",
        "ollama",
        "@azure/openai",
        "@aws-sdk/client-bedrock-runtime",
        "@modelcontextprotocol/sdk",
        "tiktoken",
        "js-tiktoken",
        "@dqbd/tiktoken",
    ),
    *_rows(
        "js",
        LLM,
        "agents",
        "ai",
        "@ai-sdk/*",
        "langchain",
        "@langchain/*",
        "@langchain/core",
        "@langchain/openai",
        "@langchain/anthropic",
        "@langchain/langgraph",
        "@openai/agents",
        "@mastra/core",
        "genkit",
    ),
    *_rows("js", LLM, "observability", "langsmith", "langfuse"),
    *_rows(
        "js",
        SYSTEM,
        "vector-store",
        "llamaindex",
        "@llamaindex/*",
        "@pinecone-database/pinecone",
        "chromadb",
        "@qdrant/js-client-rest",
        "@qdrant/qdrant-js",
        "weaviate-client",
        "weaviate-ts-client",
        "@zilliz/milvus2-sdk-node",
        "@lancedb/lancedb",
        "@upstash/vector",
        "@datastax/astra-db-ts",
        "@langchain/community/vectorstores",
        "@langchain/textsplitters",
    ),
    *_rows("js", SYSTEM, "evaluation", "promptfoo"),
    *_rows(
        "js",
        MODEL,
        "inference",
        "@huggingface/transformers",
        "@xenova/transformers",
        "@tensorflow/tfjs",
        "@tensorflow/tfjs-node",
        "onnxruntime-node",
        "onnxruntime-web",
        "@mlc-ai/web-llm",
    ),
    *_rows("js", PLATFORM, "serving", "@huggingface/hub", "@google-cloud/aiplatform"),
    # -- Go modules ---------------------------------------------------------------------------------
    *_rows(
        "go",
        LLM,
        "llm-sdk",
        "github.com/sashabaranov/go-openai",
        "github.com/openai/openai-go",
        "github.com/anthropics/anthropic-sdk-go",
        "github.com/liushuangls/go-anthropic",
        "google.golang.org/genai",
        "github.com/google/generative-ai-go",
        "cloud.google.com/go/vertexai",
        "github.com/ollama/ollama/api",
        "github.com/cohere-ai/cohere-go",
        "github.com/aws/aws-sdk-go-v2/service/bedrockruntime",
        "github.com/pkoukk/tiktoken-go",
        "github.com/mark3labs/mcp-go",
        "github.com/modelcontextprotocol/go-sdk",
    ),
    *_rows(
        "go",
        LLM,
        "agents",
        "github.com/tmc/langchaingo",
        "github.com/cloudwego/eino",
        "github.com/firebase/genkit/go",
    ),
    *_rows(
        "go",
        SYSTEM,
        "vector-store",
        "github.com/tmc/langchaingo/vectorstores",
        "github.com/qdrant/go-client",
        "github.com/weaviate/weaviate-go-client",
        "github.com/milvus-io/milvus-sdk-go",
        "github.com/milvus-io/milvus/client",
        "github.com/pinecone-io/go-pinecone",
        "github.com/philippgille/chromem-go",
        "github.com/amikos-tech/chroma-go",
    ),
    *_rows("go", SERVICE, "vector-store", "github.com/pgvector/pgvector-go"),
    *_rows(
        "go",
        MODEL,
        "inference",
        "github.com/yalue/onnxruntime_go",
        "gorgonia.org/gorgonia",
        "github.com/tensorflow/tensorflow/tensorflow/go",
    ),
    *_rows("go", PLATFORM, "serving", "cloud.google.com/go/aiplatform", "github.com/kserve/kserve"),
    # -- Rust crates (`use` root, then the crate name Cargo.toml declares) --------------------------
    *_rows(
        "rust",
        LLM,
        "llm-sdk",
        "async_openai async-openai",
        "openai_api_rs openai-api-rs",
        "anthropic",
        "anthropic_sdk anthropic-sdk-rust",
        "ollama_rs ollama-rs",
        "tiktoken_rs tiktoken-rs",
        "genai",
        "rmcp",
        "mistralrs",
    ),
    *_rows(
        "rust",
        LLM,
        "agents",
        "rig rig-core",
        "llm_chain llm-chain",
        "langchain_rust langchain-rust",
        "swiftide",
        "kalosm",
    ),
    *_rows(
        "rust",
        SYSTEM,
        "vector-store",
        "qdrant_client qdrant-client",
        "lancedb",
        "chromadb",
        "fastembed",
        "text_splitter text-splitter",
    ),
    *_rows(
        "rust",
        MODEL,
        "model-library",
        "candle_core candle-core",
        "candle_nn candle-nn",
        "candle_transformers candle-transformers",
        "tch",
        "ort",
        "tokenizers",
        "safetensors",
        "burn",
        "linfa",
        "smartcore",
        "rust_bert rust-bert",
        "tract_onnx tract-onnx",
        "llama_cpp_2 llama-cpp-2",
    ),
    *_rows("rust", PLATFORM, "serving", "hf_hub hf-hub"),
)

SEPARATOR = {"python": ".", "js": "/", "go": "/", "rust": "::"}


def _normal(name: str) -> str:
    """A distribution name as manifests are compared: lower case, `-` and `.` as `_`."""
    return name.lower().replace("-", "_").replace(".", "_")


def _index() -> tuple[dict[tuple[str, str], Package], dict[tuple[str, str], Package], list[Package]]:
    exact: dict[tuple[str, str], Package] = {}
    distributions: dict[tuple[str, str], Package] = {}
    families: list[Package] = []
    for package in PACKAGES:
        if package.name.endswith("*"):
            families.append(package)
            continue
        exact[(package.ecosystem, package.name)] = package
        for name in package.distributions or (package.name,):
            distributions.setdefault((package.ecosystem, _normal(name)), package)
    return exact, distributions, families


_EXACT, _DISTRIBUTIONS, _FAMILIES = _index()


def lookup(module: str, ecosystem: str) -> Package | None:
    """The most specific entry an import of `module` in `ecosystem` matches, or None."""
    separator = SEPARATOR[ecosystem]
    name = module.split("::", 1)[0] if ecosystem == "rust" else module
    while name:
        found = _EXACT.get((ecosystem, name))
        if found is not None:
            return found
        cut = name.rfind(separator)
        if cut <= 0:
            break
        name = name[:cut]
    return next((f for f in _FAMILIES if f.ecosystem == ecosystem and module.startswith(f.name[:-1])), None)


def dependency(name: str, ecosystem: str) -> Package | None:
    """The entry a manifest's dependency `name` declares (`scikit-learn`, `@langchain/core`,
    `github.com/tmc/langchaingo`, `candle-core`), or None."""
    if ecosystem in ("js", "go"):
        return lookup(name, ecosystem)
    found = _DISTRIBUTIONS.get((ecosystem, _normal(name)))
    if found is not None:
        return found
    if ecosystem == "python":
        # Plug-in distributions of a family: `llama-index-llms-openai`, `langchain-foo`.
        normal = _normal(name)
        return next(
            (f for f in _FAMILIES if f.ecosystem == "python" and normal.startswith(_normal(f.name[:-1]))),
            None,
        ) or next(
            (
                p
                for (eco, dist), p in _DISTRIBUTIONS.items()
                if eco == "python" and p.name == dist and "_" in dist and normal.startswith(dist + "_")
            ),
            None,
        )
    return None


def names(ecosystems: Iterable[str] = ECOSYSTEMS) -> list[str]:
    """Every import name of the catalog (families without their `*`): what the screen looks for."""
    wanted = set(ecosystems)
    return [p.name.rstrip("*") for p in PACKAGES if p.ecosystem in wanted]
