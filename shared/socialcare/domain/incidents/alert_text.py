"""The on-call alert of an incident: what happened, how big, what people say (redacted), and room
for the link a staff member resolves it from (None until one is given)."""

from dataclasses import dataclass

from ..redaction import redact

SAMPLE_POSTS = 5
SAMPLE_LENGTH = 120


@dataclass(frozen=True)
class IncidentFacts:
    incident_id: str
    account: str  # an account key, or "*" across the brand's accounts
    started_at: str
    mentions: int
    expected: float
    window_minutes: int
    top_terms: tuple[str, ...]
    samples: tuple[str, ...]  # mention texts, as written: redacted here


def redacted_samples(texts: list[str], count: int = SAMPLE_POSTS) -> list[str]:
    """Up to `count` distinct posts, personal data masked and cut short, as SMS alerts show them."""
    chosen: list[str] = []
    for text in texts:
        sample = " ".join(redact(text).split())
        if len(sample) > SAMPLE_LENGTH:
            sample = sample[: SAMPLE_LENGTH - 1] + "…"
        if sample and sample not in chosen:
            chosen.append(sample)
        if len(chosen) == count:
            break
    return chosen


def incident_alert(facts: IncidentFacts, level: int, link: str | None) -> tuple[str, str, str]:
    """(subject, e-mail body, SMS text)."""
    where = "all accounts" if facts.account == "*" else facts.account
    terms = ", ".join(facts.top_terms) or "no common words"
    headline = (
        f"Incident on {where}: {facts.mentions} mentions in {facts.window_minutes} min "
        f"(about {facts.expected:.1f} expected), about: {terms}"
    )
    subject = f"[socialcare] Incident {facts.incident_id} on {where}" + (
        f" (level {level})" if level > 1 else ""
    )
    lines = [headline, f"Started {facts.started_at}. Incident {facts.incident_id}.", "", "What people say:"]
    lines += [f"- {sample}" for sample in facts.samples]
    if link:
        lines += ["", f"Resolve it: {link}"]
    sms = f'{headline}. e.g. "{facts.samples[0][:60]}"' if facts.samples else headline
    if link:
        sms += f" {link}"
    return subject, "\n".join(lines), sms
