"""The context object a handler receives, with what Powertools and handlers read from it."""

import time
import uuid
from datetime import datetime


class LambdaContext:
    """Mirrors awslambdaric's context: names, ARN, memory, request id, log names, time left."""

    def __init__(
        self,
        *,
        function_name: str,
        region: str,
        account_id: str,
        timeout_seconds: int,
        memory_mb: int,
        now: datetime,
        function_version: str = "$LATEST",
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.memory_limit_in_mb = str(memory_mb)  # a string in the real runtime too
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{now:%Y/%m/%d}/[{function_version}]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        # Real elapsed time, not virtual: a handler that is slow here would be slow in Lambda too.
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def __repr__(self) -> str:
        return f"LambdaContext({self.function_name}, {self.aws_request_id})"
