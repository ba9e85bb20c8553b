"""One DynamoDB client per process, shared by every PynamoDB model, the ticket store's transactions
and Powertools' idempotency layer.

PynamoDB gives each model its own Connection, and each Connection builds its own botocore session
and client on first use: about 0.1 s of CPU apiece at a cold start (a new session reads botocore's
endpoint and model files again), for eight of them. Powertools' DynamoDBPersistenceLayer would
build one more; it takes a client (`boto3_client=`). Here the client is built once on boto3's
default session (whose files the SES, SNS and SQS clients have loaded or will load anyway, its
loader quickened: runtime/aws_clients.py), with
the configuration PynamoDB would give it, and handed to every Connection. PynamoDB 6.1 has no public
way to do that: `_client` is what its `client` property returns (and rebuilds only if the
credentials are gone). Every model points at the same region and endpoint (bind_tables).
"""

from typing import Any

from botocore.config import Config
from pynamodb.connection import Connection
from pynamodb.settings import get_settings_value

from ..persistence.models import TICKETS_MODELS, SessionModel, StreamStateModel
from . import aws_clients


def pynamodb_client_config() -> Config:
    """What PynamoDB's Connection.client configures from its settings (pynamodb.connection.base)."""
    retries = get_settings_value("retry_configuration")
    if retries == "LEGACY":
        retries = {"total_max_attempts": 1 + get_settings_value("max_retry_attempts"), "mode": "standard"}
    return Config(
        parameter_validation=False,
        connect_timeout=get_settings_value("connect_timeout_seconds"),
        read_timeout=get_settings_value("read_timeout_seconds"),
        max_pool_connections=get_settings_value("max_pool_connections"),
        retries=None if retries == "UNSET" else retries,
    )


def share_dynamodb_client() -> tuple[Connection, Any]:
    """(a Connection for the ticket store's transactions, the DynamoDB client every table user shares)."""
    connections = [
        model._get_connection().connection for model in (*TICKETS_MODELS, StreamStateModel, SessionModel)
    ]
    first = connections[0]
    client = aws_clients.client(
        "dynamodb", region_name=first.region, endpoint_url=first.host, config=pynamodb_client_config()
    )
    for connection in connections:
        connection._client = client
    return first, client
