"""The CloudEvents 1.0 envelope around every contract payload, and the payload base class."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hub.events.fields import KeyId, Pseudonym
from hub.events.guards import identifier_message
from hub.events.sensitivity import SensitiveValue, Sensitivity
from hub.events.vocab import Partner

#: Where the JSON Schemas of `contracts/schemas/` are published; `dataschema` points here.
SCHEMA_BASE = "https://contracts.onderwijsjeugd.nl/schemas/"

#: Namespace of the deterministic event ids (UUIDv5); never change it within a major version.
EVENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://contracts.onderwijsjeugd.nl/events")

#: `type`: reverse-DNS under nl.onderwijsjeugd, ending in the major version.
EventType = Annotated[
    str,
    StringConstraints(
        pattern=r"^nl\.onderwijsjeugd(\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$", max_length=128
    ),
]

#: `source`: /partners/<partner>/<organisation id>/<system>, a URI-reference.
Source = Annotated[
    str,
    StringConstraints(
        pattern=r"^/partners/[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[a-z0-9][a-z0-9._-]{0,31}$"
    ),
]

EventId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]


#: Field value types that hold no text: the guard returns at once for them.
_TEXTLESS: frozenset[type] = frozenset(
    {type(None), bool, int, float, dt.date, dt.datetime, dt.time, dt.timedelta}
)

_COLLECTIONS = (tuple, list, frozenset, set)


def _reject_bsn(value: Any) -> None:
    """Raise a validation error when a string in `value` looks like a BSN."""
    # Exact type lookups first: this runs for every field of every event decoded.
    if type(value) in _TEXTLESS or isinstance(value, Enum):
        return  # enum values are fixed
    if isinstance(value, str):
        message = identifier_message(value)
        if message is not None:
            raise PydanticCustomError("identifier_like", message)
    elif isinstance(value, BaseModel):
        if not isinstance(value, Part):  # a Part runs its own guard on its fields
            # Shared wire shapes (EncryptedText) are not Parts: guard their strings here.
            for item in value.__dict__.values():
                _reject_bsn(item)
    elif isinstance(value, _COLLECTIONS):
        for item in value:
            _reject_bsn(item)


class Part(BaseModel):
    """A frozen, closed model whose string fields can never carry a BSN-looking number."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_bsn(cls, value: Any) -> Any:
        _reject_bsn(value)
        return value


class Payload(Part):
    """The `data` of one event type; subclasses set the class variables and register."""

    #: The CloudEvents `type` this payload travels under.
    event_type: ClassVar[str]
    #: Partners allowed to produce this type (checked against the envelope's `partner`).
    producers: ClassVar[frozenset[Partner]]
    #: A valid example of the data, used for the committed examples and tests.
    example: ClassVar[dict[str, Any]]
    #: Special categories (AVG art. 9) every event of the type carries; the policy derives
    #: from it who may receive the type.
    sensitivity: ClassVar[frozenset[Sensitivity]] = frozenset()
    #: Field values that make one event carry a special category (a signal about health).
    sensitive_values: ClassVar[tuple[SensitiveValue, ...]] = ()

    def producer_problem(self, partner: Partner) -> str | None:
        """Why `partner` may not send this particular data (beyond `producers`), or None."""
        return None


DataT = TypeVar("DataT", bound=Payload)


def schema_uri(event_type: str) -> str:
    """The `dataschema` URI of an event type."""
    return f"{SCHEMA_BASE}{event_type}.json"


def source_for(partner: Partner, organisation: str, system: str) -> str:
    """The `source` of a partner system, e.g. `/partners/school/12AB/las`."""
    return f"/partners/{partner.value}/{organisation}/{system}"


def event_id(partner: Partner, source_record_id: str, event_type: str) -> str:
    """The deterministic id: the same source record of the same type is the same event."""
    if not source_record_id:
        raise ValueError("source_record_id must not be empty")
    message = identifier_message(source_record_id)
    if message is not None:
        # A UUIDv5 over a BSN could be reversed by trying all 10^9 numbers.
        raise ValueError("source_record_id " + message)
    name = f"{Partner(partner).value}\x1f{source_record_id}\x1f{event_type}"
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, name))


class Event(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 event (structured form) whose `data` is a typed contract payload."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    specversion: Literal["1.0"] = "1.0"
    id: EventId = Field(description="Deterministic: event_id(partner, source record id, type).")
    source: Source = Field(description="/partners/<partner>/<organisation id>/<system>.")
    type: EventType = Field(description="Reverse-DNS event type ending in its major version.")
    time: AwareDatetime = Field(description="When the fact happened at the source (tz-aware).")
    subject: Pseudonym = Field(description="The child's pseudonym; never an identity.")
    dataschema: str = Field(
        description="URI of the JSON Schema of `data`.", json_schema_extra={"format": "uri"}
    )
    datacontenttype: Literal["application/json"] = "application/json"
    partner: Partner = Field(description="Extension: the partner that produced the event.")
    pseudonymkid: KeyId = Field(description="Extension: key id of the pseudonym in `subject`.")
    data: DataT

    @field_validator("id", "source", "pseudonymkid")
    @classmethod
    def _no_bsn(cls, value: str) -> str:
        _reject_bsn(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Event[DataT]:
        expected = getattr(type(self.data), "event_type", None)
        if expected is not None and self.type != expected:
            raise PydanticCustomError(
                "type_mismatch",
                "type {type} does not match the data model of {expected}",
                {"type": self.type, "expected": expected},
            )
        if self.dataschema != schema_uri(self.type):
            raise PydanticCustomError(
                "dataschema_mismatch",
                "dataschema must be {uri} for this type",
                {"uri": schema_uri(self.type)},
            )
        if self.source.split("/")[2] != self.partner.value:
            raise PydanticCustomError(
                "source_partner_mismatch",
                "source must start with /partners/{partner}/ for partner {partner}",
                {"partner": self.partner.value},
            )
        producers = getattr(type(self.data), "producers", None)
        if producers is not None and self.partner not in producers:
            raise PydanticCustomError(
                "partner_not_producer",
                "partner {partner} may not produce {type} (producers: {allowed})",
                {
                    "partner": self.partner.value,
                    "type": self.type,
                    "allowed": ", ".join(sorted(p.value for p in producers)),
                },
            )
        if isinstance(self.data, Payload):
            problem = self.data.producer_problem(self.partner)
            if problem is not None:
                raise PydanticCustomError("partner_not_producer", problem)
        return self


def new_event(
    data: DataT,
    *,
    partner: Partner,
    organisation: str,
    system: str,
    source_record_id: str,
    subject: str,
    pseudonymkid: str,
    time: dt.datetime,
) -> Event[DataT]:
    """Wrap `data` in its envelope with the deterministic id, the type and the dataschema."""
    event_type = type(data).event_type
    model: type[Event[DataT]] = Event.__class_getitem__(type(data))  # type: ignore[assignment]
    return model.model_validate(
        {
            "id": event_id(partner, source_record_id, event_type),
            "source": source_for(partner, organisation, system),
            "type": event_type,
            "time": time,
            "subject": subject,
            "dataschema": schema_uri(event_type),
            "partner": partner,
            "pseudonymkid": pseudonymkid,
            "data": data,
        }
    )


def partners(*names: Partner | str) -> frozenset[Partner]:
    """A frozenset of partners, for `producers`."""
    return frozenset(Partner(n) for n in names)
