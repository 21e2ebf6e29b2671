import os
import tempfile
from pathlib import Path

import datasets
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer


def load(model_id: str, revision: str):
    model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision)
    tokenizer = AutoTokenizer.from_pretrained(model_id)
    return model, tokenizer


def load_from_options(model_id: str, **kwargs):
    tokenizer = AutoTokenizer.from_pretrained(model_id, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(model_id, trust_remote_code=False)
    return model, tokenizer, kwargs.get("revision")


def load_forwarded(model_id: str, **kwargs):
    return AutoTokenizer.from_pretrained(model_id, **kwargs)


def load_configured(config):
    options = {"revision": config.revision}
    return AutoTokenizer.from_pretrained(config.model_id, **options)


def load_unpinned(model_id: str):
    return AutoTokenizer.from_pretrained(model_id)


def load_student_and_teacher(student_id: str, teacher_id: str, settings: dict):
    tokenizer = AutoTokenizer.from_pretrained(student_id)
    teacher_options = dict(settings.get("teacher", {}))
    teacher = AutoModelForCausalLM.from_pretrained(teacher_id, revision=teacher_options.get("revision"))
    return tokenizer, teacher


def load_with_data(model_args, data_args):
    model = AutoModelForCausalLM.from_pretrained(model_args.name, revision=model_args.model_revision)
    rows = datasets.load_dataset(data_args.dataset_name)
    return model, rows


def merge_adapter(config):
    base = AutoModelForCausalLM.from_pretrained(config.base_model)
    adapter = AutoModelForCausalLM.from_pretrained(config.adapter, revision=config.revision)
    merged_dir = f"{config.adapter}-merged"
    base.save_pretrained(merged_dir)
    merged = AutoModelForCausalLM.from_pretrained(merged_dir)
    tokenizer = AutoTokenizer.from_pretrained(config.adapter)
    return merged, adapter, tokenizer


def distill(student_id: str, teacher_id: str, revision: str):
    student = AutoModelForCausalLM.from_pretrained(student_id)
    teacher = AutoModelForCausalLM.from_pretrained(teacher_id, revision=revision)
    return student, teacher


def load_fetched(model_path: str, settings):
    model_path = fetch_model(model_path, settings.cache_dir, settings.revision)
    return AutoModelForCausalLM.from_pretrained(model_path)


def fetch_model(model_path: str, cache_dir: str, revision: str) -> str:
    return f"{cache_dir}/{model_path}@{revision}"


def export_and_reload(model_id: str, revision: str, export):
    workdir = tempfile.TemporaryDirectory()
    export_path = Path(workdir.name)
    export(model_id, output=export_path, revision=revision)
    config = AutoConfig.from_pretrained(export_path)
    tokenizer = AutoTokenizer.from_pretrained(os.path.join(workdir.name, "tokenizer"))
    return config, tokenizer, AutoTokenizer.from_pretrained(model_id)


def fine_tune(args):
    tokenizer = AutoTokenizer.from_pretrained(args.base_model, revision=args.revision)
    architectures = model_architectures(args.base_model, args.revision)
    rows = datasets.load_dataset(args.dataset_name)
    return tokenizer, architectures, rows


def model_architectures(model_path: str, revision: str):
    return AutoConfig.from_pretrained(model_path, revision=revision).architectures
