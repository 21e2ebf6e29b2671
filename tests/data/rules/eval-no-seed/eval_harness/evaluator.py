import random


def simple_evaluate(tasks, random_seed=0):
    random.seed(random_seed)
    return [task() for task in tasks]
