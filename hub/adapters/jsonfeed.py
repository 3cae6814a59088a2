"""JSON input (one object, an array of objects, or JSON lines) and the declarative JSON feed."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from hub.adapters.kit import (
    IDENTIFIER_FIELDS,
    Context,
    Mapped,
    MaskedField,
    RawRecord,
    RecordRejected,
    build_event,
    day_start,
    eid_for,
    organisation_id,
    parse_date,
    pseudonym,
    record_ref,
    safe_name,
    seal,
)
from hub.adapters.report import Rejection
from hub.events.envelope import Payload
from hub.events.fields import EncryptedText
from hub.events.vocab import Partner

#: Fields every JSON record may carry besides the contract's facts.
ENVELOPE_FIELDS: frozenset[str] = frozenset(
    {*IDENTIFIER_FIELDS, "record_id", "organisatie", "tijdstip"}
)

#: Which date field gives an event its `time`, in order of preference.
TIME_FIELDS: tuple[str, ...] = (
    "datum",
    "sinds",
    "ziek_vanaf",
    "hersteld_op",
    "ingangsdatum",
    "van",
)

#: Turns extra source fields into contract fields (e.g. geboortedatum -> geboortejaar);
#: returns the new fields and the names of the source fields it consumed.
Derive = Callable[[RawRecord], tuple[dict[str, Any], frozenset[str]]]


def _decode(body: bytes) -> str | Rejection:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(
            record=0,
            reason="encoding",
            message=f"body is not UTF-8 (invalid byte at position {exc.start}); send UTF-8 JSON",
        )


def _lower(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in obj.items()}


def _object(value: Any, number: int) -> RawRecord | Rejection:
    if not isinstance(value, dict):
        return Rejection(
            record=number,
            reason="not_an_object",
            message=f"record {number}: expected a JSON object, got {type(value).__name__}",
        )
    return RawRecord(number, _lower(value))


def parse_json(body: bytes, content_type: str = "") -> Iterator[RawRecord | Rejection]:
    """Records of a JSON body: one object, an array of objects, or one object per line."""
    text = _decode(body)
    if isinstance(text, Rejection):
        yield text
        return
    stripped = text.strip()
    if not stripped:
        yield Rejection(record=0, reason="empty_body", message="the body holds no records")
        return
    if "ndjson" not in content_type and "jsonl" not in content_type:
        try:
            whole = json.loads(stripped)
        except RecursionError:
            yield Rejection(record=0, reason="invalid_json", message="JSON nested too deeply")
            return
        except json.JSONDecodeError:
            whole = None
        else:
            if isinstance(whole, list):
                for number, item in enumerate(whole, start=1):
                    yield _object(item, number)
                return
            yield _object(whole, 1)
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            yield Rejection(
                record=number, reason="invalid_json", message=f"line {number}: nested too deeply"
            )
            continue
        except json.JSONDecodeError as exc:
            yield Rejection(
                record=number,
                reason="invalid_json",
                message=f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})",
            )
            continue
        yield _object(value, number)


def _args(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return (annotation,)


def _is_date(annotation: Any) -> bool:
    return dt.date in _args(annotation)


def _is_encrypted(annotation: Any) -> bool:
    return EncryptedText in _args(annotation)


def geboortejaar(record: RawRecord) -> tuple[dict[str, Any], frozenset[str]]:
    """Only the year of a birth date travels (for the 18 and 23 year limits)."""
    raw = record.fields.get("geboortedatum")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}, frozenset({"geboortedatum"})
    if not isinstance(raw, str):
        raise RecordRejected(
            "invalid_date", "geboortedatum: expected a date as dd-mm-jjjj", "geboortedatum"
        )
    year = parse_date(raw, "geboortedatum").year
    return {"geboortejaar": year}, frozenset({"geboortedatum", "geboortejaar"})


class JsonFeed:
    """A feed whose JSON records carry the contract's facts under the contract's field names.

    Besides the facts a record has `record_id` (the partner's own id), `bsn` or
    `onderwijsnummer`, and optionally `organisatie` and `tijdstip`. Dates may be ISO or
    dd-mm-jjjj; free-text fields of the contract are encrypted (or dropped without a cipher);
    every other field is dropped and named in the report.
    """

    formats: ClassVar[tuple[str, ...]] = ("application/json", "application/x-ndjson")

    def __init__(
        self,
        partner: Partner,
        feed: str,
        model: type[Payload],
        *,
        system: str,
        description: str,
        derive: Derive | None = None,
        organisation_from: tuple[str, ...] = (),
        example: dict[str, Any] | None = None,
    ) -> None:
        self.partner = partner
        self.feed = feed
        self.model = model
        self.system = system
        self.description = description
        if derive is None and "geboortejaar" in model.model_fields:
            derive = geboortejaar  # a source sends a birth date; only its year may travel
        self._derive = derive
        self._organisation_from = organisation_from
        # Facts that differ from the contract's example for this partner (e.g. a status).
        self._example = example or {}

    def __repr__(self) -> str:
        return f"JsonFeed({self.partner.value}/{self.feed} -> {self.model.event_type})"

    def examples(self) -> list[dict[str, Any]]:
        """A valid input record, made from the contract's example (a made-up BSN)."""
        record: dict[str, Any] = {"record_id": f"{self.feed}-0001", "bsn": "123456782"}
        for name, value in {**self.model.example, **self._example}.items():
            info = self.model.model_fields[name]
            record[name] = "vrije tekst van de bron" if _is_encrypted(info.annotation) else value
        if self._derive is not None and "geboortejaar" in record:
            year = record.pop("geboortejaar")
            record["geboortedatum"] = f"14-03-{year}"
        return [record]

    def parse(self, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
        """JSON object, array or lines."""
        return parse_json(body, content_type)

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        """One event of the feed's contract per record."""
        ref = record_ref(record)
        subject = pseudonym(record, ctx)
        eid = eid_for(ctx, self.partner, ref, self.model)
        fields = self.model.model_fields
        data: dict[str, Any] = {}
        consumed: frozenset[str] = frozenset()
        if self._derive is not None:
            derived, consumed = self._derive(record)
            data.update(derived)
        ignored: list[str] = []
        masked: list[MaskedField] = []
        for name, value in record.fields.items():
            if name in ENVELOPE_FIELDS or name in consumed:
                continue
            info = fields.get(name)
            if info is None:
                ignored.append(safe_name(name))
                continue
            if value is None:
                continue
            if _is_encrypted(info.annotation):
                if not isinstance(value, str):
                    raise RecordRejected("invalid_field", f"{name}: must be a text", name)
                sealed = seal(ctx, value, child=subject.value, eid=eid, name=name)
                data[name] = sealed.value
                if sealed.masked is not None:
                    masked.append(sealed.masked)
            elif _is_date(info.annotation) and isinstance(value, str):
                data[name] = parse_date(value, name)
            else:
                data[name] = value
        data = {k: v for k, v in data.items() if v is not None}
        try:
            time = self._time(record, data)
        except RecordRejected:
            # A bad date field explains a missing time better than "missing time" does.
            build_event(
                self.model,
                data,
                partner=self.partner,
                system=self.system,
                ctx=ctx,
                organisation=None,
                source_record_id=ref,
                subject=subject,
                time=day_start(dt.date(2000, 1, 1)),
            )
            raise
        event = build_event(
            self.model,
            data,
            partner=self.partner,
            system=self.system,
            ctx=ctx,
            organisation=self._organisation(record),
            source_record_id=ref,
            subject=subject,
            time=time,
        )
        return Mapped([event], tuple(ignored), tuple(masked))

    def _organisation(self, record: RawRecord) -> str | None:
        raw = record.fields.get("organisatie")
        if isinstance(raw, str) and raw.strip():
            return organisation_id(raw)
        parts = [record.fields.get(n) for n in self._organisation_from]
        if parts and isinstance(parts[0], str) and parts[0].strip():
            return organisation_id("".join(str(p).strip() for p in parts if p))
        return None

    def _time(self, record: RawRecord, data: Mapping[str, Any]) -> dt.datetime:
        raw = record.fields.get("tijdstip")
        if isinstance(raw, str) and raw.strip():
            try:
                moment = dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise RecordRejected(
                    "invalid_time",
                    "tijdstip: expected an ISO 8601 date-time with a time zone",
                    "tijdstip",
                )
            return moment
        for name in TIME_FIELDS:
            value = data.get(name)
            if isinstance(value, dt.date):
                return day_start(value)
        raise RecordRejected(
            "missing_time",
            f"a date field ({', '.join(n for n in TIME_FIELDS if n in self.model.model_fields)}) "
            "or tijdstip is required",
            None,
        )
