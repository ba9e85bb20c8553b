"""Deploys template.yaml onto moto in this process and invokes the real handlers as Lambda would.

A cold start imports the function's handler file fresh under its own module name with the
function's environment set; the environment is applied again around every invocation.
"""

import contextlib
import importlib.util
import itertools
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3

from . import api_calls
from .capacity import CapacityMeter, Usage
from .cfn import FunctionDef, LocalTemplate
from .clock import VirtualClock
from .lambda_context import LambdaContext
from .moto_env import environ, local_aws, use_virtual_time
from .moto_items import MotoItemStore

__all__ = ["LocalDeployment", "local_aws"]

_GENERATIONS = itertools.count(1)
_SQS_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "RedrivePolicy",
)


class LocalDeployment:
    """The stack, deployed locally: resources on moto (already active), handlers run in-process."""

    def __init__(
        self,
        template_path: Path | str,
        *,
        clock: VirtualClock,
        parameters: dict[str, str] | None = None,
        region: str = "us-east-1",
        virtual_time: bool = True,
    ) -> None:
        """virtual_time: socialcare.clock.now() and moto's stream record times follow `clock`."""
        self.template = LocalTemplate(template_path, parameters=parameters, region=region)
        self.clock = clock
        self.region = region
        self.invocations: Counter[str] = Counter()
        self.cold_starts: Counter[str] = Counter()
        self.virtual_time = virtual_time
        self._restore_time: Callable[[], None] | None = None
        self._generation = next(_GENERATIONS)  # fresh module names per deployment = cold starts
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self._requests: dict[str, Counter[tuple[str, str]]] = {}
        # DynamoDB request units by function and operation, as on-demand would charge them
        self._capacity: dict[str, dict[str, Usage]] = {}
        self.meter = CapacityMeter(MotoItemStore(region))
        self.invocation_seconds: Counter[str] = Counter()  # wall time in handlers, cold starts aside
        self._current: str | None = None  # the function whose code is running, for request counting
        self._started = False
        # Handlers share this process's environment: one invocation at a time, whichever thread
        # asks (the test's, a function URL's). Reentrant: a stream pump invokes under it.
        self.lock = threading.RLock()

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> "LocalDeployment":
        """Create every table, queue and topic; needs moto's mock_aws active (see local_aws())."""
        dynamodb = boto3.client("dynamodb", region_name=self.region)
        sqs = boto3.client("sqs", region_name=self.region)
        known: dict[tuple[str, str], Any] = {}
        for lid, table in self.template.tables.items():
            description = dynamodb.create_table(**table.create_kwargs)["TableDescription"]
            if table.ttl_attribute:
                dynamodb.update_time_to_live(
                    TableName=table.name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
                )
            known[(lid, "Ref")] = table.name
            known[(lid, "Arn")] = description["TableArn"]
            if description.get("LatestStreamArn"):
                known[(lid, "StreamArn")] = description["LatestStreamArn"]
        for lid, queue in self.template.queues.items():  # redrive targets may be any queue: two passes
            attributes = {
                key: _attr(queue.attributes[key]) for key in _SQS_ATTRIBUTES[:-1] if key in queue.attributes
            }
            url = sqs.create_queue(QueueName=queue.name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            known.update(
                {(lid, "Ref"): url, (lid, "QueueUrl"): url, (lid, "Arn"): arn, (lid, "QueueName"): queue.name}
            )
        for lid, queue in self.template.queues.items():
            if "RedrivePolicy" in queue.attributes:
                sqs.set_queue_attributes(
                    QueueUrl=known[(lid, "Ref")],
                    Attributes={"RedrivePolicy": _attr(queue.attributes["RedrivePolicy"])},
                )
        sns = boto3.client("sns", region_name=self.region)
        for lid, name in self.template.topics.items():
            arn = sns.create_topic(Name=name)["TopicArn"]
            known.update({(lid, "Ref"): arn, (lid, "TopicArn"): arn, (lid, "TopicName"): name})
        self.template = self.template.with_known(known)  # environments now carry real URLs/ARNs
        api_calls.subscribe(self._observe)
        if self.virtual_time:
            self._restore_time = use_virtual_time(self.clock)
        self._started = True
        return self

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        api_calls.unsubscribe(self._observe)
        if self._restore_time is not None:
            self._restore_time()
            self._restore_time = None
        self._handlers.clear()

    def __enter__(self) -> "LocalDeployment":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what was deployed ----------------------------------------------------------------------

    @property
    def functions(self) -> dict[str, FunctionDef]:
        return self.template.functions

    def function(self, function_id: str) -> FunctionDef:
        if function_id not in self.template.functions:
            raise KeyError(
                f"no function {function_id!r} in the template (have {sorted(self.template.functions)})"
            )
        return self.template.functions[function_id]

    def environment(self, function_id: str) -> dict[str, str]:
        return dict(self.function(function_id).environment)

    def table_name(self, logical_id: str) -> str:
        return self.template.tables[logical_id].name

    def queue_url(self, logical_id: str) -> str:
        return str(self.template.get_att(logical_id, "Ref"))

    def stream_arn(self, table_logical_id: str) -> str:
        return str(self.template.get_att(table_logical_id, "StreamArn"))

    # -- running handlers ---------------------------------------------------------------------

    def load_handler(self, function_id: str) -> Callable[[Any, Any], Any]:
        """The function's handler, importing its code (a cold start) the first time."""
        if function_id not in self._handlers:
            fn = self.function(function_id)
            with self._running(fn):
                self._handlers[function_id] = self._cold_start(fn)
        return self._handlers[function_id]

    def invoke(self, function_id: str, event: Any) -> Any:
        """Call the handler with a JSON copy of `event` and a LambdaContext; exceptions propagate."""
        if not self._started:
            raise RuntimeError("start() the deployment before invoking functions")
        fn = self.function(function_id)
        payload = json.loads(json.dumps(event))  # Lambda hands over JSON, never live objects
        with self.lock, self._running(fn):
            handler = self._handlers.get(function_id) or self.load_handler(function_id)
            context = LambdaContext(
                function_name=fn.function_name,
                region=self.region,
                account_id=self.template.account_id,
                timeout_seconds=fn.timeout_seconds,
                memory_mb=fn.memory_mb,
                now=self.clock.now(),
            )
            self.invocations[function_id] += 1
            started = time.perf_counter()
            try:
                result = handler(payload, context)
            finally:
                self.invocation_seconds[function_id] += time.perf_counter() - started
        return json.loads(json.dumps(result))  # a result Lambda could not serialise fails here too

    def cold_start(self, function_id: str | None = None) -> None:
        """Drop loaded handlers (one function or all): the next invocation imports the code again."""
        if function_id is None:
            self._handlers.clear()
        else:
            self._handlers.pop(function_id, None)

    # -- counting the handlers' AWS requests -------------------------------------------------------

    def request_counts(self, function_id: str | None = None) -> Counter[tuple[str, str]]:
        """(service, operation) -> requests made by handler code (import included), all or one function."""
        if function_id is not None:
            return Counter(self._requests.get(function_id, Counter()))
        return sum(self._requests.values(), Counter())

    def capacity_used(self, function_id: str | None = None) -> dict[str, Usage]:
        """DynamoDB operation -> request units it consumed in handler code, all or one function."""
        functions = [function_id] if function_id is not None else list(self._capacity)
        used: dict[str, Usage] = {}
        for name in functions:
            for operation, usage in self._capacity.get(name, {}).items():
                used[operation] = used.get(operation, Usage()) + usage
        return used

    def reset_request_counts(self) -> None:
        """Forget requests and request units counted so far."""
        self._requests.clear()
        self._capacity.clear()

    def _observe(self, service: str, operation: str, params: dict[str, Any]) -> api_calls.Outcome | None:
        function = self._current
        if function is None:
            return None
        self._requests.setdefault(function, Counter())[(service, operation)] += 1
        if service != "dynamodb":
            return None
        priced = self.meter.start(operation, params)
        if priced is None:
            return None

        def record(response: dict[str, Any] | None, error: BaseException | None) -> None:
            used = self._capacity.setdefault(function, {})
            used[operation] = used.get(operation, Usage()) + priced(response, error)

        return record

    # -- internals --------------------------------------------------------------------------------

    def _cold_start(self, fn: FunctionDef) -> Callable[[Any, Any], Any]:
        path = fn.code_dir / (fn.handler_module.replace(".", "/") + ".py")
        name = f"_socialcare_fn_{self._generation}_{fn.logical_id}_{self.cold_starts[fn.logical_id]}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not path.is_file():
            raise FileNotFoundError(f"{fn.logical_id}: handler file {path} not found")
        module = importlib.util.module_from_spec(spec)
        _forget_process_caches()
        before = set(sys.modules)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        # Sibling modules of app.py are per function (several folders may have a utils.py): forget them.
        for other in set(sys.modules) - before - {name}:
            if Path(getattr(sys.modules[other], "__file__", None) or "/").is_relative_to(fn.code_dir):
                del sys.modules[other]
        self.cold_starts[fn.logical_id] += 1
        handler = getattr(module, fn.handler_name, None)
        if not callable(handler):
            raise AttributeError(f"{fn.logical_id}: {path} has no function {fn.handler_name}")
        return handler

    @contextlib.contextmanager
    def _running(self, fn: FunctionDef) -> Iterator[None]:
        # What Lambda's runtime sets, then the template's variables; both undone afterwards.
        runtime = {
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "LAMBDA_TASK_ROOT": str(fn.code_dir),
            "_HANDLER": f"{fn.handler_module}.{fn.handler_name}",
        }
        previous, self._current = self._current, fn.logical_id
        paths = [str(p) for p in (fn.code_dir, *fn.layer_dirs) if str(p) not in sys.path]
        sys.path[:0] = paths
        try:
            with environ({**runtime, **fn.environment}):
                yield
        finally:
            self._current = previous
            for path in paths:
                sys.path.remove(path)


def _attr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict) else str(value)


def _forget_process_caches() -> None:
    """A real cold start is a new process: nothing cached by an earlier invocation survives it.
    Here the libraries stay imported, so drop what they cache at module level (Powertools keeps
    fetched secrets and parameters for max_age seconds)."""
    with contextlib.suppress(ImportError):
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
