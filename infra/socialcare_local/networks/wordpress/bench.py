"""`python -m socialcare_local.networks.wordpress.bench`: DynamoDB requests per new blog comment.

Measured as `socialcare_local.bench --sizes` measures X, Facebook and Instagram: through the real
handlers on the local runtime, a minute with one new comment minus an idle minute (the comment is
read, stored, acknowledged under itself and its ticket recorded)."""

from collections import Counter

from ...bench import BRAND, T0
from ...replay.scenario import Account, Mention
from ...stack import StackOptions, local_stack

BLOG = Account(
    type="account",
    channel="wordpress",
    id="blog.acme.example/2",
    handle="Acme Care",
    instance="https://blog.acme.example",
)
COMMENT = Mention(
    type="mention",
    at=T0,
    channel="wordpress",
    id="blog.acme.example/101",
    author_id="0",
    author_handle="Jane Doe",
    text="My order never came",
    conversation_id="blog.acme.example/post/12",
)


def _dynamodb(counts: Counter) -> Counter:
    return Counter({op: n for (service, op), n in counts.items() if service == "dynamodb"})


def main() -> None:
    with local_stack([BRAND, BLOG], T0, StackOptions(validate_spec=False)) as stack:
        stack.minute()  # cold starts and the first (empty) polls
        stack.minute()
        stack.deployment.reset_request_counts()
        stack.minute()
        idle = _dynamodb(stack.deployment.request_counts())
        stack.deployment.reset_request_counts()
        comment = COMMENT.model_copy(update={"at": stack.clock.now()})
        stack.networks["wordpress"].publish("wordpress", comment, BLOG.id)
        stack.minute()
        busy = _dynamodb(stack.deployment.request_counts())
    extra = busy - idle
    print(  # after the stack: it sends the functions' output to their log
        f"wordpress  idle minute {sum(idle.values())}, with the comment {sum(busy.values())}"
        f" => {sum(extra.values())} for the comment: "
        + ", ".join(f"{op} {n}" for op, n in sorted(extra.items()))
    )


if __name__ == "__main__":
    main()
