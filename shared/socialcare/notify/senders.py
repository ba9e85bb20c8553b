"""Thin senders over SES v2 and SNS. Permanent rejections (bad address, unverified sender, a message
that cannot be encoded at all) are told apart from throttling and outages, so the sweep records the
former and retries the latter."""

import re
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage

from botocore.exceptions import ClientError

from ..domain.alerts import Email

PERMANENT_CODES = {
    "MessageRejected",
    "InvalidParameter",
    "InvalidParameterValue",
    "BadRequestException",
    "NotFoundException",
    "MailFromDomainNotVerifiedException",
    "AccountSuspendedException",
}


# Bodies outside ASCII go quoted-printable or base64, never raw 8-bit, which SES asks senders to avoid.
SEVEN_BIT = policy.default.clone(cte_type="7bit")
_UNSENDABLE_SMS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class AlertRejected(Exception):
    """The provider refused this alert for good; retrying will not help."""


def _raise_for(error: ClientError, what: str) -> None:
    code = error.response.get("Error", {}).get("Code", "")
    if code in PERMANENT_CODES:
        raise AlertRejected(
            f"{what} rejected: {code}: {error.response['Error'].get('Message', '')}"
        ) from None
    raise error


def email_bytes(sender: str, to: Sequence[str], email: Email) -> bytes:
    """One multipart/alternative message (text for any client, HTML for the rest). The renderer makes
    text safe; should something still not encode (a CR/LF in a header, a lone surrogate), resending
    the same text would fail the same way, so it is a rejection, not a retry."""
    try:
        message = EmailMessage(policy=SEVEN_BIT)
        message["Subject"] = email.subject
        message["From"] = sender
        message["To"] = ", ".join(to)
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        return message.as_bytes()
    except (ValueError, UnicodeError) as error:
        raise AlertRejected(f"e-mail cannot be encoded: {type(error).__name__}: {error}") from None


class EmailSender:
    def __init__(self, sesv2_client, sender: str):
        self._ses = sesv2_client
        self._sender = sender

    def send(self, to: str | Sequence[str], email: Email) -> str:
        """Sent raw so both parts travel exactly as rendered; one message to every address in `to`."""
        recipients = [to] if isinstance(to, str) else list(to)
        data = email_bytes(self._sender, recipients, email)
        try:
            answer = self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": recipients},
                Content={"Raw": {"Data": data}},
            )
        except ClientError as error:
            _raise_for(error, "e-mail")
        return answer["MessageId"]


class SmsSender:
    def __init__(self, sns_client, sender_id: str | None = None):
        self._sns = sns_client
        self._sender_id = sender_id

    def send(self, to: str, text: str) -> str:
        if _UNSENDABLE_SMS.search(text):
            # Only a renderer bug gets here; the same text would be refused on every retry.
            raise AlertRejected("SMS text has control characters or lone surrogates")
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self._sender_id}
        try:
            answer = self._sns.publish(PhoneNumber=to, Message=text, MessageAttributes=attributes)
        except ClientError as error:
            _raise_for(error, "SMS")
        return answer["MessageId"]
