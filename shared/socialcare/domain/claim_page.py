"""The claim page: one ticket or incident, readable on a phone, with plain HTML forms (no script).

Everything shown is escaped; the customer's words come already redacted unless the viewer asked for
them. The style sheet is one inline tag allowed by its hash, so the policy can forbid everything else.
"""

import base64
import hashlib
import html
from dataclasses import dataclass
from urllib.parse import quote

_STYLE = (
    "body{font:1rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;"
    "color:#111;background:#fff}"
    "h1{font-size:1.3rem;margin:0 0 .5rem}dl{margin:0}dt{font-weight:600}dd{margin:0 0 .6rem}"
    "blockquote{margin:.5rem 0;padding:.5rem .75rem;border-left:4px solid #333;background:#f3f3f3;"
    "overflow-wrap:anywhere}"
    "button{font:inherit;font-weight:600;padding:.7rem 1.2rem;min-height:44px;border:0;"
    "border-radius:4px;background:#0b4f9c;color:#fff;cursor:pointer}"
    "a{color:#0b4f9c}.state{font-weight:600}.error{color:#8a1010}"
)
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
SECURITY_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": (
        f"default-src 'none'; style-src '{STYLE_HASH}'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # the token is in the URL: never hand it to the post's site
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}


@dataclass(frozen=True)
class TicketView:
    ref: str
    channel_name: str
    author: str
    words: str
    redacted: bool  # the words shown are masked; the viewer may ask for the full text
    post_url: str | None
    time_left: str  # "12 min left", "BREACHED"
    state: str  # "open", "claimed by Ana", "answered"
    can_claim: bool
    notice: str = ""  # what the last action did: "You claimed it."


@dataclass(frozen=True)
class IncidentView:
    incident_id: str
    summary: tuple[tuple[str, str], ...]  # (label, value) pairs the incident store gave
    state: str
    can_resolve: bool
    notice: str = ""


def _page(title: str, body: str) -> str:
    e = html.escape
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _form(token: str, action: str, label: str) -> str:
    e = html.escape
    return (
        f'<form method="post" action="./"><input type="hidden" name="t" value="{e(token, quote=True)}">'
        f'<input type="hidden" name="action" value="{e(action, quote=True)}">'
        f'<button type="submit">{e(label)}</button></form>'
    )


def _notice(text: str) -> str:
    return f'<p role="status" class="state">{html.escape(text)}</p>' if text else ""


def render_ticket(view: TicketView, token: str) -> str:
    e = html.escape
    post = (
        f'<a href="{e(view.post_url, quote=True)}" rel="noreferrer noopener">Open the post on '
        f"{e(view.channel_name)}</a>"
        if view.post_url
        else "No link could be made for this post."
    )
    full_link = (
        f'<p><a href="./?t={quote(token, safe="")}&amp;full=1">Show the full text</a> '
        "(personal data is masked until you ask)</p>"
        if view.redacted
        else ""
    )
    body = (
        f"<h1>Ticket {e(view.ref)}</h1>{_notice(view.notice)}<dl>"
        f"<dt>Network</dt><dd>{e(view.channel_name)}</dd>"
        f"<dt>Customer</dt><dd>{e(view.author)}</dd>"
        f"<dt>Time left</dt><dd>{e(view.time_left)}</dd>"
        f'<dt>State</dt><dd class="state">{e(view.state)}</dd></dl>'
        f"<h2>What they wrote</h2><blockquote>{e(view.words).replace(chr(10), '<br>')}</blockquote>"
        f"{full_link}<p>{post}</p>" + (_form(token, "claim", "Claim this ticket") if view.can_claim else "")
    )
    return _page(f"Ticket {view.ref}: {view.state}", body)


def render_incident(view: IncidentView, token: str) -> str:
    e = html.escape
    rows = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in view.summary)
    body = (
        f"<h1>Incident {e(view.incident_id)}</h1>{_notice(view.notice)}<dl>{rows}"
        f'<dt>State</dt><dd class="state">{e(view.state)}</dd></dl>'
        + (_form(token, "resolve", "Resolve this incident") if view.can_resolve else "")
    )
    return _page(f"Incident {view.incident_id}: {view.state}", body)


def render_refused(message: str) -> str:
    body = (
        f'<h1>This link cannot be used</h1><p class="error">{html.escape(message)}</p>'
        "<p>Open the newest alert you received for this ticket, or reply on the network directly.</p>"
    )
    return _page("Link refused", body)
