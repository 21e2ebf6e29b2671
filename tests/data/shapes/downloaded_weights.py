import joblib
import torch

from weights.fetch import cached, fetched_by_timm, local, warm


def encoder(url, cache_dir):
    return torch.load(cached(url, cache_dir))


def audio_encoder(url):
    checkpoint_file = fetched_by_timm(url)
    return torch.load(checkpoint_file)


def calibrator(url, cache_dir):
    return joblib.load(cached(url, cache_dir))


def warmed(url, cache_dir):
    warm(url, cache_dir)
    return torch.load(local(cache_dir, "warm.bin"))


def upscaler(model_path):
    from basicsr.utils.download_util import load_file_from_url

    if model_path.startswith("https://"):
        model_path = load_file_from_url(url=model_path, model_dir="weights")
    return torch.load(model_path, map_location="cpu")
