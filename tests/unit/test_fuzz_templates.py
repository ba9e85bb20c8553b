"""Templates against hostile text: a template either passes the configuration check or fails with
TemplateError; a checked template renders, for any handle, mention and ticket, a reply that fits the
channel, carries its reference, is real text, and echoes none of the personal data in the mention."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from socialcare.channels.x.textlength import weighted_length
from socialcare.domain.redaction import personal_data_in
from socialcare.domain.reference import ticket_reference
from socialcare.domain.templates import KNOWN_FIELDS, TemplateError, check_template, render_acknowledgement

EXAMPLES = 300
# Text as hostile as it comes: lone surrogates, separators, NUL, right-to-left overrides.
hostile_text = st.lists(
    st.text(max_size=20) | st.sampled_from(["\ud800", "\udfff", "\u2028", "\x00", "\u202e", "\n", "{", "}"]),
    max_size=5,
).map("".join)
PLAIN_HANDLE = re.compile(r"[A-Za-z0-9_.\-]{1,30}")
MAX_TARGET_MINUTES = 7 * 24 * 60  # the configuration's bound

fields = st.sampled_from(sorted(KNOWN_FIELDS) + ["name", "ref.__class__", "ref!r", "ref:>300", "", "0"])
template_parts = st.one_of(
    hostile_text,
    fields.map(lambda field: "{" + field + "}"),
    st.sampled_from(["{", "}", "{{", "}}", "{ref", "ref}", "https://example.com/x", "call 0800 123 4567"]),
)
templates = st.lists(template_parts, max_size=8).map("".join)
lengths = st.sampled_from([(weighted_length, 280), (len, 500), (len, 300), (len, 60)])
personal_data = st.sampled_from(
    [
        "+44 7700 900123",
        "07700900123",
        "jane.doe@example.com",
        "4111 1111 1111 1111",
        "order #A77-20931",
        "GB82 WEST 1234 5698 7654 32",
        "account number 99887766",
    ]
)
mentions = st.lists(hostile_text | personal_data, max_size=6).map(" ".join)
handles = hostile_text | st.from_regex(PLAIN_HANDLE, fullmatch=True) | personal_data
ticket_ids = hostile_text | st.from_regex(r"x:[0-9]{1,19}", fullmatch=True)


@settings(max_examples=EXAMPLES, deadline=None)
@given(templates, lengths)
@example("ref {ref} \ud800", (len, 280))
def test_any_template_passes_the_check_or_fails_with_template_error(template, length_rule):
    length, limit = length_rule
    try:
        check_template(template, limit, length)
    except TemplateError:
        return
    assert "{ref}" in template
    template.encode("utf-8")  # a checked template is real text, postable anywhere


def checked(variants: list[str], length, limit) -> list[str]:
    good = []
    for template in variants:
        try:
            check_template(template, limit, length)
        except TemplateError:
            continue
        good.append(template)
    return good or ["ref {ref}"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    variants=st.lists(templates.map(lambda text: text + " {ref}"), min_size=1, max_size=3),
    length_rule=lengths,
    ticket_id=ticket_ids,
    target=st.integers(1, MAX_TARGET_MINUTES),
    brand=st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True),
    author=st.none() | handles,
    mention=mentions,
)
@example(
    ["{response_time} {minutes} ref {ref}"], (len, 34), "x:1", 10079, "B", None, ""
)  # the longest target
@example(["ref {ref}"], (len, 280), "x:\ud800", 60, "B", None, "")  # an id that is not valid text
def test_a_checked_template_renders_a_safe_reply_for_any_mention(
    variants, length_rule, ticket_id, target, brand, author, mention
):
    length, limit = length_rule
    variants = checked(variants, length, limit)
    ref = ticket_reference(ticket_id.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    try:
        reply = render_acknowledgement(
            variants,
            ticket_id=ticket_id,
            ref=ref,
            target_minutes=target,
            brand_handle=brand,
            author_handle=author,
            mention_text=mention,
            max_length=limit,
            length=length,
        )
    except TemplateError:
        return
    assert length(reply) <= limit
    reply.encode("utf-8")
    leaked = [fragment for fragment in personal_data_in(mention) if fragment in reply]
    assert not leaked
    if not any(ref in fragment for fragment in personal_data_in(mention)):
        assert ref in reply, "a checked template always fits whole, reference included"


@settings(max_examples=EXAMPLES, deadline=None)
@given(author=handles, mention=mentions)
@example(author="jane\n", mention="")
@example(author="jane\nBuy now at evil.example", mention="")
def test_a_handle_is_used_whole_and_only_when_it_is_a_plain_handle(author, mention):
    def render(handle):
        return render_acknowledgement(
            ["Thanks {author}, ref {ref}."],
            ticket_id="x:1",
            ref="K7Q2X",
            target_minutes=60,
            brand_handle="AcmeCare",
            author_handle=handle,
            mention_text=mention,
            max_length=280,
        )

    if PLAIN_HANDLE.fullmatch(author) and not any(
        author in f or f in author for f in personal_data_in(mention)
    ):
        assert render(author) == f"Thanks @{author}, ref K7Q2X."
    elif not PLAIN_HANDLE.fullmatch(author):
        assert render(author) == render(None) == "Thanks, ref K7Q2X."
