"""Bluesky's times (RFC 3339, milliseconds or finer): the high-water mark compares them exactly, so
nothing here rounds to the second as the rest of socialcare's ISO strings do."""

from datetime import UTC, datetime


def parse_time(text: str) -> datetime:
    """An RFC 3339 time with its zone (Bluesky requires one); ValueError otherwise."""
    if not isinstance(text, str) or len(text) > 64:
        raise ValueError("not a time")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time without its zone")
    return moment.astimezone(UTC)


def precise_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_time(moment: datetime) -> str:
    """As Bluesky's clients write createdAt: milliseconds and Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
