"""CloudFormation YAML short tags and a resolver for the intrinsic functions a SAM template uses.

The resolver knows the local physical names and ARNs of the template's resources; the deployment
passes real values (queue URLs, stream ARNs) once moto has created them.
"""

import base64
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

PSEUDO_ACCOUNT = "123456789012"  # moto's default account
LOCAL_STACK_NAME = "socialcare-local"  # what AWS::StackName resolves to locally


class CfnError(ValueError):
    """The template uses something the local runtime cannot resolve; the message says what."""


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads !Ref, !GetAtt, !Sub, ... into their long forms ({"Fn::Sub": ...})."""


def _construct_tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":  # !GetAtt Table.StreamArn is short for [Table, StreamArn]
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    key = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    return {key: value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader
    if not isinstance(document, dict) or "Resources" not in document:
        raise CfnError(f"{path}: not a CloudFormation template (no Resources)")
    return document


def parameter_values(template: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    """Parameter defaults with `overrides` applied, checked as CloudFormation checks them."""
    declared = template.get("Parameters") or {}
    unknown = set(overrides) - set(declared)
    if unknown:
        raise CfnError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name not in overrides and "Default" not in spec:
            continue  # an error only if something refers to it
        value = str(overrides.get(name, spec.get("Default")))
        _check_parameter(name, value, spec)
        is_list = spec.get("Type", "").startswith(("List<", "CommaDelimitedList"))
        values[name] = value.split(",") if is_list else value
    return values


def _check_parameter(name: str, value: str, spec: dict[str, Any]) -> None:
    # The checks CloudFormation makes before deploying, so a local run fails the same way.
    allowed = spec.get("AllowedValues")
    if allowed and value not in [str(v) for v in allowed]:
        raise CfnError(f"parameter {name}={value!r} is not one of {allowed}")
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
        reason = spec.get("ConstraintDescription", f"must match {spec['AllowedPattern']}")
        raise CfnError(f"parameter {name}={value!r}: {reason}")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            raise CfnError(f"parameter {name}={value!r} must be a number") from None
        if not float(spec.get("MinValue", number)) <= number <= float(spec.get("MaxValue", number)):
            raise CfnError(
                f"parameter {name}={value!r} is outside [{spec.get('MinValue')}, {spec.get('MaxValue')}]"
            )


_NO_VALUE = object()  # AWS::NoValue: the enclosing key or list item disappears
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


class Resolver:
    """Evaluates intrinsic functions against parameters, conditions and known resource values."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any],
        *,
        region: str,
        account_id: str = PSEUDO_ACCOUNT,
        stack_name: str = LOCAL_STACK_NAME,
        ref: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
    ) -> None:
        self._template = template
        self._parameters = parameters
        self._ref, self._get_att = ref, get_att
        self._pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }
        self._region = region

    def resolve(self, value: Any) -> Any:
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def condition(self, name: str) -> bool:
        conditions = self._template.get("Conditions") or {}
        if name not in conditions:
            raise CfnError(f"unknown condition {name!r}")
        return bool(self._resolve(conditions[name]))

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        if name in (self._template.get("Parameters") or {}):
            raise CfnError(f"parameter {name!r} has no Default and no value was given")
        return self._ref(name)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = (self._resolve(item) for item in value)
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self._function(key[4:], arg)
        resolved = {key: self._resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}

    def _function(self, name: str, arg: Any) -> Any:
        if name == "If":  # only the chosen branch is resolved, as in CloudFormation
            condition, when_true, when_false = arg
            return self._resolve(when_true if self.condition(condition) else when_false)
        if name == "GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
            return self._get_att(logical_id, self._resolve(attribute))
        if name == "Sub":
            return self._sub(arg)
        arg = self._resolve(arg)
        if name == "Equals":
            return str(arg[0]) == str(arg[1])
        if name == "Not":
            return not arg[0]
        if name == "And":
            return all(arg)
        if name == "Or":
            return any(arg)
        if name == "Join":
            return str(arg[0]).join(str(item) for item in arg[1])
        if name == "Select":
            return arg[1][int(arg[0])]
        if name == "Split":
            return str(arg[1]).split(arg[0])
        if name == "FindInMap":
            return self._template["Mappings"][arg[0]][arg[1]][arg[2]]
        if name == "Base64":
            return base64.b64encode(str(arg).encode()).decode()
        if name == "GetAZs":
            return [f"{self._region}{zone}" for zone in "abc"]
        raise CfnError(f"Fn::{name} is not supported by the local runtime")

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self._resolve(arg[1]))

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):  # ${!Literal} stays as ${Literal}
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._get_att(*name.split(".", 1)))
            return str(self.ref(name))

        return _SUB_VAR.sub(substitute, text)
