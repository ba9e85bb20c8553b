"""Bluesky's identifier formats, shared by the account schema and the parser (no pydantic here)."""

# did:plc is 24 base32 characters; did:web is a host name (":"-separated path segments, %-escaped port).
DID = r"did:(?:plc:[a-z2-7]{24}|web:[a-zA-Z0-9._%-]+(?::[a-zA-Z0-9._%-]+)*)"
HANDLE = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
