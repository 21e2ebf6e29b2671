"""Technology names as agent files write them in prose, and the code signals each one stands for.

An agent file without archbot triggers is routed by what it says it is about: "Caching layers
(Redis, Memcached)" means files importing redis or pymemcache fit it. Names are matched as whole
words, case-insensitively, with `-`, `_` and spaces interchangeable. Service-layer names (queues,
caches, web frameworks, rate limiting) are `context`: they pick this persona for a file that is
already ML/LLM-related, never make a file ML on their own (as for the built-in personas).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable


@dataclasses.dataclass(frozen=True)
class Term:
    names: tuple[str, ...]
    imports: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    context: bool = False


_LLM_PATHS = ("**/llm/**", "**/llms/**", "**/llm.py", "**/llm_*.py")
_TRAINING_PATHS = ("**/training/**", "**/train/**", "**/train.py", "**/train_*.py", "**/trainer*.py")
_K8S_PATHS = ("**/k8s/**", "**/kubernetes/**", "**/deploy/**", "**/deployment/**")
_ORCHESTRATORS = ("airflow", "kfp", "prefect", "dagster", "zenml", "metaflow")
_QUEUES = ("celery", "rq", "arq", "dramatiq", "taskiq*", "kombu")

TERMS: tuple[Term, ...] = (
    # LLM providers, SDKs and agent frameworks
    Term(
        ("OpenAI", "GPT", "GPT-4", "GPT-4o", "ChatGPT"), ("openai",), ("chat.completions", "responses.create")
    ),
    Term(("Anthropic", "Claude"), ("anthropic",), ("messages.create", "messages.stream")),
    Term(("Gemini", "Google GenAI"), ("google.genai", "google.generativeai"), ("generate_content",)),
    Term(("Mistral",), ("mistralai",)),
    Term(("Cohere",), ("cohere",)),
    Term(("LiteLLM",), ("litellm",), ("litellm.completion", "acompletion")),
    Term(("Ollama",), ("ollama",)),
    Term(("Groq",), ("groq",)),
    Term(("LangChain",), ("langchain*",), ("ChatOpenAI", "ChatAnthropic", "init_chat_model")),
    Term(("LangGraph",), ("langgraph*",)),
    Term(("LlamaIndex", "Llama Index"), ("llama_index*",)),
    Term(("CrewAI",), ("crewai",)),
    Term(("AutoGen",), ("autogen*",)),
    Term(("DSPy",), ("dspy",)),
    Term(("Semantic Kernel",), ("semantic_kernel",)),
    Term(("Pydantic AI",), ("pydantic_ai",)),
    Term(("smolagents",), ("smolagents",)),
    Term(("MCP", "Model Context Protocol"), ("mcp",), (), ("**/mcp/**",)),
    Term(("LLM", "LLMs", "large language model", "large language models"), (), (), _LLM_PATHS),
    Term(
        (
            "multi-agent",
            "agent workflow",
            "agent workflows",
            "agent orchestration",
            "agentic",
            "agent system",
        ),
        (),
        (),
        ("**/agents/**",),
    ),
    Term(
        ("prompt engineering", "prompt template", "prompt templates", "prompts", "system prompt"),
        (),
        ("prompt_template", "system_prompt"),
        ("**/prompts/**", "**/*prompts.py"),
    ),
    Term(("tool calling", "function calling", "tool use"), (), ("tool_calls", "tool_choice", "bind_tools")),
    Term(("structured output", "structured outputs"), (), ("with_structured_output",)),
    Term(
        ("token usage", "token optimization", "tokens"), ("tiktoken",), ("prompt_tokens", "completion_tokens")
    ),
    Term(("LangSmith",), ("langsmith",)),
    Term(("Langfuse",), ("langfuse",)),
    # retrieval, embeddings, vector stores, evaluation, experiment tracking, data
    Term(
        ("RAG", "retrieval-augmented generation", "retrieval augmented generation", "retrieval"),
        (),
        ("as_retriever", "similarity_search", "retriever"),
        ("**/rag/**", "**/retrieval/**", "**/retrievers/**", "**/retriever*.py"),
    ),
    Term(
        ("embedding", "embeddings"),
        ("sentence_transformers", "fastembed", "voyageai"),
        ("embed_documents", "embed_query", "embeddings.create", "embed_content"),
        ("**/embeddings/**", "**/embeddings.py"),
    ),
    Term(
        (
            "vector search",
            "vector store",
            "vector stores",
            "vector database",
            "vector databases",
            "vector DB",
        ),
        (),
        ("similarity_search", "vector_store", "VectorStore"),
        ("**/vectorstore*/**", "**/vector_store*/**"),
    ),
    Term(("Pinecone",), ("pinecone",)),
    Term(("Weaviate",), ("weaviate",)),
    Term(("Qdrant",), ("qdrant_client",)),
    Term(("Chroma", "ChromaDB"), ("chromadb",)),
    Term(("FAISS",), ("faiss",)),
    Term(("Milvus",), ("pymilvus",)),
    Term(("LanceDB",), ("lancedb",)),
    Term(("pgvector",), ("pgvector*",), ("cosine_distance", "l2_distance", "max_inner_product")),
    Term(
        ("rerank", "reranking", "re-ranking", "reranker", "rerankers"),
        ("rank_bm25",),
        ("rerank", "CrossEncoder"),
    ),
    Term(("chunking", "text splitting"), ("langchain_text_splitters",), ("chunk_size", "chunk_overlap")),
    Term(
        ("Sentence Transformers", "sentence-transformers"),
        ("sentence_transformers",),
        ("SentenceTransformer",),
    ),
    Term(
        (
            "evals",
            "eval sets",
            "LLM-as-judge",
            "evaluation framework",
            "evaluation frameworks",
            "evaluation systems",
            "evaluation metrics",
            "model evaluation",
        ),
        ("ragas", "deepeval", "evaluate"),
        ("faithfulness", "answer_relevancy"),
        ("**/evals/**", "**/eval/**", "**/evaluation/**", "**/eval_*.py"),
    ),
    Term(("RAGAS",), ("ragas",)),
    Term(("experiment tracking", "MLflow"), ("mlflow",), ("mlflow.start_run", "mlflow.log_metric")),
    Term(("Weights & Biases", "Weights and Biases", "W&B", "wandb"), ("wandb",), ("wandb.log",)),
    Term(("feature store", "feature stores", "Feast"), ("feast",), (), ("**/feature_repo/**",)),
    Term(("DVC", "data versioning"), ("dvc",), (), ("**/dvc.yaml",)),
    Term(("data quality", "Great Expectations"), ("great_expectations",)),
    Term(("drift detection", "model drift", "Evidently"), ("evidently",)),
    # models, training, optimisation, model loading
    Term(("PyTorch", "torch"), ("torch*",), ("DataLoader", "state_dict")),
    Term(("TensorFlow", "tf.data", "Keras"), ("tensorflow", "keras")),
    Term(("JAX", "Flax"), ("jax", "flax", "optax")),
    Term(
        ("Hugging Face", "HuggingFace", "transformers"),
        ("transformers", "huggingface_hub"),
        ("from_pretrained", "hf_hub_download"),
    ),
    Term(
        (
            "training",
            "training loop",
            "training loops",
            "training pipeline",
            "training pipelines",
            "fine-tuning",
        ),
        (),
        ("loss.backward", "optimizer.step", "zero_grad"),
        (*_TRAINING_PATHS, "**/finetune*", "**/fine_tuning/**"),
    ),
    Term(
        ("distributed training", "DDP", "FSDP", "DeepSpeed"),
        ("deepspeed", "accelerate"),
        ("DistributedDataParallel", "FullyShardedDataParallel"),
    ),
    Term(("mixed precision", "mixed-precision"), (), ("autocast", "GradScaler")),
    Term(("gradient accumulation",), (), ("gradient_accumulation_steps",)),
    Term(("quantization", "pruning", "distillation"), ("bitsandbytes",), (), ("**/quantization/**",)),
    Term(("ONNX",), ("onnx", "onnxruntime")),
    Term(("TensorRT",), ("tensorrt",)),
    Term(("TorchScript", "model compilation"), (), ("torch.compile", "torch.jit")),
    Term(("PEFT", "LoRA", "QLoRA"), ("peft",)),
    Term(("PyTorch Lightning", "Lightning"), ("lightning", "pytorch_lightning")),
    Term(("scikit-learn", "sklearn"), ("sklearn",)),
    Term(("XGBoost",), ("xgboost",)),
    Term(("LightGBM",), ("lightgbm",)),
    Term(("hyperparameter optimization", "hyperparameter tuning", "Optuna"), ("optuna",)),
    Term(
        ("checkpointing", "checkpoints", "model loading"), ("safetensors",), ("load_state_dict", "torch.load")
    ),
    Term(("diffusion models", "diffusers"), ("diffusers",)),
    Term(("vLLM",), ("vllm",), ("vllm-openai",)),
    # serving, platform, pipelines, governance
    Term(
        ("model serving", "inference server", "inference servers"),
        ("bentoml", "kserve", "ray.serve", "tritonclient"),
        ("InferenceService", "tritonserver", "torchserve", "text-generation-inference"),
    ),
    Term(("Triton",), ("tritonclient",), ("tritonserver",)),
    Term(("TorchServe",), (), ("torchserve",)),
    Term(("KServe",), ("kserve",), ("InferenceService", "ServingRuntime")),
    Term(("BentoML",), ("bentoml",)),
    Term(("Ray Serve",), ("ray.serve",)),
    Term(("SageMaker",), ("sagemaker",)),
    Term(("Vertex AI",), ("google.cloud.aiplatform",)),
    Term(("Azure ML",), ("azure.ai.ml",)),
    Term(("Kubernetes", "K8s"), (), ("readinessProbe", "nvidia.com/gpu"), _K8S_PATHS),
    Term(("Helm",), (), (), ("**/helm/**", "**/charts/**")),
    Term(("Terraform",), (), (), ("**/*.tf",)),
    Term(
        ("Docker", "Dockerfile", "Dockerfiles", "containers"), (), (), ("**/Dockerfile*", "**/*.Dockerfile")
    ),
    Term(("Airflow",), ("airflow",), (), ("**/dags/**",)),
    Term(("Kubeflow",), ("kfp",)),
    Term(("Prefect",), ("prefect",)),
    Term(("Dagster",), ("dagster",)),
    Term(("MLOps", "ML pipeline orchestration", "pipeline orchestration"), _ORCHESTRATORS),
    Term(
        ("model registry", "model registries", "model versioning"),
        (),
        ("register_model", "set_registered_model_alias", "transition_model_version_stage"),
    ),
    Term(
        ("model governance", "supply chain", "supply-chain", "security and compliance"),
        (),
        ("trust_remote_code", "weights_only", "use_safetensors", "allow_pickle"),
    ),
    Term(
        ("dependencies", "technology choices", "technology selection"),
        (),
        (),
        ("**/requirements*.txt", "**/pyproject.toml", "**/setup.py", "**/environment.yml"),
    ),
    # the service layer around ML features: context only
    Term(("Redis",), ("redis", "aioredis"), ("setex",), context=True),
    Term(("Memcached",), ("pymemcache",), context=True),
    Term(
        ("caching", "cache", "caches"),
        ("cachetools", "diskcache", "aiocache"),
        ("lru_cache", "TTLCache"),
        context=True,
    ),
    Term(("Celery",), ("celery",), ("shared_task", "apply_async"), context=True),
    Term(("RabbitMQ",), ("pika", "aio_pika", "kombu"), context=True),
    Term(("Kafka",), ("kafka", "confluent_kafka", "aiokafka"), context=True),
    Term(("NATS",), ("nats",), context=True),
    Term(("TaskIQ",), ("taskiq*",), context=True),
    Term(
        (
            "message queue",
            "message queues",
            "task queue",
            "task queues",
            "background jobs",
            "background tasks",
        ),
        _QUEUES,
        ("BackgroundTasks",),
        ("**/workers/**", "**/worker.py", "**/*_worker.py"),
        context=True,
    ),
    Term(("FastAPI",), ("fastapi",), ("StreamingResponse",), context=True),
    Term(("Starlette",), ("starlette",), context=True),
    Term(("Django",), ("django",), context=True),
    Term(("aiohttp",), ("aiohttp",), context=True),
    Term(
        ("SSE", "server-sent events", "streaming responses", "streaming"),
        ("sse_starlette",),
        ("StreamingResponse", "EventSourceResponse"),
        context=True,
    ),
    Term(("WebSocket", "WebSockets"), ("websockets",), ("WebSocket",), context=True),
    Term(
        ("rate limiting", "rate limits", "rate limit", "backpressure"),
        ("aiolimiter", "slowapi"),
        ("asyncio.Semaphore", "AsyncLimiter", "RateLimiter"),
        ("**/rate_limit*", "**/ratelimit*"),
        context=True,
    ),
    Term(
        ("async processing", "asyncio", "async pipelines"),
        (),
        ("asyncio.gather", "asyncio.to_thread"),
        context=True,
    ),
    Term(
        ("retry", "retries", "exponential backoff"), ("tenacity", "backoff"), ("max_retries",), context=True
    ),
    Term(("circuit breaker", "circuit breakers"), ("pybreaker", "circuitbreaker"), context=True),
    Term(("observability", "tracing"), ("opentelemetry*", "prometheus_client"), context=True),
)


def _pattern(name: str) -> str:
    parts = [re.escape(part) for part in re.split(r"[-_ ]+", name)]
    return r"(?<![\w])" + r"[-_ ]?".join(parts) + r"(?![\w])"


_MATCHERS = tuple((re.compile(_pattern(n), re.I), term) for term in TERMS for n in term.names)


def mentioned(text: str) -> tuple[Term, ...]:
    """The terms `text` names, in table order, each once."""
    found = {id(term): term for matcher, term in _MATCHERS if matcher.search(text)}
    return tuple(term for term in TERMS if id(term) in found)


def union(terms: Iterable[Term], context: bool) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(paths, imports, keywords) of the anchor terms, or of the context terms."""
    chosen = [t for t in terms if t.context == context]
    return (
        tuple(dict.fromkeys(p for t in chosen for p in t.paths)),
        tuple(dict.fromkeys(i for t in chosen for i in t.imports)),
        tuple(dict.fromkeys(k for t in chosen for k in t.keywords)),
    )
