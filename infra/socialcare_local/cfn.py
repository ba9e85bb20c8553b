"""What the local runtime needs from template.yaml: tables, queues, topics and functions with their
resolved environment, schedules and stream triggers. Only standard SAM/CloudFormation structure is read.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cfn_events import (
    QueueSource,
    Schedule,
    StreamSource,
    async_settings,
    parse_rate,
    queues_of,
    schedules_of,
    streams_of,
)
from .intrinsics import PSEUDO_ACCOUNT, CfnError, CfnLoader, Resolver, load_template, parameter_values

__all__ = [
    "CfnError",
    "CfnLoader",
    "FunctionDef",
    "LocalTemplate",
    "QueueSource",
    "QueueSpec",
    "Schedule",
    "StreamSource",
    "TableSpec",
    "load_template",
    "parse_rate",
]


@dataclass(frozen=True)
class TableSpec:
    name: str
    create_kwargs: dict[str, Any]  # ready for dynamodb.create_table(**create_kwargs)
    ttl_attribute: str | None


@dataclass(frozen=True)
class QueueSpec:
    name: str
    attributes: dict[str, Any]  # CloudFormation properties (RedrivePolicy etc.), applied after creation


@dataclass(frozen=True)
class FunctionDef:
    logical_id: str
    function_name: str
    code_dir: Path
    handler_module: str
    handler_name: str
    environment: dict[str, str]
    timeout_seconds: int = 3
    memory_mb: int = 128
    layer_dirs: tuple[Path, ...] = ()
    schedules: list[Schedule] = field(default_factory=list)
    streams: list[StreamSource] = field(default_factory=list)
    queue_sources: list[QueueSource] = field(default_factory=list)
    # Asynchronous invocations (schedules): Lambda's own retries, then these queues (logical ids).
    async_max_retries: int = 2
    async_on_failure_queue: str | None = None
    dead_letter_queue: str | None = None


class LocalTemplate:
    """template.yaml seen as the local runtime deploys it (physical name = logical id unless named)."""

    def __init__(
        self,
        path: Path | str,
        *,
        parameters: Mapping[str, str] | None = None,
        region: str = "us-east-1",
        account_id: str = PSEUDO_ACCOUNT,
        known: Mapping[tuple[str, str], Any] | None = None,
    ) -> None:
        """`known` maps (logical id, attribute or "Ref") to real values once resources exist."""
        self.path = Path(path).resolve()
        self.root = self.path.parent
        self.document = load_template(self.path)
        self.resources: dict[str, dict[str, Any]] = self.document["Resources"]
        self.region, self.account_id = region, account_id
        self.parameters = parameter_values(self.document, parameters or {})
        self._known = dict(known or {})
        self.resolver = Resolver(
            self.document,
            self.parameters,
            region=region,
            account_id=account_id,
            ref=lambda name: self.get_att(name, "Ref"),
            get_att=self.get_att,
        )
        self.tables = {lid: self._table(lid, res) for lid, res in self._of("AWS::DynamoDB::Table")}
        self.queues = {
            lid: QueueSpec(self.physical_name(lid), self._props(lid))
            for lid, res in self._of("AWS::SQS::Queue")
        }
        self.topics = {lid: self.physical_name(lid) for lid, _ in self._of("AWS::SNS::Topic")}
        self.functions = {lid: self._function(lid, res) for lid, res in self._of("AWS::Serverless::Function")}

    # -- names and attributes ------------------------------------------------------------------

    def physical_name(self, logical_id: str) -> str:
        resource = self._resource(logical_id)
        props = resource.get("Properties") or {}
        key = {
            "AWS::DynamoDB::Table": "TableName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::SNS::Topic": "TopicName",
            "AWS::Serverless::Function": "FunctionName",
        }.get(resource["Type"])
        if key and props.get(key) is not None:
            return str(self.resolver.resolve(props[key]))
        fifo = resource["Type"] == "AWS::SQS::Queue" and str(props.get("FifoQueue", "")).lower() == "true"
        return f"{logical_id}.fifo" if fifo else logical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        """What Ref (attribute "Ref") or Fn::GetAtt gives locally."""
        if (logical_id, attribute) in self._known:
            return self._known[(logical_id, attribute)]
        if attribute == "FunctionUrl" and logical_id not in self.resources:
            # SAM's <Function>Url, made from FunctionUrlConfig: empty until the stack serves it.
            function = self.resources.get(logical_id.removesuffix("Url")) or {}
            if "FunctionUrlConfig" in (function.get("Properties") or {}):
                return ""
        kind = self._resource(logical_id)["Type"]
        name, region, account = self.physical_name(logical_id), self.region, self.account_id
        arn = {
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{region}:{account}:{name}",
            "AWS::SNS::Topic": f"arn:aws:sns:{region}:{account}:{name}",
            "AWS::Serverless::Function": f"arn:aws:lambda:{region}:{account}:function:{name}",
            "AWS::Serverless::LayerVersion": f"arn:aws:lambda:{region}:{account}:layer:{name}:1",
        }.get(kind, f"arn:aws:local:{region}:{account}:{logical_id}")
        if attribute == "Ref":
            if kind == "AWS::SQS::Queue":
                return f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            return arn if kind in ("AWS::SNS::Topic", "AWS::Serverless::LayerVersion") else name
        if attribute in ("Arn", "TopicArn"):
            return arn
        if attribute in ("QueueName", "TopicName"):
            return name
        if attribute == "QueueUrl":
            return self.get_att(logical_id, "Ref")
        raise CfnError(f"{logical_id}.{attribute} is only known once the deployment has started")

    def with_known(self, known: Mapping[tuple[str, str], Any]) -> "LocalTemplate":
        """The same template re-resolved with real resource values (e.g. stream ARNs from moto)."""
        return LocalTemplate(
            self.path,
            parameters=self.parameters,
            region=self.region,
            account_id=self.account_id,
            known={**self._known, **known},
        )

    # -- reading the template --------------------------------------------------------------------

    def _resource(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self.resources:
            raise CfnError(f"the template has no resource or parameter named {logical_id!r}")
        return self.resources[logical_id]

    def _of(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            (lid, res)
            for lid, res in self.resources.items()
            if res.get("Type") == kind
            and ("Condition" not in res or self.resolver.condition(res["Condition"]))
        ]

    def _props(self, logical_id: str) -> dict[str, Any]:
        return self.resolver.resolve(self.resources[logical_id].get("Properties") or {})

    def _table(self, logical_id: str, resource: dict[str, Any]) -> TableSpec:
        props = self._props(logical_id)
        kwargs: dict[str, Any] = {"TableName": self.physical_name(logical_id)}
        for key in (
            "KeySchema",
            "AttributeDefinitions",
            "BillingMode",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "ProvisionedThroughput",
            "Tags",
        ):
            if key in props:
                kwargs[key] = props[key]
        stream = props.get("StreamSpecification")
        if stream:  # CloudFormation omits StreamEnabled; the API needs it
            kwargs["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        ttl = props.get("TimeToLiveSpecification") or {}
        enabled = str(ttl.get("Enabled", "true")).lower() == "true"
        return TableSpec(kwargs["TableName"], kwargs, ttl.get("AttributeName") if enabled else None)

    def _function(self, logical_id: str, resource: dict[str, Any]) -> FunctionDef:
        globals_ = (self.document.get("Globals") or {}).get("Function") or {}
        own = resource.get("Properties") or {}
        merged = {**globals_, **own}
        env_raw = {
            **((globals_.get("Environment") or {}).get("Variables") or {}),
            **((own.get("Environment") or {}).get("Variables") or {}),
        }
        env = {key: _env_str(value) for key, value in self.resolver.resolve(env_raw).items()}
        code_uri = self.resolver.resolve(merged.get("CodeUri"))
        if not isinstance(code_uri, str):
            raise CfnError(f"{logical_id}: the local runtime needs a local CodeUri folder")
        handler = str(self.resolver.resolve(merged.get("Handler", "app.lambda_handler")))
        module, _, name = handler.rpartition(".")
        return FunctionDef(
            logical_id=logical_id,
            function_name=self.physical_name(logical_id),
            code_dir=(self.root / code_uri).resolve(),
            handler_module=module,
            handler_name=name,
            environment=env,
            timeout_seconds=int(self.resolver.resolve(merged.get("Timeout", 3))),
            memory_mb=int(self.resolver.resolve(merged.get("MemorySize", 128))),
            layer_dirs=tuple(self._layer_dirs(merged.get("Layers") or [])),
            schedules=schedules_of(self, logical_id, own.get("Events") or {}),
            streams=streams_of(self, logical_id, own.get("Events") or {}),
            queue_sources=queues_of(self, logical_id, own.get("Events") or {}),
            **async_settings(self, logical_id, merged),
        )

    def _layer_dirs(self, layers: list[Any]) -> list[Path]:
        # A local LayerVersion's ContentUri goes on sys.path, as /opt/python does in Lambda.
        dirs = []
        for layer in layers:
            target = layer.get("Ref") if isinstance(layer, dict) else None
            resource = self.resources.get(target or "", {})
            content = (resource.get("Properties") or {}).get("ContentUri")
            if resource.get("Type") == "AWS::Serverless::LayerVersion" and isinstance(content, str):
                dirs.append((self.root / content).resolve())
        return dirs


def _env_str(value: Any) -> str:
    # Lambda environment values are strings; CloudFormation writes booleans in lower case.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "" if value is None else str(value)
