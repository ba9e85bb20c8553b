"""What goes on the wire: Graph errors, Meta's time format, and the answer a handler builds.

Errors follow Meta's envelope `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`;
`error_subcode` is present where Meta documents one for that case (33, 460, 463, 467), as
real Graph answers omit it otherwise and a client must cope with both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

JSON = "application/json; charset=UTF-8"
RATE_DOC = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting"


@dataclass
class Reply:
    status: int
    body: dict | list | None
    headers: dict = field(default_factory=dict)
    content_type: str = JSON
    node: str | None = None  # the node type answered for (spec checks), None when not a node
    edge: str | None = None
    after: list = field(default_factory=list)  # callables run once the answer has been sent


@dataclass(frozen=True)
class Nested:
    """A field whose value is another node, rendered with the field's own selection."""

    node: str
    obj: object


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(16)[:22]


def graph_error(
    code: int,
    message: str,
    *,
    status: int = 400,
    type_: str = "OAuthException",
    subcode: int | None = None,
    **extra,
) -> Reply:
    error = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    error["fbtrace_id"] = fbtrace_id()
    return Reply(status, {"error": error})


def no_such_object(object_id: str, method: str = "GET") -> Reply:
    verb = "get" if method == "GET" else method.lower()
    return graph_error(
        100,
        f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph API "
        "documentation at https://developers.facebook.com/docs/graph-api",
        type_="GraphMethodException",
        subcode=33,
    )


def unknown_path(part: str) -> Reply:
    return graph_error(2500, f"Unknown path components: /{part}")


def nonexisting_field(name: str, node: str) -> Reply:
    return graph_error(100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})")


def invalid_parameter(message: str) -> Reply:
    return graph_error(100, f"(#100) {message}")


def invalid_cursor(name: str) -> Reply:
    # Meta says little more than this when a stored cursor has gone stale: start paging again.
    return graph_error(100, f"(#100) Invalid cursor: the `{name}` cursor has expired or was not issued here")


def token_missing() -> Reply:
    return graph_error(104, "An access token is required to request this resource.")


def token_invalid(reason: str | None, when: datetime | None = None) -> Reply:
    """Code 190 as Meta words it: unknown token, session invalidated (460) or expired (463)."""
    if reason == "expired":
        stamp = (when or datetime.now(UTC)).strftime("%A, %d-%b-%y %H:%M:%S UTC")
        return graph_error(
            190, f"Error validating access token: Session has expired on {stamp}.", subcode=463
        )
    if reason == "invalidated":
        return graph_error(
            190,
            "Error validating access token: The session has been invalidated because the user changed "
            "their password or Facebook has changed the session for security reasons.",
            subcode=460,
        )
    return graph_error(190, "Invalid OAuth access token - Cannot parse access token", subcode=467)


THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80001: f"(#80001) There have been too many calls to this Page account. Wait a bit and try again. "
    f"For more info, please refer to {RATE_DOC}.",
    80002: f"(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. "
    f"For more info, please refer to {RATE_DOC}.",
}


def throttled(code: int) -> Reply:
    # The app-level limit comes back as a 403 in the wild; the others as 400.
    return graph_error(code, THROTTLE_MESSAGES[code], status=403 if code == 4 else 400, is_transient=True)


def server_error(http_status: int) -> Reply:
    if http_status == 500:
        return graph_error(1, "An unknown error occurred", status=500, is_transient=True)
    return graph_error(
        2,
        "An unexpected error has occurred. Please retry your request later.",
        status=http_status,
        is_transient=True,
    )


def meta_time(moment: datetime) -> str:
    """Meta's datetime format: 2026-11-23T14:00:05+0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_time(value: str) -> datetime | None:
    """A `since`/`until` value: Unix seconds or an ISO 8601 date-time (UTC when no zone)."""
    value = value.strip()
    if value.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    text = value.replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():  # +0000 as Meta writes it
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
