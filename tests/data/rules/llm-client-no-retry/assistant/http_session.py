"""One HTTP session for the internal services, with urllib3 retries."""

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def retrying_session() -> requests.Session:
    session = requests.Session()
    retry = Retry(total=4, backoff_factor=1, status_forcelist=[429, 502, 503, 504], allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session
