import argparse

import transformers


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--lr", type=float, default=1e-5)
    options = parser.parse_args()
    transformers.set_seed(options.seed)
    return options
