"""The local function URL: HTTP in, Lambda's payload format 2.0 event to the handler, its answer
back out as HTTP, as AWS does it."""

import base64
import threading

import pytest
import requests

from socialcare_local.function_urls import FunctionUrlServer, http_response, url_event


class RecordingDeployment:
    """Stands for LocalDeployment: records events, answers what the test says."""

    region = "us-east-1"

    def __init__(self, answer=None, error: Exception | None = None):
        self.lock = threading.RLock()
        self.events: list[dict] = []
        self.answer = answer if answer is not None else {"statusCode": 200, "body": "ok"}
        self.error = error

    def invoke(self, function_id: str, event: dict):
        self.events.append(event)
        if self.error:
            raise self.error
        return self.answer


@pytest.fixture
def served():
    servers = []

    def serve(deployment, after=None) -> FunctionUrlServer:
        server = FunctionUrlServer(deployment, "WebhookFunction", after=after)
        server.start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


def test_a_get_becomes_a_version_2_event_with_its_raw_query(served):
    deployment = RecordingDeployment(
        {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "77"}
    )
    server = served(deployment)
    answer = requests.get(server.url + "meta?hub.mode=subscribe&hub.challenge=77", timeout=5)
    assert (answer.status_code, answer.text, answer.headers["content-type"]) == (200, "77", "text/plain")
    (event,) = deployment.events
    assert event["version"] == "2.0" and event["rawPath"] == "/meta"
    assert event["rawQueryString"] == "hub.mode=subscribe&hub.challenge=77"
    assert event["requestContext"]["http"]["method"] == "GET" and "body" not in event


def test_a_json_body_arrives_as_text_and_a_binary_one_base64_encoded_byte_for_byte(served):
    deployment = RecordingDeployment()
    server = served(deployment)
    requests.post(
        server.url + "meta", data=b'{"a": 1}', headers={"Content-Type": "application/json"}, timeout=5
    )
    raw = bytes(range(256))
    requests.post(server.url + "meta", data=raw, headers={"X-Hub-Signature-256": "sha256=ab"}, timeout=5)
    text, binary = deployment.events
    assert (text["body"], text["isBase64Encoded"]) == ('{"a": 1}', False)
    assert binary["isBase64Encoded"] and base64.b64decode(binary["body"]) == raw
    assert binary["headers"]["x-hub-signature-256"] == "sha256=ab"  # names lower-cased, as AWS does


def test_a_handler_that_raises_answers_502_and_after_work_runs_once_answered(served):
    ran = []
    server = served(RecordingDeployment(error=RuntimeError("boom")), after=lambda: ran.append(1))
    answer = requests.post(server.url + "meta", data=b"{}", timeout=5)
    server.wait_idle()
    assert answer.status_code == 502 and "boom" not in answer.text
    assert ran == [1] and server.requests[0]["status"] == 502


def test_a_stopped_url_refuses_new_requests():
    server = FunctionUrlServer(RecordingDeployment(), "WebhookFunction")
    server.start()
    url = server.url
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"statusCode": 413, "body": "too big"}, (413, b"too big")),
        (
            {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True},
            (200, b"\x00\x01"),
        ),
        ({"accounts": []}, (200, b'{"accounts": []}')),  # not a response: Lambda sends it as JSON
        (None, (200, b"null")),
    ],
)
def test_what_lambda_makes_of_a_handlers_result(result, expected):
    status, _headers, body = http_response(result)
    assert (status, body) == expected


def test_an_undecodable_text_body_is_base64_encoded():
    event = url_event(
        "POST", "/meta", {"content-type": "application/json"}, b"\xff\xfe", "x.lambda-url.on.aws"
    )
    assert event["isBase64Encoded"] and base64.b64decode(event["body"]) == b"\xff\xfe"
