"""One brand account's calls to the Graph API: token, version prefix, Meta's errors and usage headers.

Every answer becomes a JSON object or a ChannelError, whatever its shape. An answer whose usage
headers show the account near a limit is still used; the calls after it wait (errors.pause_until)."""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ... import clock
from ..base import PermanentError, RateLimited, TransientError
from .errors import failure, pause_until

if TYPE_CHECKING:  # imported by the first call: clients are built at wiring, calls come later
    import requests

_MALFORMED = object()


def _json(content: bytes | None) -> Any:
    try:
        return json.loads(content or b"")
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser allows
        return _MALFORMED


class GraphClient:
    @classmethod
    def for_account(
        cls,
        network: str,
        account,
        credentials: dict[str, str],
        credential_name: str,
        *,
        base_url: str,
        timeout: float,
        session: "requests.Session | None" = None,
    ) -> "GraphClient":
        """The client of one brand account, with the token its credentials secret holds under
        `credential_name`; PermanentError when it is missing (fixed in the secret, not by a retry)."""
        token = credentials.get(credential_name)
        if not isinstance(token, str) or not token:
            raise PermanentError(f"{network} credentials lack {credential_name}")
        return cls(
            network=network,
            owner_id=account.id,
            token=token,
            base_url=base_url,
            version=account.api_version,
            timeout=timeout,
            session=session,
        )

    def __init__(
        self,
        *,
        network: str,
        owner_id: str,
        token: str,
        base_url: str,
        version: str,
        timeout: float,
        session: "requests.Session | None" = None,
    ):
        self._network = network
        self._owner_id = owner_id
        self._token = token
        self._base = base_url.rstrip("/")
        self._version = version
        self._timeout = timeout
        self._http = session  # built by the first call
        self._paused_until: datetime | None = None

    def get(self, path: str, params: dict[str, Any]) -> dict:
        return self._request("GET", path, params=params)

    def post(self, path: str, data: dict[str, Any]) -> dict:
        return self._request("POST", path, data=data)

    def next_after(self, body: dict) -> str | None:
        """The `after` cursor when Meta says more follows (`paging.next`), else None. Meta's cursors
        expire: they are used at once, within one read, never stored."""
        paging = body.get("paging")
        if not isinstance(paging, dict) or paging.get("next") is None:
            return None
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, dict) else None
        if not isinstance(after, str) or not after or len(after) > 2_000:
            raise TransientError(f"{self._network} answered paging.next without a usable after cursor")
        return after

    def _request(self, method: str, path: str, **kwargs) -> dict:
        where = f"{self._network} {method} {path}"
        now = clock.now()
        if self._paused_until is not None and now < self._paused_until:
            raise RateLimited(self._paused_until, f"{where} not sent: usage near Meta's limit")
        url = f"{self._base}/{self._version}{path}"
        headers = {"Authorization": f"Bearer {self._token}"}
        import requests

        if self._http is None:
            self._http = requests.Session()
        try:
            response = self._http.request(method, url, headers=headers, timeout=self._timeout, **kwargs)
        except requests.Timeout as error:
            raise TransientError(f"{where} timed out: {error}") from None
        except requests.RequestException as error:
            raise TransientError(f"{where} failed: {error}") from None
        now = clock.now()
        self._paused_until = pause_until(response.headers, self._owner_id, now)
        body = _json(response.content)
        status = response.status_code
        if not 200 <= status < 300 or (isinstance(body, dict) and "error" in body):
            on_account = path.strip("/").split("/")[0] == self._owner_id
            raise failure(
                status,
                body,
                response.headers,
                owner_id=self._owner_id,
                now=now,
                where=where,
                on_account=on_account,
            )
        if body is _MALFORMED:
            raise TransientError(f"{where} answered malformed JSON")
        if not isinstance(body, dict):
            raise TransientError(f"{where} answered JSON that is not an object")
        return body
