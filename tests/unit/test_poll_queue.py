"""The fan-out's sending: 10 accounts a request, a refused entry tried once more, and every account
that still could not be queued named in one error after the others went out."""

import json

import pytest

from socialcare.runtime.poll_queue import PollQueue, PollQueueError, read_poll_message


class FakeSqs:
    """Records SendMessageBatch calls; refuses the entries (by account) it is told to."""

    def __init__(self, refuse: dict[str, int] | None = None, down: int = 0):
        self.refuse = dict(refuse or {})  # account -> how many more times to refuse it
        self.down = down  # whole requests to fail
        self.requests: list[list[str]] = []
        self.queued: list[dict] = []

    def send_message_batch(self, QueueUrl, Entries):  # noqa: N803 - boto3's names
        assert len(Entries) <= 10 and len({e["Id"] for e in Entries}) == len(Entries)
        accounts = [json.loads(e["MessageBody"])["account"] for e in Entries]
        self.requests.append(accounts)
        if self.down:
            self.down -= 1
            raise ConnectionError("endpoint unreachable")
        failed = []
        for entry, account in zip(Entries, accounts, strict=True):
            if self.refuse.get(account, 0) > 0:
                self.refuse[account] -= 1
                failed.append({"Id": entry["Id"], "Code": "InternalError", "SenderFault": False})
            else:
                self.queued.append(json.loads(entry["MessageBody"]))
        return {"Successful": [], "Failed": failed}


KEYS = [f"x#{9000 + n}" for n in range(23)]


def test_accounts_go_out_ten_a_request_each_with_its_minute():
    sqs = FakeSqs()
    assert PollQueue(sqs, "https://queue").send(KEYS, "2026-11-23T14:01:00Z") == 23
    assert [len(r) for r in sqs.requests] == [10, 10, 3]
    assert sqs.queued == [{"account": key, "minute": "2026-11-23T14:01:00Z"} for key in KEYS]


def test_an_entry_refused_once_is_sent_again_alone():
    sqs = FakeSqs(refuse={"x#9004": 1})
    assert PollQueue(sqs, "https://queue").send(KEYS[:10], None) == 10
    assert sqs.requests[1] == ["x#9004"]
    assert sorted(m["account"] for m in sqs.queued) == sorted(KEYS[:10])


def test_accounts_refused_twice_are_named_after_every_other_account_is_queued():
    sqs = FakeSqs(refuse={"x#9004": 2}, down=0)
    with pytest.raises(PollQueueError, match=r"1 accounts not queued for polling: x#9004$"):
        PollQueue(sqs, "https://queue").send(KEYS, None)
    assert len(sqs.queued) == 22


def test_a_request_that_fails_outright_is_retried_then_its_accounts_named():
    sqs = FakeSqs(down=2)
    with pytest.raises(PollQueueError, match="10 accounts not queued") as raised:
        PollQueue(sqs, "https://queue").send(KEYS, None)
    assert "x#9000" in str(raised.value) and "x#9010" not in str(raised.value)
    assert len(sqs.queued) == 13


@pytest.mark.parametrize("body", ["not json", "[]", '{"minute": "x"}', '{"account": 5}'])
def test_a_message_that_names_no_account_is_refused(body):
    with pytest.raises(ValueError):
        read_poll_message(body)


def test_a_message_reads_back_as_sent():
    assert read_poll_message('{"account": "x#9001", "minute": "2026-11-23T14:01:00Z"}') == (
        "x#9001",
        "2026-11-23T14:01:00Z",
    )
