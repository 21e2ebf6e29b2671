"""Models behind the ranking service, each pinned to the commit we evaluated."""

from sentence_transformers import CrossEncoder
from transformers import AutoModel, AutoTokenizer

ENCODER_COMMIT = "3f1c2b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"
HEAD_REVISION = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"


def load_encoder(model_id: str):
    model = AutoModel.from_pretrained(model_id, torch_dtype="auto")
    tokenizer = AutoTokenizer.from_pretrained(model_id, use_fast=True, revision=ENCODER_COMMIT)
    return model, tokenizer


def load_reranker(model_id: str):
    return CrossEncoder(model_id, revision="main", max_length=512)


def load_generator(model_id: str, settings: dict):
    return AutoModel.from_pretrained(model_id, torch_dtype="auto", **settings)


def load_head(model_id: str):
    return AutoModel.from_pretrained(model_id, revision=HEAD_REVISION)


def load_extra(model_id: str):
    return AutoTokenizer.from_pretrained(model_id)


def load_scorer(model_id: str, draft_id: str):
    from vllm.transformers_utils.tokenizer import get_tokenizer

    scorer = get_tokenizer(model_id, tokenizer_mode="auto")
    draft = AutoTokenizer.from_pretrained(draft_id, revision=HEAD_REVISION)
    return scorer, draft


def load_vocabulary(model_id: str, export_dir: str):
    from vllm.transformers_utils.tokenizer import get_tokenizer

    return get_tokenizer(export_dir)
