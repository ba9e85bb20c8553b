"""What the adapter contract asks of a network's harness."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from socialcare.channels.base import ChannelAdapter

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=30)  # the simulators' clock: every post below is in the past


class ReadFault(StrEnum):
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"  # a 5xx
    TIMEOUT = "timeout"
    MALFORMED = "malformed"  # a body that is not the JSON the network sends
    LOST_ANSWER = "lost_answer"  # (posting) the reply is created, its answer never arrives


class Harness(Protocol):
    network: str
    spec_missing: str | None  # why the official spec cannot be checked (the test skips), or None
    brand_id: str

    def start(self) -> None: ...

    def stop(self) -> list[str]:
        """Stops the simulator; returns every spec violation it saw."""
        ...

    def adapter(self, *, page_size: int | None = None, timeout: float = 2) -> ChannelAdapter: ...

    def mention(self, minute: float, text: str, *, in_reply_to: str | None = None) -> str:
        """A customer's post addressed to the brand, `minute` minutes after T0; returns its id."""
        ...

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        """A reply staff typed natively as the brand account; returns its id."""
        ...

    def fail_next_read(self, fault: ReadFault) -> None: ...

    def fail_next_post(self, fault: ReadFault) -> None: ...

    def replies_created(self) -> list[tuple[str, str]]:
        """(reply id, replied-to id) of every reply the simulator created through its API."""
        ...
