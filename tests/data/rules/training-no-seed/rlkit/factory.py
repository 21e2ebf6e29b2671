import argparse


def make_strategy(options: argparse.Namespace):  # type: ignore[no-untyped-def]
    from rlkit.distributed.sharding import ShardedStrategy

    return ShardedStrategy(seed=options.seed, lr=options.lr)
