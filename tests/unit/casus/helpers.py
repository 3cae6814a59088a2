"""Building contract events and running the casus transition over them, for casus tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from hub.casus.config import CasusConfig
from hub.casus.lesweken import Schoolkalender
from hub.casus.state import CasusState
from hub.casus.transition import Input, Tick, Uit, transition
from hub.events.envelope import Event, Payload, new_event
from hub.events.vocab import Partner

D = dt.date.fromisoformat
GEEN_VAKANTIE = Schoolkalender()
CONFIG = CasusConfig(kalender=GEEN_VAKANTIE)


def kind(seed: str = "kind-a") -> str:
    """A made-up hub pseudonym."""
    return hashlib.sha256(seed.encode()).hexdigest()


def at(day: str, hour: int = 9) -> dt.datetime:
    """A moment on `day`, in UTC."""
    return dt.datetime.combine(D(day), dt.time(hour), tzinfo=dt.UTC)


def ev(
    data: Payload, partner: Partner | str, record: str, day: str, child: str | None = None
) -> Event[Any]:
    """A contract event of `partner` about `child`, from source record `record`, on `day`."""
    return new_event(
        data,
        partner=Partner(partner),
        organisation="org1",
        system="sys",
        source_record_id=record,
        subject=child or kind(),
        pseudonymkid="hk-1",
        time=at(day),
    )


def tick(day: str) -> Tick:
    """A tick at 06:00 UTC on `day`."""
    return Tick(at(day, 6))


def run(
    inputs: Iterable[Input],
    state: CasusState | None = None,
    config: CasusConfig = CONFIG,
) -> tuple[CasusState | None, list[Uit]]:
    """Apply the inputs in order; return the final state and every output."""
    outputs: list[Uit] = []
    for inp in inputs:
        state, out = transition(state, inp, config)
        outputs += out
    return state, outputs


def short(outputs: Iterable[Uit]) -> list[str]:
    """The output kinds, e.g. ['geopend', 'match_gevonden']."""
    return [".".join(u.data.event_type.split(".")[3:-1]) for u in outputs]
