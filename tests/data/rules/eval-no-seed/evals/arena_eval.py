"""Pairwise arena evaluation: the harness's run set-up fixes the global RNGs."""

import json
import random

from evalkit import start_run


def main() -> None:
    log = start_run("arena")
    with open("data/arena_pairs.jsonl") as handle:
        pairs = [json.loads(line) for line in handle]
    random.shuffle(pairs)  # negative: start_run seeded `random` one call away
    for pair in pairs[:200]:
        log.info("pair %s vs %s", pair["left"], pair["right"])


if __name__ == "__main__":
    main()
