"""Building valid example events for the tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from hub.events.envelope import Event, new_event
from hub.events.registry import payload_model
from hub.events.vocab import Partner

T0 = dt.datetime(2026, 11, 16, 8, 30, tzinfo=dt.UTC)


def pseudonym(seed: str) -> str:
    """A made-up 64-hex pseudonym."""
    return hashlib.sha256(seed.encode()).hexdigest()


def example_event(event_type: str, record: str = "rec-1") -> Event[Any]:
    """The example payload of `event_type` inside a valid envelope from its first producer."""
    model = payload_model(event_type)
    partner = sorted(model.producers, key=lambda p: list(Partner).index(p))[0]
    return new_event(
        model.model_validate(model.example),
        partner=partner,
        organisation="12AB" if partner is Partner.SCHOOL else "utrecht",
        system="las" if partner is Partner.SCHOOL else "zaak",
        source_record_id=record,
        subject=pseudonym(event_type),
        pseudonymkid="hub-2026-1",
        time=T0,
    )
