"""A Bluesky login session (accessJwt, refreshJwt, did) as the session store keeps it.

Logging in (createSession) is scarce: about 100 a day and 30 in 5 minutes per account. So the
session is kept across invocations and containers, renewed with refreshSession when the access
token expires (about every 2 hours; the refresh token lasts about 90 days), and a new login happens
only when the refresh token is refused. The tokens are secrets: never logged, never in errors."""

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Session:
    did: str
    access: str
    refresh: str

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def decode(cls, value: str | None) -> "Session | None":
        """None for nothing stored, or for anything unreadable (a new login replaces it)."""
        if not value:
            return None
        try:
            fields = json.loads(value)
            session = cls(did=fields["did"], access=fields["access"], refresh=fields["refresh"])
        except (ValueError, TypeError, KeyError):
            return None
        if not all(isinstance(part, str) and part for part in (session.did, session.access, session.refresh)):
            return None
        return session

    def __repr__(self) -> str:  # never the tokens, even in a traceback
        return f"Session(did={self.did!r})"


class MemorySessionStore:
    """Sessions kept in this process only: for tools and tests; deployed functions keep them in
    DynamoDB (persistence.sessions)."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def load(self, account_key: str) -> str | None:
        return self.values.get(account_key)

    def save(self, account_key: str, value: str) -> None:
        self.values[account_key] = value
