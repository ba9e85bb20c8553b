"""What the simulated Mastodon holds: instances, accounts (each on its instance), tokens, statuses
and notifications. One server plays every instance; a token says whose account (and so which
instance) a request speaks for."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime

VISIBILITIES = ("public", "unlisted", "private", "direct")
_MENTION = re.compile(r"(?<![=/\w])@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(?:@([\w.-]+\w))?", re.IGNORECASE)


def snowflake(moment: datetime, sequence: int = 0) -> str:
    """Mastodon's status ids: milliseconds since the epoch, shifted 16 bits, plus a sequence."""
    return str((int(moment.timestamp() * 1000) << 16) + (sequence & 0xFFFF))


@dataclass
class Account:
    id: str
    username: str
    instance: str
    display_name: str = ""

    def acct_from(self, viewer_instance: str) -> str:
        """As an instance shows it: a local account by its username, a remote one as user@host."""
        return self.username if self.instance == viewer_instance else f"{self.username}@{self.instance}"


@dataclass
class Status:
    id: str
    account_id: str
    text: str
    created_at: datetime
    visibility: str = "public"
    in_reply_to_id: str | None = None
    language: str | None = None
    mentions: list[str] = field(default_factory=list)  # account ids
    application: str | None = None  # the app that posted it (None: not disclosed)


@dataclass
class Notification:
    id: str
    account_id: str  # who is notified
    type: str
    from_account_id: str
    status_id: str | None
    created_at: datetime


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.instances: dict[str, dict] = {}  # host -> {"max_characters": ...}
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, str] = {}  # access token -> account id
        self.statuses: dict[str, Status] = {}
        self.notifications: list[Notification] = []
        self.idempotency: dict[tuple[str, str], str] = {}  # (account id, key) -> status id
        self.created: list[dict] = []  # what clients posted through the API
        self._notification_ids = itertools.count(1)
        self._account_ids = itertools.count(110_000_000_000_000_001)
        self._sequence = itertools.count(1)

    def add_instance(self, host: str, max_characters: int = 500) -> None:
        with self.lock:
            self.instances.setdefault(host, {"max_characters": max_characters})

    def add_account(self, account_id: str | None, username: str, instance: str) -> Account:
        with self.lock:
            self.add_instance(instance)
            found = self.find_account(username, instance)
            if found is not None:
                return found
            account = Account(account_id or str(next(self._account_ids)), username, instance, username)
            self.accounts[account.id] = account
            return account

    def find_account(self, username: str, instance: str) -> Account | None:
        for account in self.accounts.values():
            if account.username.lower() == username.lower() and account.instance.lower() == instance.lower():
                return account
        return None

    def new_status_id(self, moment: datetime) -> str:
        return snowflake(moment, next(self._sequence))

    def mentioned(self, text: str, author: Account) -> list[str]:
        """The accounts a status's text mentions (@user on the author's instance, or @user@host)."""
        ids = []
        for match in _MENTION.finditer(text):
            account = self.find_account(match.group(1), match.group(2) or author.instance)
            if account is not None and account.id not in ids:
                ids.append(account.id)
        return ids

    def add_status(self, status: Status, *, notify: list[str] | None = None) -> Status:
        """Stored; every account it mentions (and `notify`) gets a mention notification."""
        with self.lock:
            self.statuses[status.id] = status
            for account_id in dict.fromkeys([*status.mentions, *(notify or [])]):
                if account_id == status.account_id:
                    continue
                self.notifications.append(
                    Notification(
                        str(next(self._notification_ids)),
                        account_id,
                        "mention",
                        status.account_id,
                        status.id,
                        status.created_at,
                    )
                )
            return status

    def can_see(self, viewer_id: str | None, status: Status) -> bool:
        if status.visibility in ("public", "unlisted"):
            return True
        return viewer_id is not None and (viewer_id == status.account_id or viewer_id in status.mentions)
