"""Sample prompts with options handed on whole to the sampler."""

import argparse
import random


def run(rows: list[str], draw_seed: int) -> list[str]:
    return random.Random(draw_seed).sample(rows, 10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draw-seed", type=int, default=0)
    options = vars(parser.parse_args())
    rows = [f"prompt {i}" for i in range(100)]
    random.shuffle(rows)
    print(run(rows, **options))


if __name__ == "__main__":
    main()
