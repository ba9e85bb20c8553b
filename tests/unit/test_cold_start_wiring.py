"""What a cold start pays for: a handler's import leaves out what only other functions or later
invocations need, and every DynamoDB user in the process shares one client (each extra one costs a
cold start about 0.1 s of CPU). The times themselves are in `make bench-coldstart`."""

import subprocess
import sys

import pytest

from socialcare.persistence.models import TICKETS_MODELS, StreamStateModel
from socialcare.runtime.container import build_container
from socialcare_local.bench_coldstart import FUNCTIONS, LAMBDA_ENVIRONMENT, WIRING, _environment

# Each is imported when a function first needs it, never by a handler's import...
NOT_AT_IMPORT = [
    "requests",  # the networks' adapters
    "requests_oauthlib",  # signs X posts
    "email_validator",  # never: addresses are checked by config.email_address
    "socialcare.domain.triage",  # the first mention triaged
    "aws_lambda_powertools.utilities.idempotency",
    "socialcare.services.escalating",
    "socialcare.services.polling",
    "socialcare.services.receiving",
    "socialcare.notify.senders",
]
# ...except the service a handler names itself (the types of what it reports).
OWN = {"poll_mentions": {"socialcare.services.polling", "socialcare.services.receiving"}}
OWN["webhook"] = {"socialcare.services.receiving"}


@pytest.mark.parametrize("function", ["acknowledge", "escalate", "poll_fanout", "poll_mentions", "webhook"])
def test_a_handler_import_leaves_out_what_its_invocations_build_later(function):
    unwanted = [name for name in NOT_AT_IMPORT if name not in OWN.get(function, set())]
    probe = f"import sys, app; print(' '.join(m for m in {unwanted!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=FUNCTIONS / function,
        env=_environment(function),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == []


# ...nor by the first invocation's wiring: the adapters are built, their first call imports these.
NOT_AT_WIRING = ["requests", "requests_oauthlib", "oauthlib"]


@pytest.mark.parametrize("function", ["acknowledge", "poll_mentions"])
def test_building_a_networks_adapter_leaves_its_http_libraries_for_the_first_call(function):
    probe = (
        "import sys, app\n"
        "from socialcare.channels.registry import network\n"
        f"{WIRING[function]}\n"
        "class AnySecret(dict):  # whatever key a network's adapter reads\n"
        "    def get(self, key, default=None): return 'secret-' + key\n"
        "    __getitem__ = get\n"
        "for account in app.container.config.accounts:\n"
        "    rules = network(account.channel)\n"
        "    rules.adapter_class()(account, AnySecret(), base_url=rules.default_base_url, timeout=5)\n"
        f"print(' '.join(m for m in {NOT_AT_WIRING!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=FUNCTIONS / function,
        env=_environment(function),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == []


def test_an_escalation_sweep_builds_its_ses_and_sns_clients_only_to_send():
    """Most sweeps send nothing; each client costs a cold start its service model (about 50 ms)."""
    probe = (
        "import boto3.session\n"  # every client is built by a boto3 session's client()
        "built, build = [], boto3.session.Session.client\n"
        "def counted(s, service, *a, **k): return built.append(service) or build(s, service, *a, **k)\n"
        "boto3.session.Session.client = counted\n"
        "import app\n"
        f"{WIRING['escalate']}\n"
        "print(' '.join(built))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=FUNCTIONS / "escalate",
        env=_environment("escalate"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["dynamodb"]


@pytest.fixture
def container(monkeypatch):
    for name, value in LAMBDA_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    return build_container()


def test_every_table_user_shares_one_dynamodb_client(container):
    client = container.dynamodb[1]
    models = (*TICKETS_MODELS, StreamStateModel)
    assert all(model._get_connection().connection.client is client for model in models)
    assert container.store._connection.client is client  # the store's transactions
    assert container.idempotency.client is client  # Powertools' idempotency records


def test_the_shared_client_keeps_pynamodbs_retries_and_timeouts(container):
    config = container.dynamodb[1].meta.config
    assert config.retries == {"total_max_attempts": 4, "mode": "standard"}  # PynamoDB: 1 + 3 retries
    assert (config.connect_timeout, config.read_timeout, config.max_pool_connections) == (15, 30, 10)
    assert container.dynamodb[1].meta.region_name == LAMBDA_ENVIRONMENT["AWS_DEFAULT_REGION"]
