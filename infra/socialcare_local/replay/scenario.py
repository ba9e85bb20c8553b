"""The replay scenario format (JSON Lines; see "Contracts" in the design notes).

Unknown fields are ignored; a malformed line stops the replay with its line number and reason; a
file that cannot be read is a ScenarioUnreadable, not a malformed line.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from ..networks.registry import SCENARIO_RULES

# A network's own id, as a string; each network's simulator checks its own form (networks/).
NetworkId = Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,300}$")]
Handle = Annotated[str, Field(min_length=1, max_length=200)]


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time must carry a zone, e.g. 2026-11-23T14:00:05Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("time is out of range once converted to UTC") from None


class Account(_Line):
    type: Literal["account"]
    channel: str
    id: NetworkId
    handle: Handle
    instance: str | None = None  # a Mastodon instance's host, a WordPress site's URL


class _Timed(_Line):
    at: datetime
    _check_at = field_validator("at")(_utc)


class Mention(_Timed):
    type: Literal["mention"]
    channel: str
    id: NetworkId
    author_id: NetworkId
    author_handle: Handle | None = None  # as the network shows it: any characters, never evaluated
    text: str = Field(min_length=1, max_length=10_000)
    conversation_id: NetworkId | None = None
    in_reply_to_id: NetworkId | None = None
    lang: str | None = None
    visibility: Literal["public", "unlisted", "private", "direct"] | None = None
    kind: Literal["comment", "mention", "tag", "post"] | None = None
    account: NetworkId | None = None  # which brand account, when a channel has several


class BrandPost(_Timed):
    """A post the brand published itself (a page post, a media item, an article) that customers
    then comment under."""

    type: Literal["brand_post"]
    channel: str
    id: NetworkId
    text: str = Field(min_length=1, max_length=70_000)
    account: NetworkId | None = None


class BrandReply(_Timed):
    type: Literal["brand_reply"]
    channel: str
    id: NetworkId
    in_reply_to_id: NetworkId
    text: str = Field(min_length=1)
    account: NetworkId | None = None


class End(_Timed):
    type: Literal["end"]


Event = Annotated[Account | Mention | BrandPost | BrandReply | End, Field(discriminator="type")]
_EVENT = TypeAdapter(Event)
# The fields naming things on a network, checked against that network's rules.
_NAMED = {
    "id": "post_id",
    "author_id": "author_id",
    "conversation_id": "post_id",
    "in_reply_to_id": "post_id",
    "author_handle": "author_handle",
}


class ScenarioError(ValueError):
    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.line = line


class ScenarioUnreadable(OSError):
    """The file itself could not be read (missing, a folder, no permission)."""


class ScenarioEvents(list):
    """The scenario's events, with the line each came from (blank lines are skipped)."""

    def __init__(self, events=(), line_numbers: list[int] | None = None):
        super().__init__(events)
        self.line_numbers = line_numbers if line_numbers is not None else list(range(1, len(self) + 1))


@dataclass(frozen=True)
class UnknownReference:
    """A line naming a post no earlier line had, which the simulator cannot create when first named."""

    line: int
    type: str
    id: str
    names: str  # the unknown post's id

    def describe(self) -> str:
        return f"line {self.line}: {self.type} {self.id} answers post {self.names}, which no earlier line had"


def unknown_references(events: list) -> list[UnknownReference]:
    """Lines whose `in_reply_to_id` names no post that exists on the network by then.

    A post exists once a line published it (mention, brand_post, brand_reply) or named it as its
    `conversation_id`: the simulator creates a conversation when first named (see "Contracts"). A
    staff reply to anything else reaches nothing, so the replay would silently ignore it.
    """
    numbers = getattr(events, "line_numbers", None) or list(range(1, len(events) + 1))
    known: set[tuple[str, str]] = set()
    unknown = []
    for number, event in zip(numbers, events, strict=True):
        if not isinstance(event, Mention | BrandPost | BrandReply):
            continue
        conversation = getattr(event, "conversation_id", None)
        if conversation:
            known.add((event.channel, conversation))
        answered = getattr(event, "in_reply_to_id", None)
        if answered and (event.channel, answered) not in known:
            unknown.append(UnknownReference(number, event.type, event.id, answered))
        known.add((event.channel, event.id))
    return unknown


def _read_line(raw: str, source: str, number: int) -> object:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ScenarioError(source, number, f"not JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise ScenarioError(source, number, "not JSON this reader accepts: nested too deeply") from None
    except ValueError as error:  # a number with more digits than Python converts
        raise ScenarioError(source, number, f"not JSON this reader accepts: {error}") from None


def _network_problem(event) -> str | None:
    """Where a line does not name things the way its network does (see networks/)."""
    channel = getattr(event, "channel", None)
    if channel is None:
        return None
    rules = SCENARIO_RULES.get(channel)
    if rules is None:
        return f"channel: no simulated network {channel!r} (known: {', '.join(sorted(SCENARIO_RULES))})"
    if isinstance(event, Account):
        checks = {"id": rules.account_id, "handle": rules.handle}
    else:
        checks = {name: getattr(rules, rule) for name, rule in _NAMED.items() if hasattr(event, name)}
    for name, pattern in checks.items():
        value = getattr(event, name)
        if value is not None and pattern is not None and not pattern.fullmatch(value):
            return f"{name}: not as {channel} names it ({rules.example})"
    return None


def parse_scenario(text: str, source: str = "scenario") -> ScenarioEvents:
    events = ScenarioEvents()
    previous: datetime | None = None
    seen_ids: set[str] = set()
    # JSON Lines end at "\n" only: str.splitlines() would also split inside a JSON string at
    # U+2028, U+0085 and other separators that JSON allows unescaped.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        data = _read_line(raw, source, number)
        if not isinstance(data, dict) or "type" not in data:
            raise ScenarioError(source, number, 'each line must be a JSON object with a "type"')
        try:
            event = _EVENT.validate_python(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"][1:]) or "type"
            raise ScenarioError(source, number, f"{where}: {first['msg']}") from None
        problem = _network_problem(event)
        if problem:
            raise ScenarioError(source, number, problem)
        at = getattr(event, "at", None)
        if at is not None:
            if previous is not None and at < previous:
                raise ScenarioError(
                    source, number, f"events must be ordered by 'at' ({at} is before {previous})"
                )
            previous = at
        if isinstance(event, Mention | BrandPost | BrandReply):
            if (event.channel, event.id) in seen_ids:
                raise ScenarioError(source, number, f"post id {event.id} appears twice")
            seen_ids.add((event.channel, event.id))
        events.append(event)
        events.line_numbers.append(number)
    if not any(isinstance(e, Account) for e in events):
        raise ScenarioError(source, 1, 'the scenario names no brand account (a line of type "account")')
    return events


def load_scenario(path: Path) -> ScenarioEvents:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScenarioUnreadable(f"cannot read the scenario {path}: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ScenarioError(
            str(path), line, f"not UTF-8: byte 0x{data[error.start]:02x} at column {column}"
        ) from None
    return parse_scenario(text, str(path))
