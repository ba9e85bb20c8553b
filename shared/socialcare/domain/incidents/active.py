"""The incidents still active (open, or ended with their tickets not yet closed or resumed), as kept
in one small summary: what acknowledging a new ticket checks, and what the job starts from, without
reading every incident ever opened. Pure."""

from collections.abc import Iterable
from dataclasses import dataclass

BRAND_WIDE = "*"  # the key of the detector across all accounts
OPEN, RESOLVED = "open", "resolved"


@dataclass(frozen=True)
class ActiveIncident:
    incident_id: str
    account: str  # an account's key, or BRAND_WIDE
    top_terms: tuple[str, ...]
    status: str  # OPEN, or RESOLVED until its end step has run

    def to_dict(self) -> dict:
        return {"account": self.account, "top_terms": list(self.top_terms), "status": self.status}

    @classmethod
    def from_dict(cls, incident_id: str, data: dict) -> "ActiveIncident":
        return cls(incident_id, data["account"], tuple(data["top_terms"]), data["status"])


def incident_for(text: str, account_key: str, active: Iterable[ActiveIncident]) -> str | None:
    """The open incident of the account (or brand-wide) whose top terms the mention's words share."""
    from .terms import belongs  # here: most acknowledgements meet no incident (cold start)

    for incident in active:
        if (
            incident.status == OPEN
            and incident.account in (account_key, BRAND_WIDE)
            and belongs(text, incident.top_terms)
        ):
            return incident.incident_id
    return None
