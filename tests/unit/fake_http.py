"""A requests session that answers from memory with real requests.Response objects, so the X
adapter's reading of answers is tested without a network."""

import json

import requests
from requests.structures import CaseInsensitiveDict

from socialcare.channels.x import XAdapter

CREDENTIALS = {
    "bearer_token": "test-bearer",
    "api_key": "test-key",
    "api_secret": "test-secret",
    "access_token": "test-token",
    "access_token_secret": "test-token-secret",
}


class CannedSession:
    """Every request gets the same answer: status, body (bytes, or JSON-able), headers."""

    def __init__(self, status: int = 200, body=b"", headers: dict | None = None):
        self.status = status
        self.content = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = headers or {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        response = requests.Response()
        response.status_code = self.status
        response._content = self.content
        response.headers = CaseInsensitiveDict(self.headers)
        response.url = url
        response.encoding = "utf-8"
        return response


def x_answering(status: int = 200, body=b"", headers: dict | None = None) -> XAdapter:
    return XAdapter(CREDENTIALS, base_url="https://x.test", session=CannedSession(status, body, headers))


def mentions(adapter: XAdapter):
    return adapter.fetch_mentions("9001", since_id=None, page_token=None, start_time=None)
