"""Text as the rules read it: lower case, accents folded, handles and links left out."""

import re
import unicodedata

_HANDLE_OR_LINK = re.compile(r"(?<![\w@])@\w{1,50}|https?://\S+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case without accents ("Cómo" and "como" read alike, as customers type them either
    way); emoji and punctuation stay as written."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch == "\u200d")


def readable(text: str) -> str:
    """What the customer wrote, without the brand's handle, other handles and links, which would
    otherwise read as words ("@QuickEats" is no praise)."""
    return _SPACES.sub(" ", _HANDLE_OR_LINK.sub(" ", text)).strip().replace("’", "'")
