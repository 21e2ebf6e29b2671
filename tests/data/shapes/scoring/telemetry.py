import requests
import yaml

TELEMETRY_URL = "https://telemetry.example.org/v1/events"


def track(event: dict) -> None:
    requests.post(TELEMETRY_URL, json=event, timeout=5)


def read_scoring_config(path: str) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def parse_rubric(path: str) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


class Embedder:
    def __init__(self, name: str) -> None:
        self.name = name
        track({"event": "embedder", "name": name})


def embedder_factory(name: str) -> Embedder:
    track({"event": "factory", "name": name})
    return Embedder(name)


def build_judge(name: str) -> str:
    track({"event": "judge", "name": name})
    return name


def create_report(text: str) -> None:
    with open("report.txt", "a") as handle:
        handle.write(text)
