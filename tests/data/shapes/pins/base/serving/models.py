"""Models behind the ranking service, each pinned to the commit we evaluated."""

from sentence_transformers import CrossEncoder
from transformers import AutoModel, AutoTokenizer

ENCODER_COMMIT = "3f1c2b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"
HEAD_COMMIT = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"


def load_encoder(model_id: str):
    model = AutoModel.from_pretrained(model_id, revision=ENCODER_COMMIT)
    tokenizer = AutoTokenizer.from_pretrained(model_id, revision=ENCODER_COMMIT)
    return model, tokenizer


def load_reranker(model_id: str):
    return CrossEncoder(model_id, revision="9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b", max_length=512)


def load_generator(model_id: str, settings: dict):
    return AutoModel.from_pretrained(
        model_id,
        revision=settings["revision"],
        torch_dtype="auto",
    )


def load_head(model_id: str):
    return AutoModel.from_pretrained(model_id, revision=HEAD_COMMIT)


def load_scorer(model_id: str, draft_id: str):
    scorer = AutoTokenizer.from_pretrained(model_id, revision=ENCODER_COMMIT)
    draft = AutoTokenizer.from_pretrained(draft_id, revision=HEAD_COMMIT)
    return scorer, draft


def load_vocabulary(model_id: str, export_dir: str):
    return AutoTokenizer.from_pretrained(model_id, revision=HEAD_COMMIT).save_pretrained(export_dir)
