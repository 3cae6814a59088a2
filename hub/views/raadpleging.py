"""Lookups in the loket as audit records: who searched or viewed which child, when, found or not."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from hub.events.fields import Pseudonym
from hub.views.wire import Headers, ViewDecodeError

SCHEMA = "hub.raadpleging.v1"
#: Header that tells a lookup from a disclosure on the shared audit topic.
SCHEMA_HEADER = "hub-schema"


class Handeling(StrEnum):
    """What the professional did."""

    ZOEKEN = "zoeken"
    INZIEN = "inzien"
    ACTIE = "actie"


class Raadpleging(BaseModel):
    """One lookup; keyed on the audit topic by the audience pseudonym, like a disclosure."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal["hub.raadpleging.v1"] = "hub.raadpleging.v1"
    handeling: Handeling
    audience: str = Field(description="The organisation's audience (whose view was read).")
    organisation: str = Field(description="The organisation claim of the professional.")
    user: str = Field(description="Pseudonymous id of the professional (never a name).")
    subject: Pseudonym = Field(description="The audience pseudonym of the child.")
    gevonden: bool
    actie: str | None = Field(default=None, description="The event type of an action.")
    at: AwareDatetime


def encode(record: Raadpleging) -> tuple[bytes, bytes, Headers]:
    """(key, value, headers) on the audit topic."""
    headers: Headers = ((SCHEMA_HEADER, SCHEMA.encode()), ("content-type", b"application/json"))
    return record.subject.encode(), record.model_dump_json().encode(), headers


def is_raadpleging(headers: Headers) -> bool:
    """True when an audit record is a lookup (not a disclosure)."""
    return (SCHEMA_HEADER, SCHEMA.encode()) in headers


def decode(value: bytes | None) -> Raadpleging:
    """The lookup of a record's value."""
    if value is None:
        raise ViewDecodeError("lookup record without a value")
    try:
        return Raadpleging.model_validate_json(value)
    except ValidationError:
        raise ViewDecodeError("not a valid lookup record") from None
