"""Adapters that break the rules, to prove the conformance kit catches each kind of fault."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

from hub.adapters.jsonfeed import parse_json
from hub.adapters.kit import Context, Mapped, RawRecord, day_start, identity, pseudonym
from hub.adapters.report import Rejection
from hub.events.envelope import new_event
from hub.events.jgz import MazlConsultGehouden
from hub.events.vocab import Partner

EXAMPLE = {"record_id": "c-1", "bsn": "123456782", "datum": "2026-11-26"}


class _Base:
    partner: ClassVar[Partner] = Partner.JGZ
    feed: ClassVar[str] = "kapot"
    system: ClassVar[str] = "test"
    description: ClassVar[str] = "A broken adapter."

    def examples(self) -> list[dict[str, Any]]:
        return [dict(EXAMPLE)]

    def parse(self, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
        return parse_json(body, content_type)

    def _event(self, record: RawRecord, subject: str, kid: str, ref: str, org: str) -> Mapped:
        data = MazlConsultGehouden(datum=dt.date(2026, 11, 26), terugkoppeling_school=True)
        event = new_event(
            data,
            partner=self.partner,
            organisation=org,
            system=self.system,
            source_record_id=ref,
            subject=subject,
            pseudonymkid=kid,
            time=day_start(dt.date(2026, 11, 26)),
        )
        return Mapped([event])


class RandomIds(_Base):
    """Makes a new event id every time."""

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        subject = pseudonym(record, ctx)
        return self._event(record, subject.value, subject.kid, uuid.uuid4().hex, "org")


class UnkeyedHash(_Base):
    """Uses a plain SHA-256 of the BSN as subject: anyone can recompute it."""

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        digest = hashlib.sha256(identity(record).typed().encode()).hexdigest()
        return self._event(record, digest, "none.v1", str(record.fields["record_id"]), "org")


class UnkeyedIds(_Base):
    """Keyed subject, but the event id is a plain hash of the partner's record id."""

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        subject = pseudonym(record, ctx)
        return self._event(record, subject.value, subject.kid, "c-1", "org")


class NameInSource(_Base):
    """Puts the child's name into the events' source."""

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        subject = pseudonym(record, ctx)
        org = str(record.fields.get("naam", "org")).split(" ")[0].strip(",") or "org"
        return self._event(record, subject.value, subject.kid, "ref-1", org)


class Crashes(_Base):
    """Indexes fields without checking them."""

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        subject = pseudonym(record, ctx)
        ref = str(record.fields["record_id"])[0:10]
        dt.date.fromisoformat(str(record.fields["datum"]))
        return self._event(record, subject.value, subject.kid, ref, "org")


ADAPTERS = (RandomIds(),)
