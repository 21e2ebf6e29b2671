"""Churn model with every random component given a random_state."""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold, train_test_split

SEED = 42


def main() -> None:
    frame = pd.read_parquet("data/churn.parquet")
    x_train, x_test, y_train, y_test = train_test_split(frame, frame["spend"], random_state=SEED)
    folds = KFold(n_splits=5, shuffle=True, random_state=SEED)
    forest = RandomForestRegressor(n_estimators=300, random_state=SEED)
    forest.fit(x_train, y_train)
    print(len(list(folds.split(x_test))), np.mean(y_test))


if __name__ == "__main__":
    main()
