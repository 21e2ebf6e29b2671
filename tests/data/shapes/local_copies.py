import os

from transformers import AutoModel, AutoTokenizer


class Captioner:
    def __init__(self, root):
        self.model_path = os.path.join(root, "weights", "captioner-int4")
        self.model = AutoModel.from_pretrained(self.model_path, trust_remote_code=True)
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path, trust_remote_code=True)


class Tagger:
    def __init__(self, model_path):
        self.model_path = model_path
        self.model = AutoModel.from_pretrained(self.model_path, trust_remote_code=True)


def captioner(root):
    local_dir = os.path.join(root, "weights", "captioner-int4")
    model_id = "acme/captioner-int4"
    if os.path.isdir(local_dir):
        model_id = local_dir
    return AutoModel.from_pretrained(model_id, trust_remote_code=True)


def chooser(root, name):
    model_id = os.path.join(root, name)
    if not os.path.isdir(model_id):
        model_id = name
    return AutoModel.from_pretrained(model_id, trust_remote_code=True)


def local_only(root):
    weights_dir = os.path.join(root, "weights", "captioner-int4")
    model_id = weights_dir
    return AutoModel.from_pretrained(model_id, trust_remote_code=True)
