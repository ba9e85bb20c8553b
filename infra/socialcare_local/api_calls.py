"""Sees every AWS API request made in this process, for counting the handlers' DynamoDB calls.

boto3 clients and resources and PynamoDB all end up in botocore's BaseClient._make_api_call, so one
wrapper there sees them all, whichever session created the client. It is installed while anyone
listens and removed after the last one leaves.
"""

import threading
from collections.abc import Callable
from typing import Any

import botocore.client

Listener = Callable[[str, str], None]  # (service, operation), e.g. ("dynamodb", "PutItem")

_ORIGINAL = botocore.client.BaseClient._make_api_call
_listeners: list[Listener] = []
_lock = threading.Lock()


def _make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    service = client.meta.service_model.service_name
    for listener in list(_listeners):
        listener(service, operation_name)
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
