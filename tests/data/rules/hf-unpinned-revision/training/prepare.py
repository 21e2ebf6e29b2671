"""Fetch the encoder, tokenizer, reranker and corpus for fine-tuning."""

from datasets import load_dataset
from huggingface_hub import hf_hub_download, snapshot_download
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer, pipeline

from training.settings import Settings, resolve_revision

ENCODER_SHA = "767c76fb008f86bebb2737f6a6f0fb23c6f5da2c"


def prepare(settings: Settings, revision: str) -> list[object]:
    tokenizer = AutoTokenizer.from_pretrained("acme/encoder-base")
    encoder = AutoModel.from_pretrained("acme/encoder-base", revision="main")
    tagged = AutoModel.from_pretrained("acme/encoder-base", revision="v1.2.0")
    short_sha = AutoModel.from_pretrained("acme/encoder-base", revision="767c76f")
    pinned = AutoModel.from_pretrained("acme/encoder-base", revision="767c76fb008f86bebb2737f6a6f0fb23c6f5da2c")
    from_constant = AutoModel.from_pretrained("acme/encoder-base", revision=ENCODER_SHA)
    from_settings = AutoModel.from_pretrained("acme/encoder-base", revision=settings.encoder_revision)
    from_argument = AutoTokenizer.from_pretrained("acme/encoder-base", revision=revision)
    local = AutoModel.from_pretrained("./checkpoints/encoder-base")
    mounted = AutoModel.from_pretrained("/models/encoder-base")
    embedder = SentenceTransformer("acme/minilm-embed")
    sentiment = pipeline("text-classification", model="acme/sentiment-small")
    reranker = hf_hub_download(repo_id="acme/reranker", filename="model.safetensors")
    snapshot = snapshot_download("acme/reranker", revision=resolve_revision("acme/reranker"))
    corpus = load_dataset("acme/support-tickets", split="train")
    table = load_dataset("csv", data_files="data/tickets.csv")
    held_out = load_dataset("acme/support-tickets", **settings.dataset_options)
    return [
        tokenizer, encoder, tagged, short_sha, pinned, from_constant, from_settings,
        from_argument, local, mounted, embedder, sentiment, reranker, snapshot, corpus, table, held_out,
    ]
