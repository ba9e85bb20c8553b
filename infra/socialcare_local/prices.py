"""Every AWS price the cost model uses, in one place: us-east-1 list prices, free tiers ignored.

Each price names its page and the date it was taken. This machine cannot reach the web: the figures
are the list prices as published on those pages to the best of the author's knowledge on the date
given, not re-read live that day. Check them against the pages before quoting a cost to anyone.
"""

from dataclasses import dataclass

REGION = "us-east-1"
CHECKED = "2026-11-23"


@dataclass(frozen=True)
class Price:
    usd: float  # for `per` units
    per: float
    unit: str
    page: str
    region: str = REGION
    checked: str = CHECKED
    note: str = ""

    def of(self, quantity: float) -> float:
        """What `quantity` units cost, in US dollars."""
        return self.usd * quantity / self.per


DYNAMODB_WRITE_UNIT = Price(
    0.625,
    1e6,
    "write request unit (on-demand, Standard table class)",
    "https://aws.amazon.com/dynamodb/pricing/on-demand/",
)
DYNAMODB_READ_UNIT = Price(
    0.125,
    1e6,
    "read request unit (on-demand, Standard table class)",
    "https://aws.amazon.com/dynamodb/pricing/on-demand/",
)
LAMBDA_REQUEST = Price(0.20, 1e6, "invocation", "https://aws.amazon.com/lambda/pricing/")
LAMBDA_ARM_GB_SECOND = Price(
    0.0000133334,
    1,
    "GB-second of duration, arm64 (first 7.5 billion GB-s a month)",
    "https://aws.amazon.com/lambda/pricing/",
)
SQS_REQUEST = Price(
    0.40,
    1e6,
    "request, standard queue (each 64 KB chunk of a payload is one)",
    "https://aws.amazon.com/sqs/pricing/",
)
SCHEDULER_INVOCATION = Price(
    1.00, 1e6, "EventBridge Scheduler invocation", "https://aws.amazon.com/eventbridge/pricing/"
)
SES_EMAIL = Price(0.10, 1000, "e-mail sent (each recipient counts)", "https://aws.amazon.com/ses/pricing/")
SNS_SMS_PART = Price(
    0.00883,
    1,
    "SMS message part to a US number (10DLC)",
    "https://aws.amazon.com/sns/sms-pricing/",
    note="base price $0.00581 plus an average carrier fee of $0.00302; carriers differ",
)
SECRET = Price(0.40, 1, "secret stored for a month", "https://aws.amazon.com/secrets-manager/pricing/")
SECRETS_API_CALL = Price(
    0.05, 10_000, "Secrets Manager API call", "https://aws.amazon.com/secrets-manager/pricing/"
)
CUSTOM_METRIC = Price(
    0.30, 1, "custom metric for a month (first 10,000 metrics)", "https://aws.amazon.com/cloudwatch/pricing/"
)
ALARM = Price(
    0.10, 1, "standard-resolution alarm metric for a month", "https://aws.amazon.com/cloudwatch/pricing/"
)
LOG_INGESTION = Price(
    0.50,
    1024**3,
    "byte of logs ingested (Standard log class; $0.50 per GB)",
    "https://aws.amazon.com/cloudwatch/pricing/",
)
XRAY_TRACE = Price(5.00, 1e6, "X-Ray trace recorded", "https://aws.amazon.com/xray/pricing/")
KMS_KEY = Price(1.00, 1, "customer managed KMS key for a month", "https://aws.amazon.com/kms/pricing/")
KMS_REQUEST = Price(0.03, 10_000, "KMS API request (symmetric)", "https://aws.amazon.com/kms/pricing/")

ALL = {name: value for name, value in globals().items() if isinstance(value, Price)}
