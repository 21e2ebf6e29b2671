import logging
import random

import numpy as np


def start_run(name: str, fixed: int = 17) -> logging.Logger:
    random.seed(fixed)
    np.random.seed(fixed)
    return logging.getLogger(name)
