"""The replay scenario format (JSON Lines; see "Contracts" in the design notes).

Unknown fields are ignored; a malformed line stops the replay with its line number and reason.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

PostId = Annotated[str, Field(pattern=r"^[0-9]{1,19}$")]


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
    channel: Literal["x"]
    id: PostId
    handle: str = Field(pattern=r"^[A-Za-z0-9_]{1,15}$")


class _Timed(_Line):
    at: datetime
    _check_at = field_validator("at")(_utc)


class Mention(_Timed):
    type: Literal["mention"]
    channel: Literal["x"]
    id: PostId
    author_id: PostId
    author_handle: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]{1,15}$")
    text: str = Field(min_length=1, max_length=10_000)
    conversation_id: PostId | None = None
    in_reply_to_id: PostId | None = None
    lang: str | None = None


class BrandReply(_Timed):
    type: Literal["brand_reply"]
    channel: Literal["x"]
    id: PostId
    in_reply_to_id: PostId
    text: str = Field(min_length=1)


class End(_Timed):
    type: Literal["end"]


Event = Annotated[Account | Mention | BrandReply | End, Field(discriminator="type")]
_EVENT = TypeAdapter(Event)


class ScenarioError(ValueError):
    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.line = line


def _read_line(raw: str, source: str, number: int) -> object:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ScenarioError(source, number, f"not JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise ScenarioError(source, number, "not JSON this reader accepts: nested too deeply") from None
    except ValueError as error:  # a number with more digits than Python converts
        raise ScenarioError(source, number, f"not JSON this reader accepts: {error}") from None


def parse_scenario(text: str, source: str = "scenario") -> list[Account | Mention | BrandReply | End]:
    events = []
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
        at = getattr(event, "at", None)
        if at is not None:
            if previous is not None and at < previous:
                raise ScenarioError(
                    source, number, f"events must be ordered by 'at' ({at} is before {previous})"
                )
            previous = at
        if isinstance(event, Mention | BrandReply):
            if event.id in seen_ids:
                raise ScenarioError(source, number, f"post id {event.id} appears twice")
            seen_ids.add(event.id)
        events.append(event)
    if not any(isinstance(e, Account) for e in events):
        raise ScenarioError(source, 1, 'the scenario names no brand account (a line of type "account")')
    return events


def load_scenario(path: Path) -> list:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScenarioError(str(path), 0, f"cannot read: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ScenarioError(
            str(path), line, f"not UTF-8: byte 0x{data[error.start]:02x} at column {column}"
        ) from None
    return parse_scenario(text, str(path))
