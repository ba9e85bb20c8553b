"""What every brand account has, whatever its network, and the acknowledgement settings it may
override. Each network subclasses AccountConfig in its channel module (channel name, id and handle
formats, connection options); the configuration accepts the union of those, told apart by `channel`."""

from pydantic import BaseModel, ConfigDict, Field

from .business_hours import BusinessHours, Targets

DEFAULT_TEMPLATES = [
    "Thanks for reaching out. We've logged this as ref {ref} and a person from our team will reply "
    "{response_time}. Please don't share personal details here; we may ask you to DM us.",
    "Got it, thank you. Your reference is {ref}; one of our team will get back to you {response_time}. "
    "For your privacy, please keep order numbers and contact details out of public posts.",
    "We're on it (ref {ref}). A member of our care team will answer {response_time}. "
    "Please don't post personal information publicly; we may invite you to a DM.",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Acknowledgements(Strict):
    enabled: bool = True
    # Don't acknowledge the same author twice in one conversation within this window.
    same_author_window_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    templates: list[str] = Field(default_factory=lambda: list(DEFAULT_TEMPLATES), min_length=1)
    # Failed posts (5xx, timeouts, a refusal after a credentials refresh) are retried with backoff;
    # after this many attempts the ticket is marked failed, counted and alarmed, and its alerts say so.
    max_attempts: int = Field(default=8, ge=1, le=50)


class AccountConfig(Strict):
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

    @property
    def key(self) -> str:
        return f"{self.channel}#{self.id}"
