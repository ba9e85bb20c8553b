"""Short, speakable ticket references ("K7Q2X") that customers and staff can quote."""

import hashlib

# Crockford's base32: no I, L, O or U, so a reference read aloud or retyped is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 5


def ticket_reference(ticket_id: str) -> str:
    number = int.from_bytes(hashlib.sha256(ticket_id.encode()).digest()[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def ticket_id_for(channel: str, post_id: str) -> str:
    """A ticket is named after the post that opened it, so one post can only ever open one ticket."""
    return f"{channel}:{post_id}"
