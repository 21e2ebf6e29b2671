import datasets


def load_prompts(path: str) -> datasets.Dataset:
    return datasets.load_dataset("json", data_files=path)["train"].shuffle(seed=7)
