"""A simulated Meta Graph API (Facebook Pages and Instagram) on localhost, checked against Meta's
node specs, with usage headers, expiring cursors and signed webhooks."""

from .faults import Fault, answer_lost, connection_dropped, throttle
from .replay import MetaScenario
from .server import SIM_APP, MetaSimulator
from .spec import expected_meta_spec_dir, find_meta_specs, load_meta_spec
from .webhooks import Delivery, WebhookRequest, WebhookVerificationError, sign

__all__ = [
    "SIM_APP",
    "Delivery",
    "Fault",
    "MetaScenario",
    "MetaSimulator",
    "WebhookRequest",
    "WebhookVerificationError",
    "answer_lost",
    "connection_dropped",
    "expected_meta_spec_dir",
    "find_meta_specs",
    "load_meta_spec",
    "sign",
    "throttle",
]
