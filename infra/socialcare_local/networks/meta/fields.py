"""The Graph `fields` parameter: `id,message,comments.limit(5).filter(stream){id,from{id,name}}`.

Each selected field may carry modifiers (`.name(value)`) and a nested selection in braces.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    args: dict[str, str] = field(default_factory=dict)
    sub: tuple[Field, ...] | None = None  # None: the node type's default fields


class FieldsSyntaxError(ValueError):
    pass


def parse_fields(text: str) -> tuple[Field, ...]:
    parser = _Parser(text)
    fields = parser.fields()
    if parser.pos != len(text):
        raise parser.error("Expected end of string")
    return fields


class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def error(self, what: str) -> FieldsSyntaxError:
        return FieldsSyntaxError(f'Syntax error "{what}" at character {self.pos}: {self.text}')

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_spaces()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def name(self) -> str:
        self.skip_spaces()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        if start == self.pos:
            raise self.error("Expected a field name")
        return self.text[start : self.pos]

    def fields(self) -> tuple[Field, ...]:
        found = [self.item()]
        while self.peek() == ",":
            self.pos += 1
            found.append(self.item())
        return tuple(found)

    def item(self) -> Field:
        name, args, sub = self.name(), {}, None
        while self.peek() == ".":
            self.pos += 1
            modifier = self.name()
            if self.peek() != "(":
                raise self.error('Expected "("')
            close = self.text.find(")", self.pos)
            if close < 0:
                raise self.error('Expected ")"')
            args[modifier] = self.text[self.pos + 1 : close].strip()
            self.pos = close + 1
        if self.peek() == "{":
            self.pos += 1
            sub = self.fields()
            if self.peek() != "}":
                raise self.error('Expected "}"')
            self.pos += 1
        return Field(name, args, sub)


def render_fields(fields: tuple[Field, ...]) -> str:
    """Back to text, for the `next` links of nested edges."""
    parts = []
    for f in fields:
        text = f.name + "".join(f".{k}({v})" for k, v in f.args.items())
        if f.sub is not None:
            text += "{" + render_fields(f.sub) + "}"
        parts.append(text)
    return ",".join(parts)
