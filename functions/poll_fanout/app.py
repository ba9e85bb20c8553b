"""poll_fanout (every minute): one poll message per configured account, so that each account is
polled by its own poll_mentions invocation and a slow or failing network delays no other."""

from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger

logger = build_logger()
# Cold start: a bad setting fails here, naming the field. The fan-out reads no table.
container = build_container(tables=False)
poll_queue = container.poll_queue()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    minute = event.get("scheduled_time")
    keys = [account.key for account in container.config.accounts]
    # Raises after queueing the others if any account could not be queued: the Errors alarm.
    queued = poll_queue.send(keys, minute)
    return {"minute": minute, "queued": queued}
