"""CloudEvents Kafka protocol binding, binary content mode: `ce_` headers, JSON data as value.

Per the binding (cloudevents/spec kafka-protocol-binding 1.0.2, section 3.2): every context
attribute and extension travels as a header `ce_<name>` with a UTF-8 string value,
`datacontenttype` as the `content-type` header, the data as the record value. The key is the
child's pseudonym (`subject`) so one child's events stay in order on one partition.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from hub.events.envelope import Event
from hub.events.errors import InvalidEvent, MissingHeader
from hub.events.registry import parse_event

PREFIX = "ce_"
CONTENT_TYPE = "content-type"
JSON = "application/json"

#: Context attributes and extensions carried as `ce_` headers, in this order.
ATTRIBUTES = (
    "specversion",
    "id",
    "source",
    "type",
    "time",
    "subject",
    "dataschema",
    "partner",
    "pseudonymkid",
)

#: Every header decode needs, in the order a missing one is reported.
_OURS = (*(PREFIX + name for name in ATTRIBUTES), CONTENT_TYPE)
_KNOWN = frozenset(_OURS)


@dataclass(frozen=True)
class KafkaRecord:
    """What goes to or comes from Kafka: key, value and headers."""

    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


class _ConsumedRecord(Protocol):
    key: bytes | None
    value: bytes | None
    headers: Any


def data_bytes(data: dict[str, Any]) -> bytes:
    """Deterministic compact JSON of the data (sorted keys, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def encode(event: Event[Any]) -> KafkaRecord:
    """The binary-mode Kafka record of `event`."""
    wire = event.model_dump(mode="json", exclude_none=True)
    headers = [(PREFIX + name, str(wire[name]).encode()) for name in ATTRIBUTES]
    headers.append((CONTENT_TYPE, event.datacontenttype.encode()))
    return KafkaRecord(
        key=event.subject.encode(), value=data_bytes(wire["data"]), headers=tuple(headers)
    )


def decode(
    key: bytes | None, value: bytes | None, headers: Iterable[tuple[str, bytes]]
) -> Event[Any]:
    """The event of a binary-mode record; MissingHeader, UnknownEventType or InvalidEvent."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for name, raw in headers:
        # Exact names first: the hub writes them in lower case; other spellings are rare.
        lowered = name if name in _KNOWN else name.lower()
        if lowered not in _KNOWN and not lowered.startswith(PREFIX):
            continue  # other headers (tracing) are not ours
        if lowered in found:
            problems.append(f"header {lowered}: appears more than once")
            continue
        try:
            found[lowered] = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError:
            problems.append(f"header {lowered}: is not UTF-8")
    missing = [name for name in _OURS if name not in found]
    if missing:
        raise MissingHeader([f"header {m}: is required but missing" for m in missing])
    if problems:
        raise InvalidEvent(problems)
    content_type = found.pop(CONTENT_TYPE)
    if content_type.split(";")[0].strip().lower() != JSON:
        raise InvalidEvent([f"header {CONTENT_TYPE}: must be {JSON} (binary mode)"])
    if value is None:
        raise InvalidEvent(["value: is empty; binary mode carries the data as the value"])
    try:
        data = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent([f"value: is not valid JSON ({exc.__class__.__name__})"]) from None
    envelope: dict[str, Any] = {name[len(PREFIX) :]: text for name, text in found.items()}
    envelope["datacontenttype"] = JSON
    envelope["data"] = data
    event = parse_event(envelope)
    if key != event.subject.encode():
        raise InvalidEvent(["key: must be the subject (the child's pseudonym)"])
    return event


def decode_record(record: _ConsumedRecord) -> Event[Any]:
    """Decode an aiokafka ConsumerRecord."""
    return decode(record.key, record.value, list(record.headers or ()))
