"""Sample prompts; the options go whole to the annotation tool's sampler."""

import argparse
import random

from annotation_tool import draw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draw-seed", type=int, default=0)
    args = parser.parse_args()
    rows = [f"prompt {i}" for i in range(100)]
    random.shuffle(rows)
    print(draw(rows, args))


if __name__ == "__main__":
    main()
