"""A requests session that answers from memory with real requests.Response objects, so the X
adapter's reading of answers is tested without a network."""

import json
from datetime import UTC, datetime

import requests
from requests.structures import CaseInsensitiveDict

from socialcare.channels.base import Page
from socialcare.channels.x.account import XAccount
from socialcare.channels.x.adapter import XAdapter

ACCOUNT = XAccount(channel="x", id="9001", handle="AcmeCare", credentials_secret="x/AcmeCare")
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)

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
    session = CannedSession(status, body, headers)
    return XAdapter(ACCOUNT, CREDENTIALS, base_url="https://x.test", session=session)


def mentions(adapter: XAdapter) -> Page:
    return adapter.read("mentions", None, start_time=START)
