import json


class RunStore:
    def load(self, path: str) -> dict:
        with open(path) as handle:
            return json.load(handle)


class Flow:
    def __init__(self) -> None:
        self.store = RunStore()

    async def kickoff(self, resume_from: str | None, fork_from: str | None) -> dict:
        state: dict = {}
        if resume_from is not None:
            state = self.store.load(resume_from)
        return state
