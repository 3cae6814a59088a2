"""The adapter kit: what a partner's adapter is, and the helpers every adapter shares.

An adapter is a pure mapping at the partner's edge. It parses the partner's bytes into
records, and maps each record to contract events: validate, pseudonymise (the identity
never leaves the adapter), map, and drop every field no contract asks for. It does no I/O:
keys and the optional field cipher come in through `Context`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import ValidationError

from hub.adapters.fieldnames import report_name
from hub.adapters.report import Rejection
from hub.events import days
from hub.events.days import day_start as day_start  # the kit offers it to adapters
from hub.events.envelope import Event, Payload, event_id, new_event
from hub.events.errors import describe
from hub.events.fields import EncryptedText
from hub.events.guards import looks_like_bsn, normalise_digits
from hub.events.vocab import Partner
from hub.privacy.freetext import MaskRule, mask_free_text
from hub.privacy.identifiers import Identifier, InvalidIdentifier, parse_identifier
from hub.privacy.intake import IntakeError, IntakeSealer
from hub.privacy.keyring import KeyRing, KeyRingError
from hub.privacy.pseudonyms import HubPseudonym, hub_pseudonym, keyed_record_id

#: The identifier fields an adapter accepts, in order of preference.
IDENTIFIER_FIELDS: tuple[str, ...] = ("bsn", "onderwijsnummer")


class HubMisconfigured(RuntimeError):
    """The hub, not the record, is at fault (no pseudonym key): stop the ingest."""


class RecordRejected(Exception):
    """One record cannot become an event; `reason` is a code, `message` never holds a value."""

    def __init__(self, reason: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field

    def rejection(self, record: int) -> Rejection:
        """The rejection of record number `record`."""
        return Rejection(record=record, reason=self.reason, message=self.message, field=self.field)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One parsed source record: its 1-based number and its fields (names in lower case)."""

    number: int
    fields: Mapping[str, Any]


Pseudonymiser = Callable[[Identifier], HubPseudonym]
#: (partner, the partner's own record reference) -> the keyed source record id.
RecordKeyer = Callable[[str, str], str]


def keyring_pseudonymiser(ring: KeyRing) -> Pseudonymiser:
    """Pseudonymise under the ring's current regional key."""
    # Looked up once: a KeyRing never changes, and a missing key fails here, not per record.
    key = ring.pseudonym_key()

    def apply(identifier: Identifier) -> HubPseudonym:
        return hub_pseudonym(identifier, key)

    return apply


def keyring_record_keyer(ring: KeyRing) -> RecordKeyer:
    """Key record references under the ring's current regional key."""
    key = ring.pseudonym_key()

    def apply(partner: str, record: str) -> str:
        return keyed_record_id(partner, record, key)

    return apply


@dataclass(frozen=True)
class Context:
    """What an adapter needs besides the record: keys, the optional cipher, the organisation."""

    pseudonymiser: Pseudonymiser
    record_keyer: RecordKeyer
    cipher: IntakeSealer | None = None
    organisation: str = "regio"
    #: Today in Amsterdam: what a date in a note is compared with.
    today: Callable[[], dt.date] = days.today

    @classmethod
    def from_keyring(
        cls, ring: KeyRing, *, cipher: IntakeSealer | None = None, organisation: str = "regio"
    ) -> Context:
        """A context that pseudonymises with `ring`."""
        return cls(keyring_pseudonymiser(ring), keyring_record_keyer(ring), cipher, organisation)

    def source_id(self, partner: Partner | str, record: str) -> str:
        """The keyed source record id of the partner's own record reference `record`."""
        return self.record_keyer(Partner(partner).value, record)


@dataclass(frozen=True, slots=True)
class MaskedField:
    """A free-text field in which identities were masked: its name and the rules that fired."""

    field: str
    rules: tuple[MaskRule, ...]


@dataclass(frozen=True)
class Mapped:
    """What one record became: its events, the dropped fields and the masked free text."""

    events: list[Event[Any]]
    ignored: tuple[str, ...] = ()
    masked: tuple[MaskedField, ...] = ()


