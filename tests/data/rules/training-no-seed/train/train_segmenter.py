"""A segmenter trained through mmengine: its runner seeds every RNG from `randomness=`."""

import argparse

from mmengine.config import Config
from mmengine.runner import Runner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    cfg = Config.fromfile(parser.parse_args().config)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == "__main__":
    main()
