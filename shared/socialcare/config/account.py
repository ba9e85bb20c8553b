"""What every brand account has, whatever its network, and the acknowledgement settings it may
override. Each network subclasses AccountConfig in its channel module (channel name, id and handle
formats, connection options); the configuration accepts the union of those, told apart by `channel`."""

from pydantic import BaseModel, ConfigDict, Field

from .behaviour import AccountBehaviour, AcknowledgementsBehaviour
from .business_hours import BusinessHours, Targets

DEFAULT_TEMPLATES = [
    "Thanks for reaching out. We've logged this as ref {ref} and a person from our team will reply "
    "{response_time}. Please don't share personal details here; we may ask you to DM us.",
    "Got it, thank you. Your reference is {ref}; one of our team will get back to you {response_time}. "
    "For your privacy, please keep order numbers and contact details out of public posts.",
    "We're on it (ref {ref}). A member of our care team will answer {response_time}. "
    "Please don't post personal information publicly; we may invite you to a DM.",
]

# Praise: warm, no reference, no promise (nothing is opened that a person must close).
DEFAULT_THANKS = [
    "Thank you, that's lovely to hear! We'll pass it on to the team.",
    "Thanks so much for the kind words, they made our day.",
    "That's great to hear, thank you for taking the time to tell us!",
]
# Personal data in public: never echoed; the conversation moves somewhere private.
DEFAULT_OFFLINE = [
    "Thanks for reaching out. To keep your details safe, please don't share them here: {contact} "
    "and quote ref {ref}, and we'll take it from there.",
    "We'd like to help with this privately to protect your information: {contact} with ref {ref}. "
    "You may want to remove the details from your public post.",
]
# The team is closed: say when it is back, and give the reference.
DEFAULT_AFTER_HOURS = [
    "Thanks for your message. Our care team is away right now and back {opens}; we've logged this "
    "as ref {ref} and will reply then.",
    "Got it, thank you. We're closed at the moment and will pick this up {opens} (ref {ref}).",
]


class Strict(BaseModel):
    # defer_build: a validator is built by the first validation (publishing, the YAML path), never
    # by a cold start that reads the compiled form (compiled.py), where it would cost ~40 ms.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Acknowledgements(AcknowledgementsBehaviour, Strict):
    enabled: bool = True
    # Don't acknowledge the same author twice in one conversation within this window.
    same_author_window_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    templates: list[str] = Field(default_factory=lambda: list(DEFAULT_TEMPLATES), min_length=1)
    # The other kinds of reply (see domain/reply_kind.py), each with its variants.
    thanks: list[str] = Field(default_factory=lambda: list(DEFAULT_THANKS), min_length=1)
    offline: list[str] = Field(default_factory=lambda: list(DEFAULT_OFFLINE), min_length=1)
    after_hours: list[str] = Field(default_factory=lambda: list(DEFAULT_AFTER_HOURS), min_length=1)
    # Where an offline reply sends the customer: a DM, an e-mail address, a secure link.
    private_contact: str = Field(default="send us a direct message", min_length=1, max_length=200)
    # Where the network allows it (Facebook, Instagram): hide the customer's comment that holds
    # personal data once the offline reply is posted (only its author, and their friends, still see it).
    hide_personal_data: bool = False
    # Failed posts (5xx, timeouts, a refusal after a credentials refresh) are retried with backoff;
    # after this many attempts the ticket is marked failed, counted and alarmed, and its alerts say so.
    max_attempts: int = Field(default=8, ge=1, le=50)


class AccountConfig(AccountBehaviour, Strict):
    channel: str
    id: str = Field(min_length=1, max_length=200, description="the network's own id for the brand account")
    handle: str = Field(min_length=1, max_length=200, description="as the network shows it")
    credentials_secret: str = Field(
        min_length=1, description="Secrets Manager name or ARN holding this account's API credentials"
    )
    # Where the network's API answers; empty: the deployment's setting for this network, else the
    # network's public address.
    base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    target_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    # This account's own business hours and targets (config/business_hours.py), over the global ones.
    business_hours: BusinessHours | None = None
    targets: Targets | None = None
    acknowledgements: Acknowledgements | None = None
