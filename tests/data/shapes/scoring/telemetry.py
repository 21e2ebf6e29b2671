import functools
from pathlib import Path

import requests
import yaml

TELEMETRY_URL = "https://telemetry.example.org/v1/events"
TEMPLATE_PATH = Path(__file__).parent / "templates" / "judge.txt"


def track(event: dict) -> None:
    requests.post(TELEMETRY_URL, json=event, timeout=5)


def read_scoring_config(path: str) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def parse_rubric(path: str) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def load_template() -> str:
    with open(TEMPLATE_PATH) as handle:
        return handle.read()


def package_version() -> str:
    text = Path("pyproject.toml").read_text()
    return text.split('version = "', 1)[1].split('"', 1)[0]


def append_log(line: str) -> None:
    log = Path(__file__).parent / "scoring.log"
    log.write_text(line)


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
    requests.post(TELEMETRY_URL.replace("events", "reports"), data=text, timeout=5)


def read_attachments(names: list[str]) -> list[bytes]:
    found = []
    for name in names:
        upload = Path("uploads", name)
        found.append(upload.read_bytes())
    return found


_SESSION: requests.Session | None = None


def shared_session() -> requests.Session:
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    session = requests.Session()
    session.get(TELEMETRY_URL, timeout=5)
    _SESSION = session
    return session


@functools.lru_cache(maxsize=1)
def remote_settings() -> dict:
    return requests.get(TELEMETRY_URL.replace("events", "settings"), timeout=5).json()


def send_event(event: dict) -> None:
    shared_session()
    requests.post(TELEMETRY_URL, json=event, timeout=5)


@functools.lru_cache(maxsize=256)
def adapter_location(adapter_id: str) -> str:
    return requests.get(TELEMETRY_URL.replace("events", adapter_id), timeout=5).text
