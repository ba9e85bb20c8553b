"""Clients built on the quickened loader (runtime/aws_clients.py) behave as boto3's own: the same
model, the same error for a service botocore does not know, the same list of services."""

import boto3
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader

from socialcare.runtime import aws_clients


def test_a_client_gets_the_services_model_and_endpoint():
    client = aws_clients.client("dynamodb", region_name="eu-west-1")
    assert client.meta.service_model.service_name == "dynamodb"
    assert client.meta.endpoint_url == "https://dynamodb.eu-west-1.amazonaws.com"
    assert "TransactWriteItems" in client.meta.service_model.operation_names


def test_an_unknown_service_is_refused_naming_the_known_ones():
    with pytest.raises(UnknownServiceError) as refused:
        aws_clients.client("dynamodbx", region_name="eu-west-1")
    assert "Valid service names are: " in str(refused.value)
    assert "dynamodb, " in str(refused.value)


@pytest.mark.parametrize("name", ["", "../dynamodb", "dynamodb/2012-08-10", None])
def test_only_a_plain_service_name_is_known(name):
    loader = aws_clients.quicken(Loader())
    assert name not in loader.list_available_services("service-2")


def test_listing_the_services_walks_them_all_as_botocore_does():
    quick = aws_clients.quicken(Loader())
    assert list(quick.list_available_services("service-2")) == Loader().list_available_services("service-2")
    assert len(quick.list_available_services("service-2")) > 300
    assert "sesv2" in quick.list_available_services("service-2")


def test_the_default_session_still_lists_every_service():
    aws_clients.client("sqs", region_name="eu-west-1")
    assert "sqs" in boto3._get_default_session().get_available_services()
    assert len(boto3._get_default_session().get_available_services()) > 300
