"""Sees every AWS API request made in this process, for counting and metering the handlers' calls.

boto3 clients and resources and PynamoDB all end up in botocore's BaseClient._make_api_call, so one
wrapper there sees them all, whichever session created the client. It is installed while anyone
listens and removed after the last one leaves. A listener is called before each request with its
parameters; if it returns a function, that function gets the request's outcome (the response, or
the error it raised) before the caller does.
"""

import threading
from collections.abc import Callable
from typing import Any

import botocore.client

Outcome = Callable[[dict[str, Any] | None, BaseException | None], Any]
# (service, operation, params), e.g. ("dynamodb", "PutItem", {...}) -> what to call with the outcome
Listener = Callable[[str, str, dict[str, Any]], Outcome | None]

_ORIGINAL = botocore.client.BaseClient._make_api_call
_listeners: list[Listener] = []
_lock = threading.Lock()


def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    service = client.meta.service_model.service_name
    outcomes = [
        outcome
        for listener in list(_listeners)
        if (outcome := listener(service, operation_name, api_params)) is not None
    ]
    if not outcomes:
        return _ORIGINAL(client, operation_name, api_params)
    try:
        response = _ORIGINAL(client, operation_name, api_params)
    except BaseException as error:
        for outcome in outcomes:
            outcome(None, error)
        raise
    for outcome in outcomes:
        outcome(response, None)
    return response


def call_unobserved(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    """Make a request no listener sees (the meter's own look at what a Query read)."""
    return _ORIGINAL(client, operation_name, api_params)


def subscribe(listener: Listener) -> None:
    with _lock:
        _listeners.append(listener)
        botocore.client.BaseClient._make_api_call = _make_api_call


def unsubscribe(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)
        if not _listeners:
            botocore.client.BaseClient._make_api_call = _ORIGINAL
