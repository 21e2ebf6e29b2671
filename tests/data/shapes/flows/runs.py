import requests

RUNS_URL = "http://runs.internal/api/runs"


class RunStore:
    def load(self, run_id: str) -> dict:
        return requests.get(f"{RUNS_URL}/{run_id}", timeout=10).json()


class Flow:
    def __init__(self) -> None:
        self.store = RunStore()

    async def kickoff(self, resume_from: str | None, fork_from: str | None) -> dict:
        state: dict = {}
        if resume_from is not None:
            state = self.store.load(resume_from)
        return state
