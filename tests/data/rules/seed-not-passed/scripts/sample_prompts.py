"""Write a random sample of prompts for annotation."""

import argparse
import json
import random


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--k", type=int, default=200)
    parser.add_argument("--sample-seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.input, encoding="utf-8") as handle:
        prompts = [json.loads(line) for line in handle]
    print(json.dumps(random.sample(prompts, args.k)))


if __name__ == "__main__":
    main()
