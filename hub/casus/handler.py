"""The Kafka edge of the transition: records in, CloudEvents (binary mode) and tombstones out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from hub.bus import cloudevents
from hub.bus.handler import BadInput
from hub.bus.records import InRecord, Output
from hub.casus.config import CasusConfig
from hub.casus.state import CasusState
from hub.casus.topics import CasusTopics
from hub.casus.transition import NotForCasus, Tick, Uit, transition
from hub.events import casus as cs
from hub.events.envelope import Event, new_event
from hub.events.errors import ContractError, UnknownEventType
from hub.events.provenance import FORGED_PRODUCER, claim, forged_problem
from hub.events.vocab import Partner

SYSTEM = "casus"


def tick_value(now: dt.datetime) -> bytes:
    """The value of a tick record."""
    return json.dumps({"now": now.astimezone(dt.UTC).isoformat()}).encode()


def read_tick(value: bytes | None) -> Tick:
    """The tick of a tick record; BadInput when it is not one."""
    try:
        now = dt.datetime.fromisoformat(json.loads(value or b"")["now"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput("bad_tick", f"not a tick record ({type(exc).__name__})") from None
    if now.tzinfo is None:
        raise BadInput("bad_tick", "tick time without a time zone")
    return Tick(now)


def envelop(uit: Uit, state_kind: str, pseudonymkid: str, config: CasusConfig) -> Event[Any]:
    """The CloudEvent of one output; its id follows from (hub, cause + kind, type)."""
    return new_event(
        uit.data,
        partner=Partner.HUB,
        organisation=config.organisatie,
        system=SYSTEM,
        source_record_id=f"{uit.oorzaak}:{uit.soort}",
        subject=state_kind,
        pseudonymkid=pseudonymkid,
        time=uit.tijd,
    )


def decode_input(record: InRecord, topics: CasusTopics) -> Event[Any] | Tick:
    """The event or tick a record holds; BadInput (to the DLQ) when it holds neither."""
    if record.topic == topics.tick:
        return read_tick(record.value)
    event_type, partner = claim(record.headers)
    problem = forged_problem(record.topic, event_type, partner, prefix=topics.prefix)
    if problem is not None:
        raise BadInput(FORGED_PRODUCER, problem)
    try:
        event = cloudevents.decode(record.key, record.value, record.headers)
    except UnknownEventType as exc:
        raise BadInput("unknown_type", str(exc)) from None
    except ContractError as exc:
        raise BadInput("invalid", str(exc)) from None
    return event


class CasusHandler:
    """The bus runtime's handler: decode, transition, encode (pure apart from parsing)."""

    def __init__(self, config: CasusConfig, topics: CasusTopics) -> None:
        self.config = config
        self.topics = topics

    def __call__(
        self, state: CasusState | None, record: InRecord, /
    ) -> tuple[CasusState | None, Sequence[Output]]:
        inp = decode_input(record, self.topics)
        if isinstance(inp, Tick):
            kind = state.kind if state else None
            kid = state.pseudonymkid if state else None
        else:
            kind, kid = inp.subject, inp.pseudonymkid
        try:
            new, uit = transition(state, inp, self.config)
        except NotForCasus as exc:
            raise BadInput("not_for_casus", str(exc)) from None
        if kind is None or kid is None:
            return new, []
        outputs: list[Output] = []
        for u in uit:
            rec = cloudevents.encode(envelop(u, kind, kid, self.config))
            outputs.append(Output(self.topics.uit, rec.key, rec.value, rec.headers))
            if isinstance(u.data, cs.CasusGewist):
                # Crypto-shredding in the same transaction: the child's data key is tombstoned.
                outputs.append(Output(self.topics.datakeys, kind.encode(), None))
        return new, outputs
