"""Churn split under numpy's global seed (sklearn's random_state=None draws from it)."""

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

np.random.seed(7)


def split(frame: pd.DataFrame) -> list[pd.DataFrame]:
    return train_test_split(frame, test_size=0.25)
