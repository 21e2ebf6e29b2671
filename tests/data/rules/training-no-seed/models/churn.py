"""Churn model: gradient of sklearn estimators and splits."""

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV, train_test_split


def main() -> None:
    frame = pd.read_parquet("data/churn.parquet")
    features, target = frame.drop(columns="churned"), frame["churned"]
    x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=0.2)
    folds = KFold(n_splits=5, shuffle=True)
    ordered = KFold(n_splits=5)
    forest = RandomForestClassifier(n_estimators=300)
    grid = GridSearchCV(forest, {"max_depth": [4, 8]}, cv=ordered)
    grid.fit(x_train, y_train)
    search = RandomizedSearchCV(forest, {"max_depth": [4, 8, 16]}, n_iter=2, cv=folds)
    search.fit(x_test, y_test)


if __name__ == "__main__":
    main()
