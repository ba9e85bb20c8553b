"""Thin senders over SES v2 and SNS. Permanent rejections (bad address, unverified sender) are told
apart from throttling so the sweep records the former and retries the latter."""

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


class AlertRejected(Exception):
    """The provider refused this alert for good; retrying will not help."""


def _raise_for(error: ClientError, what: str) -> None:
    code = error.response.get("Error", {}).get("Code", "")
    if code in PERMANENT_CODES:
        raise AlertRejected(
            f"{what} rejected: {code}: {error.response['Error'].get('Message', '')}"
        ) from None
    raise error


class EmailSender:
    def __init__(self, sesv2_client, sender: str):
        self._ses = sesv2_client
        self._sender = sender

    def send(self, to: str, email: Email) -> str:
        """One multipart/alternative message (text for any client, HTML for the rest), sent raw so
        both parts travel exactly as rendered."""
        message = EmailMessage()
        message["Subject"] = email.subject
        message["From"] = self._sender
        message["To"] = to
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        try:
            answer = self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        except ClientError as error:
            _raise_for(error, "e-mail")
        return answer["MessageId"]


class SmsSender:
    def __init__(self, sns_client, sender_id: str | None = None):
        self._sns = sns_client
        self._sender_id = sender_id

    def send(self, to: str, text: str) -> str:
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self._sender_id}
        try:
            answer = self._sns.publish(PhoneNumber=to, Message=text, MessageAttributes=attributes)
        except ClientError as error:
            _raise_for(error, "SMS")
        return answer["MessageId"]
