"""Contract errors in words a partner developer understands, with the field path."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails


class ContractError(ValueError):
    """An event that does not satisfy its contract; `problems` lists `path: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class UnknownEventType(ContractError):
    """The `type` names no registered contract."""


class InvalidEvent(ContractError):
    """The envelope or the data does not validate against the contract of its type."""


class MissingHeader(ContractError):
    """A Kafka record lacks a required `ce_` header."""


#: A number is repeated only in this form: at most 4 digits (a BSN shifted into `lesuren` is not).
_SHOWN_NUMBER = re.compile(r"^-?[0-9]{1,4}(?:\.[0-9]{1,2})?$")


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shown_number(value: float) -> str:
    """A number as a message may repeat it: small ones as they are, others not at all."""
    text = _num(value)
    if _SHOWN_NUMBER.match(text) and len(text.replace("-", "").replace(".", "")) <= 4:
        return text
    return "a number not repeated here" if value >= 0 else "a negative number not repeated here"


def _got(value: Any) -> str:
    # Only small numbers and booleans are echoed: a string or a long number could be the very
    # identifier refused (a BSN shifted one column).
    if isinstance(value, bool):
        return f" (got {str(value).lower()})"
    if isinstance(value, int | float):
        return f" (got {shown_number(value)})"
    if isinstance(value, str):
        return f" (got a text of {len(value)} characters)"
    if value is None:
        return " (got null)"
    return f" (got {type(value).__name__})"


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not part of this contract (unknown field)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
        }[kind]
        return f"must be {words[0]} {_num(ctx[words[1]])}{_got(value)}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters{_got(value)}"
    if kind == "string_too_short":
        return f"must be at least {ctx['min_length']} characters{_got(value)}"
    if kind == "string_pattern_mismatch":
        return f"does not have the expected form (pattern {ctx['pattern']}){_got(value)}"
    if kind in ("too_long", "too_short"):
        return error["msg"].replace("List", "list").replace("Tuple", "list")
    if kind == "enum":
        return f"must be one of {ctx['expected']}{_got(value)}"
    if kind == "literal_error":
        return f"must be {ctx['expected']}{_got(value)}"
    if kind == "identifier_like" or kind.endswith("_mismatch") or kind == "partner_not_producer":
        return error["msg"]
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return error["msg"][0].lower() + error["msg"][1:] + _got(value)
    return error["msg"][0].lower() + error["msg"][1:]


def describe(exc: ValidationError) -> list[str]:
    """One line per error of `exc`: `path: what is wrong`, never repeating a string input."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = [str(p) for p in error["loc"]]
        # Generic parametrisation puts the model name in the path; a partner knows only `data`.
        loc = [p for p in loc if not p.startswith(("Event[", "function-"))]
        where = ".".join(loc) or "event"
        lines.append(f"{where}: {_message(error)}")
    return lines
