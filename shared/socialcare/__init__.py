"""socialcare: poll a brand's mentions, acknowledge at once, escalate before the response-time target.

This package is the Lambda layer. `domain` is pure (no AWS, no HTTP); `channels` adapts each social
network; `persistence` and `notify` are the AWS side; `services` wires them into the three jobs that
the thin handlers in functions/ call.
"""

__version__ = "0.1.0"
