from transformers import AutoTokenizer
from vllm import LLM
from vllm.transformers_utils.tokenizer import get_tokenizer


def build_engine(checkpoint: str, weights_rev: str, vocab_rev: str):
    engine = LLM(model=checkpoint, revision=weights_rev, tokenizer_revision=vocab_rev)
    vocab = get_tokenizer(
        checkpoint,
        tokenizer_mode="auto",
        tokenizer_revision=vocab_rev,
    )
    return engine, vocab


def build_pinned(checkpoint: str, vocab_rev: str):
    return get_tokenizer(checkpoint, revision=vocab_rev, tokenizer_revision=vocab_rev)


def build_default(checkpoint: str):
    return get_tokenizer(checkpoint, tokenizer_revision=None)


def build_hf(checkpoint: str, vocab_rev: str):
    return AutoTokenizer.from_pretrained(checkpoint, tokenizer_revision=vocab_rev)