@dataclass(frozen=True, slots=True)
class Sealed:
    """Free text ready for the contract: encrypted (or None), and what was masked first."""

    value: EncryptedText | None
    masked: MaskedField | None = None


@runtime_checkable
class Adapter(Protocol):
    """One feed of one partner: bytes in, records out, each record to contract events."""

    @property
    def partner(self) -> Partner:
        """The partner whose records this adapter reads (and as whom it publishes)."""
        ...

    @property
    def feed(self) -> str:
        """The feed name in `/ingest/{partner}/{feed}` and `hub import PARTNER FEED`."""
        ...

    @property
    def system(self) -> str:
        """The source system, the last part of the events' `source`."""
        ...

    @property
    def description(self) -> str:
        """One sentence for listings and the docs."""
        ...

    def parse(self, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
        """Split the body into records; a record that cannot even be read is a Rejection."""
        ...

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        """The record's events; raise RecordRejected with a precise reason when it is bad."""
        ...


# -- helpers every adapter uses ----------------------------------------------------------------


def text(record: RawRecord, name: str) -> str | None:
    """The field as stripped text, None when absent or empty."""
    value = record.fields.get(name)
    if value is None:
        return None
    if isinstance(value, str):  # every CSV cell: skip the type checks below
        return value.strip() or None
    if isinstance(value, bool | dict | list):
        raise RecordRejected("invalid_field", f"{name}: must be a text or a number", name)
    stripped = str(value).strip()
    return stripped or None


def identity(record: RawRecord) -> Identifier:
    """The child's validated identifier: `bsn`, else `onderwijsnummer`; never echoed."""
    for kind in IDENTIFIER_FIELDS:
        raw = text(record, kind)
        if raw is None:
            continue
        try:
            return parse_identifier(kind, raw)
        except InvalidIdentifier as exc:
            # The message of InvalidIdentifier never repeats the number.
            raise RecordRejected(f"invalid_{kind}", str(exc), kind) from None
    raise RecordRejected(
        "missing_identifier", "bsn or onderwijsnummer is required (both are empty)", "bsn"
    )


def pseudonym(record: RawRecord, ctx: Context) -> HubPseudonym:
    """The hub pseudonym of the record's child."""
    try:
        return ctx.pseudonymiser(identity(record))
    except KeyRingError as exc:
        # A missing key is the hub's problem, not the record's: let it stop the ingest.
        raise HubMisconfigured(f"cannot pseudonymise: {exc}") from None


def parse_date(raw: str, name: str) -> dt.date:
    """A date as dd-mm-jjjj (also d-m-jjjj, with - / or .) or ISO jjjj-mm-dd."""
    cleaned = raw.strip().replace("/", "-").replace(".", "-")
    parts = cleaned.split("-")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            year, month, day = (int(p) for p in parts)
        elif len(parts) == 3 and len(parts[2]) == 4:
            day, month, year = (int(p) for p in parts)
        else:
            raise ValueError
    except ValueError:
        raise RecordRejected(
            "invalid_date", f"{name}: expected a date as dd-mm-jjjj", name
        ) from None
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise RecordRejected(
            "invalid_date",
            f"{name}: not a calendar date (day {day} of month {month} does not exist)",
            name,
        ) from None


#: Words of letters (a name may hold `'`, `-`, `.` and `,`), no digit, no code-like character.
_NAME_LIKE = re.compile(r"^[^\W\d_]+(?:[ '\-.,]+[^\W\d_]*)*$")
_TITLE_WORD = re.compile(r"(?:^|[ '\-])[^\W\d_a-z][^\W\d_A-Z]")


def looks_like_name(text: str) -> bool:
    """True for letters in words that read as a name: `Sanne`, `Jan de Vries`, `de Vries, J.`.

    A code of lower-case letters (`tz-b`) or capitals (`LRV`) is no name; a digit never is.
    """
    stripped = text.strip()
    if not _NAME_LIKE.match(stripped):
        return False
    return " " in stripped or _TITLE_WORD.search(stripped) is not None


_BRIN_VESTIGING = re.compile(r"^([0-9]{2}[A-Za-z]{2})(?:[0-9]{2})?$")


def organisation_id(raw: str) -> str:
    """The organisation id for `source`: a school is its BRIN (`12ab00` -> `12AB`), others as is.

    One school must be one organisation in every feed, whether a record names its vestiging or
    not; the vestiging travels in the data where the contract has it.
    """
    text = raw.strip()
    school = _BRIN_VESTIGING.match(text)
    return school.group(1).upper() if school else text


def record_ref(record: RawRecord, name: str = "record_id") -> str:
    """The partner's own record id, checked to be a usable, non-identifying reference."""
    raw = text(record, name)
    if raw is None:
        raise RecordRejected("missing_record_id", f"{name}: is required (your own record id)", name)
    # Checked in normal form: full-width digits and separators are still a BSN.
    if looks_like_bsn(raw):
        raise RecordRejected(
            "identifier_in_record_id",
            f"{name}: looks like a BSN; use your system's own record number",
            name,
        )
    if looks_like_name(normalise_digits(raw)):
        raise RecordRejected(
            "name_in_record_id",
            f"{name}: looks like a person's name (words, no digit); use your system's own "
            "record number",
            name,
        )
    if len(raw) > 100 or any(c in raw for c in "\x00\x1f\n\r"):
        raise RecordRejected(
            "invalid_record_id", f"{name}: at most 100 characters on one line", name
        )
    return raw


def seal(ctx: Context, plaintext: str | None, *, child: str, eid: str, name: str) -> Sealed:
    """Free text masked (other people's identities) and sealed to the hub's intake key.

    Every adapter's free text goes through here: a number passing the 11-proef, an
    onderwijsnummer, a postcode with house number or a birth-like date becomes `[verwijderd]`
    before encryption (`hub.privacy.freetext`), and the rules that fired are reported.
    """
    if plaintext is None or not plaintext.strip() or ctx.cipher is None:
        return Sealed(None)
    clean = mask_free_text(plaintext.strip(), ctx.today())
    try:
        value = ctx.cipher.encrypt(clean.text, child=child, event_id=eid, field=name)
    except IntakeError as exc:
        raise RecordRejected("unencryptable_text", f"{name}: {exc}", name) from None
    return Sealed(value, MaskedField(name, clean.rules) if clean.rules else None)


def encrypt(
    ctx: Context, plaintext: str | None, *, child: str, eid: str, name: str
) -> EncryptedText | None:
    """`seal` without the report of what was masked (the masking itself still happens)."""
    return seal(ctx, plaintext, child=child, eid=eid, name=name).value


def build_event(
    model: type[Payload],
    data: Mapping[str, Any],
    *,
    partner: Partner,
    system: str,
    ctx: Context,
    organisation: str | None,
    source_record_id: str,
    subject: HubPseudonym,
    time: dt.datetime,
) -> Event[Any]:
    """Validate `data` against `model` and wrap it; RecordRejected lists what is wrong.

    `source_record_id` is the partner's own reference; the event id is made from its keyed form.
    """
    try:
        payload = model.model_validate(dict(data))
        return new_event(
            payload,
            partner=partner,
            organisation=organisation or ctx.organisation,
            system=system,
            source_record_id=ctx.source_id(partner, source_record_id),
            subject=subject.value,
            pseudonymkid=subject.kid,
            time=time,
        )
    except ValidationError as exc:
        problems = describe(exc)
        first = problems[0].split(":", 1)[0] if problems else None
        raise RecordRejected("invalid_field", "; ".join(problems), first) from None


def eid_for(ctx: Context, partner: Partner, source_record_id: str, model: type[Payload]) -> str:
    """The deterministic id the event of this record will get (needed before encryption)."""
    return event_id(partner, ctx.source_id(partner, source_record_id), model.event_type)


def safe_name(name: str) -> str:
    """A dropped field's name fit for a report: as sent when field-like, else `NOT_SHOWN`."""
    return report_name(name)


class BaseAdapter:
    """Convenience base: subclasses set the class variables and implement `parse` and `map`."""

    partner: ClassVar[Partner]
    feed: ClassVar[str]
    system: ClassVar[str] = "bron"
    description: ClassVar[str] = ""
