import os

import torch
from huggingface_hub import hf_hub_download


def resume(model, optimizer, scaler, path):
    state = torch.load(path, map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scaler.load_state_dict(state["scaler"])
    return state["epoch"] + 1


def restore_run(engine, model, ema, optimizer, run_dir):
    engine.load_model(model, os.path.join(run_dir, "model"))
    ema.load_state_dict(torch.load(os.path.join(run_dir, "ema.pt")))
    engine.load_optimizer(optimizer, os.path.join(run_dir, "optimizer"))


def warm_start(model, weights):
    model.load_state_dict(torch.load(weights, map_location="cpu"))


def resume_from_hub(model, optimizer, repo_id):
    state = torch.load(hf_hub_download(repo_id, "trainer_state.pt"))
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])


def export_optimum(optimum_model, path):
    optimum_model.load_state_dict(torch.load(path))
    optimum_model.save_pretrained(os.path.dirname(path))


def adopt(model, options, path):
    model.load_state_dict(torch.load(path))
    options.optimizer = "adamw"


def resume_shards(model, optimizer, shard_paths):
    load = torch.load
    for shard in shard_paths:
        model.load_state_dict(load(shard), strict=False)
    optimizer.load_state_dict(load(shard_paths[0])["optimizer"])


def training_state(path):
    state = torch.load(path, map_location="cpu")
    return state["model"], state.get("optimizer"), state.get("step", 0)


def weights_of(path):
    state = torch.load(path, map_location="cpu")
    return state["model"] if "model" in state else state


def weights_without_optimizer(path):
    state = torch.load(path, map_location="cpu")
    if "optimizer" in state:
        state = state["model"]
    return state


def setup(model, optimizer, config):
    state = torch.load(config.pretrained_path, map_location="cpu")
    model.load_state_dict(state["model"])
    if config.resume:
        optimizer.load_state_dict(state["optimizer"])


def resume_run(model, optimizer, run_dir):
    def restore_optimizer():
        optimizer.load_state_dict(torch.load(os.path.join(run_dir, "optimizer.pt"), map_location="cpu"))

    restore_optimizer()
    extra = torch.load(os.path.join(run_dir, "extra.pt"), map_location="cpu")
    return extra["step"]


def warm_start(model, weights_path):
    def unused_resume(optimizer):
        optimizer.load_state_dict(torch.load(weights_path)["optimizer"])

    return torch.load(weights_path, map_location="cpu")
