"""Comment text both ways: WordPress's rendered HTML to plain text, and a plain reply to the HTML
WordPress stores. No third-party parser: the standard library's HTMLParser, linear in the input."""

import html
import re
from html.parser import HTMLParser

# WordPress refuses a comment over 65,525 bytes (wp_check_comment_data_max_lengths counts bytes of
# the stored content, i.e. after the escaping below).
REPLY_LIMIT = 65_525
_BLOCKS = frozenset({"p", "br", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
_HIDDEN = frozenset({"script", "style", "template"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def as_stored(text: str) -> str:
    """The reply as WordPress will keep it: plain text, so <, > and & are escaped."""
    return html.escape(text, quote=False)


def reply_length(text: str) -> int:
    return len(as_stored(text).encode("utf-8"))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def plain_text(rendered: str) -> str:
    """Tags dropped (script and style with their content), entities unescaped, paragraphs kept."""
    parser = _Text()
    parser.feed(rendered)
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()
