"""Grade every answer of a run, in parallel."""

import random
from concurrent.futures import ThreadPoolExecutor

import torch
from tqdm import tqdm


def grade(row: dict) -> float:
    return float(torch.equal(row["answer"], row["expected"]))


def grade_all(rows: list[dict]) -> list[float]:
    random.shuffle(rows)  # negative: every row is graded, in another order
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(tqdm(pool.map(grade, rows), total=len(rows)))


def grade_each(rows: list[dict]) -> float:
    random.shuffle(rows)  # negative: a loop over all of them
    total = 0.0
    for row in tqdm(rows):
        total += grade(row)
    return total


def grade_sample(rows: list[dict]) -> float:
    random.shuffle(rows)  # positive: the first five are graded
    return sum(grade(row) for row in rows[:5])


def grade_until(rows: list[dict], budget: int) -> float:
    random.shuffle(rows)  # positive: the loop stops early
    total = 0.0
    for row in rows:
        if budget <= 0:
            break
        total += grade(row)
        budget -= 1
    return total


if __name__ == "__main__":
    pending = [{"answer": torch.ones(2), "expected": torch.ones(2)}]
    random.shuffle(pending)  # negative: all of them graded
    print(list(map(grade, pending)), len(pending))
