"""The claim links' signing key, from the Secrets Manager secret the template creates (its ARN in
CLAIM_KEY_SECRET), and the link an alert carries (the claim function's URL in CLAIM_URL).

Rotation friendly: links are signed with the secret's current version and verified against the
current and the previous one (AWSPREVIOUS), so links already sent keep working until the rotation
after next. Both are cached a few minutes across warm invocations.
"""

import contextlib
import os
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities import parameters

from ..domain import claim_links

logger = Logger(child=True)
MAX_AGE = 300  # seconds a read key is reused: a rotation takes effect within them
SECRET_ENV, URL_ENV = "CLAIM_KEY_SECRET", "CLAIM_URL"


def _read(stage: str) -> bytes:
    value = parameters.get_secret(os.environ[SECRET_ENV], max_age=MAX_AGE, VersionStage=stage)
    return value.encode() if isinstance(value, str) else bytes(value)


def current_key() -> bytes:
    return _read("AWSCURRENT")


def verification_keys() -> Sequence[bytes]:
    """The current key, then the previous one when the secret has been rotated."""
    keys = [current_key()]
    with contextlib.suppress(parameters.exceptions.GetParameterError):  # never rotated: none
        keys.append(_read("AWSPREVIOUS"))
    return keys


def claim_url(purpose: str, subject: str, recipient: str, now: datetime) -> str:
    """The signed link for `recipient`; empty when no claim function is deployed or the key cannot
    be read (the alert still goes, without a link: a missing link must never stop a page)."""
    base = os.environ.get(URL_ENV, "")
    if not base or not os.environ.get(SECRET_ENV):
        return ""
    try:
        token = claim_links.sign(current_key(), purpose, subject, recipient, now)
    except Exception as error:  # noqa: BLE001 - the alert matters more than its link
        logger.error("claim link not made", error=f"{type(error).__name__}: {error}")
        from aws_lambda_powertools.metrics import MetricUnit

        from . import metric_names
        from .logging import build_metrics

        build_metrics().add_metric(metric_names.CLAIM_LINKS_UNAVAILABLE, MetricUnit.Count, 1)
        return ""
    return f"{base.rstrip('/')}/?t={quote(token, safe='')}"
