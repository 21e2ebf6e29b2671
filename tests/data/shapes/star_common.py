import os

SEED = 7
