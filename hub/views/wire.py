"""View records on Kafka: CloudEvents binary mode (`ce_` headers, JSON data), key = subject."""

from __future__ import annotations

import json
from collections.abc import Iterable

from pydantic import ValidationError

from hub.bus.cloudevents import ATTRIBUTES
from hub.views.audit import AuditRecord
from hub.views.project import ViewEvent

#: Context attributes and extensions of a view record, in header order.
VIEW_ATTRIBUTES = (*(a for a in ATTRIBUTES if a != "specversion"), "audience", "policyversion")
SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = tuple[tuple[str, bytes], ...]


class ViewDecodeError(ValueError):
    """A record that is not a view record; the message never repeats a value."""


def _json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def encode_view(view: ViewEvent) -> tuple[bytes, bytes, Headers]:
    """(key, value, headers) of a view record: key = the audience pseudonym."""
    wire = view.model_dump(mode="json")
    headers = [("ce_specversion", SPECVERSION.encode())]
    headers += [(f"ce_{name}", str(wire[name]).encode()) for name in VIEW_ATTRIBUTES]
    headers.append(("content-type", CONTENT_TYPE.encode()))
    return view.subject.encode(), _json(wire["data"]), tuple(headers)


def decode_view(
    key: bytes | None, value: bytes | None, headers: Iterable[tuple[str, bytes]]
) -> ViewEvent:
    """The view event of a record (what a subscriber does with its Kafka consumer)."""
    found = {name[3:]: raw.decode() for name, raw in headers if name.startswith("ce_")}
    if value is None:
        raise ViewDecodeError("view record without a value")
    try:
        view = ViewEvent.model_validate(
            {
                **{name: found.get(name) for name in VIEW_ATTRIBUTES},
                "data": json.loads(value),
            }
        )
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError):
        raise ViewDecodeError("not a valid view record") from None
    if key != view.subject.encode():
        raise ViewDecodeError("key must be the subject (the audience pseudonym)")
    return view


def encode_audit(record: AuditRecord) -> tuple[bytes, bytes, Headers]:
    """(key, value, headers) of an audit record: key = the audience pseudonym, JSON value."""
    headers: Headers = (("ce_id", record.view_id.encode()), ("content-type", b"application/json"))
    return record.subject.encode(), record.model_dump_json().encode(), headers


def decode_audit(value: bytes | None) -> AuditRecord:
    """The audit record of a record's value."""
    if value is None:
        raise ViewDecodeError("audit record without a value")
    try:
        return AuditRecord.model_validate_json(value)
    except ValidationError:
        raise ViewDecodeError("not a valid audit record") from None
