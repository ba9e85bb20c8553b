"""The layer's trimmed botocore data (runtime/botocore_data.py): it is what the pinned botocore
would produce, it holds every service the code builds a client for, botocore reads it before its
own data, and endpoints resolve exactly as with botocore's full data."""

import re
from pathlib import Path

import botocore.session
import pytest

from socialcare.runtime import botocore_data

ROOT = Path(__file__).resolve().parents[2]
TRIMMED = ROOT / "shared" / botocore_data.DIRECTORY_NAME
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "cn-north-1", "us-gov-west-1"]
# Services named where a client is built: aws_clients.client("x"), boto3.client("x"),
# ClientOnFirstCall("x"); Powertools' SecretsProvider builds a secretsmanager client itself.
CLIENT_CALL = re.compile(r"""(?:\bclient|ClientOnFirstCall)\(\s*["']([a-z0-9-]+)["']""")


def _session(trimmed: bool) -> botocore.session.Session:
    session = botocore.session.get_session()
    if trimmed:
        session.set_config_variable("data_path", str(TRIMMED))
    session.set_credentials("test", "test")
    return session


def test_the_committed_directory_is_what_the_pinned_botocore_produces():
    expected = botocore_data.trimmed_files()
    committed = {
        str(path.relative_to(TRIMMED)): path.read_bytes() for path in TRIMMED.rglob("*") if path.is_file()
    }
    assert sorted(committed) == sorted(expected), "run `make botocore-data`"
    assert all(committed[name] == expected[name] for name in expected), "run `make botocore-data`"


def test_every_service_the_code_builds_a_client_for_is_in_the_trimmed_data():
    sources = [*(ROOT / "shared" / "socialcare").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    used = {name for path in sources for name in CLIENT_CALL.findall(path.read_text())}
    if any("SecretsProvider(" in path.read_text() for path in sources):
        used.add("secretsmanager")
    assert {"dynamodb", "sqs", "sns"} <= used  # the scan finds the clients we know of
    assert used <= set(botocore_data.SERVICES)


@pytest.mark.parametrize("service", botocore_data.SERVICES)
def test_a_clients_data_is_read_from_the_trimmed_directory(service):
    loader = _session(trimmed=True).get_component("data_loader")
    _, endpoints_path = loader.load_data_with_path("endpoints")
    version = loader.determine_latest_version(service, "service-2")
    _, model_path = loader.load_data_with_path(f"{service}/{version}/service-2")
    _, rules_path = loader.load_data_with_path(f"{service}/{version}/endpoint-rule-set-1")
    for path in (endpoints_path, model_path, rules_path):
        assert Path(path).is_relative_to(TRIMMED)


@pytest.mark.parametrize("service", botocore_data.SERVICES)
def test_endpoints_match_botocores_full_data(service):
    full, trimmed = _session(trimmed=False), _session(trimmed=True)
    for region in REGIONS:
        expected = full.create_client(service, region_name=region)
        got = trimmed.create_client(service, region_name=region)
        assert got.meta.endpoint_url == expected.meta.endpoint_url, region
        assert got.meta.partition == expected.meta.partition, region
    assert full.get_available_regions(service) == trimmed.get_available_regions(service)
