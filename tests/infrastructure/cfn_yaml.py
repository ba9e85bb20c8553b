"""Load CloudFormation/SAM YAML templates, short-form intrinsic functions included.

``yaml.safe_load`` rejects ``!Ref``, ``!GetAtt``, ``!Sub`` and the other short tags. This loader turns
each of them into the long JSON form CloudFormation itself uses, so tests can compare plain data:

    !Ref Table            -> {"Ref": "Table"}
    !GetAtt Table.Arn     -> {"Fn::GetAtt": ["Table", "Arn"]}
    !Sub "arn:${X}"       -> {"Fn::Sub": "arn:${X}"}
    !If [Cond, a, b]      -> {"Fn::If": ["Cond", a, b]}
    !Condition Cond       -> {"Condition": "Cond"}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["CfnLoader", "load_template", "loads"]

# Tags whose long form is not simply "Fn::<Tag>".
_LONG_NAMES = {"Ref": "Ref", "Condition": "Condition"}


class CfnLoader(yaml.SafeLoader):
    """A SafeLoader that understands CloudFormation's short-form intrinsic function tags."""


def _construct_intrinsic(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = _LONG_NAMES.get(tag_suffix, f"Fn::{tag_suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            # "Resource.Attribute" (the attribute may itself contain dots, e.g. Endpoint.Address)
            resource, _, attribute = str(value).partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        raise yaml.constructor.ConstructorError(
            None, None, f"unexpected node for !{tag_suffix}", node.start_mark
        )
    return {name: value}


CfnLoader.add_multi_constructor("!", _construct_intrinsic)


def loads(text: str) -> dict[str, Any]:
    """Parse a template from a string."""
    return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader


def load_template(path: str | Path) -> dict[str, Any]:
    """Parse a template file."""
    return loads(Path(path).read_text(encoding="utf-8"))
