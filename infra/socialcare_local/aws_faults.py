"""AWS calls that fail as the handlers would see them after botocore's own retries.

moto answers every call; a real table throttles, a transaction meets another, a parameter store is
unreachable. AwsFaults wraps botocore's BaseClient._make_api_call (where boto3 clients, resources
and PynamoDB all end up) and raises the ClientError a call would finally raise, for the calls a
rule matches, before moto sees them: nothing the failing call would have written is written.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.client
from botocore.exceptions import ClientError

Params = dict[str, Any]


@dataclass
class AwsFault:
    service: str
    operation: str
    code: str
    when: Callable[[Params], bool]
    times: int | None  # None: every matching call until cleared
    cancellation_reasons: list[str] | None = None  # TransactionCanceledException's, one per item
    hits: int = 0

    def error(self, operation: str) -> ClientError:
        response: dict[str, Any] = {
            "Error": {"Code": self.code, "Message": f"{self.code} (injected)"},
            "ResponseMetadata": {"HTTPStatusCode": 400, "HTTPHeaders": {}},
        }
        if self.cancellation_reasons is not None:
            response["CancellationReasons"] = [{"Code": code} for code in self.cancellation_reasons]
        return ClientError(response, operation)  # type: ignore[arg-type]


class AwsFaults:
    """Use as a context manager; add rules with fail(), drop them with clear()."""

    def __init__(self) -> None:
        self.faults: list[AwsFault] = []
        self._wrapped: Callable[..., Any] | None = None

    def fail(
        self,
        service: str,
        operation: str,
        code: str = "ProvisionedThroughputExceededException",
        *,
        when: Callable[[Params], bool] = lambda params: True,
        times: int | None = None,
        cancellation_reasons: list[str] | None = None,
    ) -> AwsFault:
        fault = AwsFault(service, operation, code, when, times, cancellation_reasons)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def __enter__(self) -> "AwsFaults":
        wrapped = self._wrapped = botocore.client.BaseClient._make_api_call
        faults = self

        def make_api_call(client: Any, operation_name: str, api_params: Params) -> Any:
            fault = faults._matching(client.meta.service_model.service_name, operation_name, api_params)
            if fault is not None:
                raise fault.error(operation_name)
            return wrapped(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = make_api_call
        return self

    def __exit__(self, *exc_info: object) -> None:
        botocore.client.BaseClient._make_api_call = self._wrapped
        self._wrapped = None

    def _matching(self, service: str, operation: str, params: Params) -> AwsFault | None:
        for fault in self.faults:
            if (fault.service, fault.operation) != (service, operation) or not fault.when(params):
                continue
            if fault.times is not None and fault.hits >= fault.times:
                continue
            fault.hits += 1
            return fault
        return None


def attribute_names(params: Params) -> set[str]:
    """Every attribute a DynamoDB write names, in any of its items (PynamoDB writes #0, #1...)."""
    names: set[str] = set()
    for item in [params, *(next(iter(entry.values())) for entry in params.get("TransactItems", []))]:
        names.update(item.get("ExpressionAttributeNames", {}).values())
        names.update(item.get("Item", {}))
    return names


def tables(params: Params) -> set[str]:
    """Every table a DynamoDB write touches."""
    named = {params["TableName"]} if "TableName" in params else set()
    return named | {next(iter(entry.values()))["TableName"] for entry in params.get("TransactItems", [])}
