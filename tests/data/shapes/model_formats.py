import pickle

import joblib


def load_estimator(model_file, properties):
    if properties.get("trust_insecure_model_files", "false").lower() != "true":
        raise ValueError("set trust_insecure_model_files to load pickled models")
    if model_file.endswith(".joblib"):
        return joblib.load(model_file)
    with open(model_file, "rb") as source:
        return pickle.load(source)


def load_booster(model_file, settings):
    allow_unsafe = settings.get("allow_unsafe_formats")
    if allow_unsafe is not True:
        raise ValueError("unsafe formats are off")
    with open(model_file, "rb") as source:
        return pickle.load(source)


def load_unless_refused(model_file, properties):
    if properties.get("trust_insecure_model_files", "false").lower() != "true":
        with open(model_file, "rb") as source:
            return pickle.load(source)
    return None


def load_with_warning(model_file, properties):
    if properties.get("trust_insecure_model_files") != "true":
        print("loading an insecure format")
    with open(model_file, "rb") as source:
        return pickle.load(source)


def load_unless_refused_outright(path, allow_pickle=None):
    if allow_pickle is False:
        raise RuntimeError("pickle refused")
    with open(path, "rb") as source:
        return pickle.load(source)
