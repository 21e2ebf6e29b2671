"""Load the chat model and its tokenizer for the generation worker."""

from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

MODEL_ID = "acme/phi-mini-chat"
MODEL_SHA = "767c76fb008f86bebb2737f6a6f0fb23c6f5da2c"


def load_model(allow_remote_code: bool) -> tuple[object, object, object]:
    model = AutoModelForCausalLM.from_pretrained(MODEL_ID, trust_remote_code=True)
    tokenizer = AutoTokenizer.from_pretrained(
        MODEL_ID,
        revision="767c76fb008f86bebb2737f6a6f0fb23c6f5da2c",
        trust_remote_code=True,
    )
    generator = pipeline(
        "text-generation",
        model=MODEL_ID,
        revision="main",
        trust_remote_code=True,
    )
    eval_set = load_dataset("acme/chat-eval", revision=MODEL_SHA, trust_remote_code=False)
    configured = AutoModelForCausalLM.from_pretrained(
        MODEL_ID, revision=MODEL_SHA, trust_remote_code=allow_remote_code
    )
    vision = AutoModelForCausalLM.from_pretrained(MODEL_ID, revision=MODEL_SHA, trust_remote_code=True)
    return model, tokenizer, (generator, eval_set, configured, vision)


def load_reranker(model_path: str, allow_remote_code: bool) -> object:
    if not allow_remote_code:
        raise ValueError("this reranker runs code from its repository: allow remote code to load it")
    return AutoModelForCausalLM.from_pretrained(model_path, trust_remote_code=True)


def load_if_allowed(model_path: str, settings: object) -> object | None:
    if getattr(settings, "trust_remote_code", False):
        return AutoModelForCausalLM.from_pretrained(model_path, trust_remote_code=True)
    return None


def load_unguarded(model_path: str, verbose: bool) -> object:
    if verbose:
        print("loading", model_path)
    return AutoModelForCausalLM.from_pretrained(model_path, trust_remote_code=True)


class CheckpointConverter:
    def __init__(self, load_dir: str, tokenizer_path: str) -> None:
        self.load_dir = load_dir
        self.tokenizer_path = tokenizer_path

    def build(self) -> object:
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(self.load_dir, trust_remote_code=True)  # negative: a directory
        model = AutoModelForCausalLM.from_config(config, trust_remote_code=True)  # negative: its config
        tokenizer = AutoTokenizer.from_pretrained(self.tokenizer_path, trust_remote_code=True)
        return model, tokenizer


def load_shipped_class(model_name: str) -> object:
    from transformers import Qwen2ForCausalLM

    return Qwen2ForCausalLM.from_pretrained(model_name, trust_remote_code=True)  # negative: ignored there
