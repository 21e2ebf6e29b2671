import os

from transformers import AutoModel, AutoTokenizer

EXPORTED = "/srv/models/chat-6b"
WINDOWS_COPY = "D:\\models\\chat-6b"


def load_exported():
    return AutoModel.from_pretrained(EXPORTED, trust_remote_code=True)


def load_windows_copy():
    return AutoModel.from_pretrained(WINDOWS_COPY, trust_remote_code=True)


def load_relative():
    return AutoTokenizer.from_pretrained("./checkpoints/chat-6b", trust_remote_code=True)


def load_built(output_dir):
    return AutoModel.from_pretrained(os.path.join(output_dir, "final"), trust_remote_code=True)


def load_from_hub():
    return AutoModel.from_pretrained("acme/chat-6b", trust_remote_code=True)


def load_chosen(model_path):
    return AutoModel.from_pretrained(model_path, trust_remote_code=True)
