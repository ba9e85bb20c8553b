"""The trimmed botocore data directory the layer ships, found through AWS_DATA_PATH.

botocore parses its whole endpoints.json (1.25 MB, every service in every partition) for the first
client of a process, about 40 ms of each cold start, and reads its service models gzipped. The
layer carries a directory holding only what building the functions' clients loads: endpoints.json
cut to the services below, the partition and default-configuration files, and each service's
latest model and endpoint rules, decompressed. botocore searches AWS_DATA_PATH before its own data,
so these files win; anything not here (paginators, another service) still comes from botocore.

Regenerate with `make botocore-data` after changing SERVICES or the pinned botocore; a test fails
until then, and another fails if the code builds a client for a service not listed here.
"""

import gzip
import json
import shutil
import sys
from pathlib import Path

import botocore

# Every service the functions build a client for (PynamoDB, Powertools' idempotency and the store:
# dynamodb; the poll queue: sqs; alerts: sesv2 and sns; secrets; the configuration parameter: ssm).
SERVICES = ("dynamodb", "secretsmanager", "sesv2", "sns", "sqs", "ssm")
SHARED_FILES = ("_retry.json", "partitions.json", "sdk-default-configuration.json")
MODEL_FILES = ("service-2", "endpoint-rule-set-1")
DIRECTORY_NAME = "botocore_data"  # under the layer's python/: /opt/python/botocore_data
BOTOCORE_DATA = Path(botocore.__file__).parent / "data"


def _latest_version(service: str) -> str:
    return max(p.name for p in (BOTOCORE_DATA / service).iterdir() if p.is_dir())


def _model_bytes(folder: Path, name: str) -> bytes:
    plain = folder / f"{name}.json"
    if plain.exists():
        return plain.read_bytes()
    return gzip.decompress((folder / f"{name}.json.gz").read_bytes())


def _endpoint_prefix(service: str) -> str:
    """endpoints.json names a service by its endpoint prefix (sesv2's is "email")."""
    folder = BOTOCORE_DATA / service / _latest_version(service)
    return json.loads(_model_bytes(folder, "service-2"))["metadata"]["endpointPrefix"]


def trimmed_endpoints(services=SERVICES) -> dict:
    prefixes = {_endpoint_prefix(service) for service in services}
    endpoints = json.loads((BOTOCORE_DATA / "endpoints.json").read_bytes())
    for partition in endpoints["partitions"]:
        partition["services"] = {
            name: value for name, value in partition["services"].items() if name in prefixes
        }
    return endpoints


def trimmed_files(services=SERVICES) -> dict[str, bytes]:
    """Relative path -> content: the whole directory, deterministic for one botocore version."""
    endpoints = json.dumps(trimmed_endpoints(services), sort_keys=True, separators=(",", ":"))
    files = {"endpoints.json": endpoints.encode()}
    for name in SHARED_FILES:
        files[name] = (BOTOCORE_DATA / name).read_bytes()
    for service in services:
        version = _latest_version(service)
        for name in MODEL_FILES:
            content = _model_bytes(BOTOCORE_DATA / service / version, name)
            files[f"{service}/{version}/{name}.json"] = content
    return files


def write(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    for relative, content in trimmed_files().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


if __name__ == "__main__":
    write(Path(sys.argv[1]))
