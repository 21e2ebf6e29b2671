import random


def reseed():
    random.seed()
