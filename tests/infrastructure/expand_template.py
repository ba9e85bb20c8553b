"""Print template.yaml as CloudFormation deploys it: the SAM transform applied, offline, as JSON.

Runs with the SAM CLI's Python (.venv-sam), where the SAM translator lives: it pins a pydantic the
Lambda layer cannot share, so it stays out of .venv. Nothing is looked up in AWS: SAM resolves
managed policy names from its bundled list (an unknown name fails the expansion), and every managed
policy a role gets, named or added by SAM itself, shows up as ManagedPolicyArns for the tests.

    .venv-sam/bin/python tests/infrastructure/expand_template.py template.yaml [Name=value ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
from cfn_yaml import load_template
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

REGION = "us-east-1"


class NamesAManagedPolicy(ValueError):
    pass


def no_managed_policies() -> dict[str, str]:
    """SAM's fallback to IAM ListPolicies for a managed policy name it does not know."""
    raise NamesAManagedPolicy("the template names a managed policy; use inline statements")


def as_packaged(template: dict) -> dict:
    """Local code folders become S3 locations, as `sam package` (run by `sam deploy`) leaves them."""
    uri_keys = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}
    for resource in template["Resources"].values():
        key = uri_keys.get(resource.get("Type"))
        uri = resource.get("Properties", {}).get(key)
        if isinstance(uri, str) and not uri.startswith("s3://"):
            resource["Properties"][key] = f"s3://artifacts/{uri.strip('/')}.zip"
    return template


def expand(path: str | Path, parameters: dict[str, str] | None = None) -> dict:
    # The session only supplies the region for AWS::Region; no AWS call is made.
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    return translator.translate(
        as_packaged(load_template(path)),
        parameter_values=dict(parameters or {}),
        get_managed_policy_map=no_managed_policies,
        # Generated resources keep their SAM resource's Metadata (checkov's skips live there).
        passthrough_metadata=True,
    )


def main(argv: list[str]) -> int:
    path, *pairs = argv
    parameters = dict(pair.split("=", 1) for pair in pairs)
    json.dump(expand(path, parameters), sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
