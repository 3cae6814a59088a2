"""The privacy work per event as a share of the hub's CPU per event (issue 15.6, target ≤ 25 %).

One process, one core, CPU time (`time.process_time`), no broker: the pure path every event
takes through the hub, with the privacy work timed inside it.

- edge: pseudonymise the identifier (HMAC), seal the note to the intake key (a note on one
  event in twenty, the share of zorgsignalen in a school's stream), CloudEvents encode;
- casus: the whole handler (decode, transition, outputs, state encoding);
- projector: the whole handler over the contract events and the casus outputs, with the
  intake notes opened, re-encrypted per audience, audience child keys derived and sealed
  (all timed by `TimedCrypto`) and the audience pseudonyms (timed separately per view).

The share leaves out the Kafka client, the transactions and the network, which the hub also
pays per event: on the full path with the broker the privacy share is lower still, so this
figure is an upper bound.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

from bench import workload
from bench.harness import Figure, Results
from hub.bus import cloudevents
from hub.bus.records import InRecord
from hub.casus.config import CasusConfig
from hub.casus.handler import CasusHandler
from hub.casus.topics import CasusTopics
from hub.events.envelope import Event, new_event
from hub.events.school import ZorgsignaalAfgegeven
from hub.events.vocab import Partner
from hub.privacy.fieldcrypt import DataKeyRing, InMemoryDataKeyStore
from hub.privacy.identifiers import parse_identifier
from hub.privacy.intake import IntakeSealer
from hub.privacy.pseudonyms import audience_pseudonym_for, pseudonymise
from hub.views.handler import ProjectorHandler
from hub.views.policy import Grant
from hub.views.project import ViewEvent
from hub.views.reencrypt import ViewCrypto
from hub.views.reload import PolicyHolder
from hub.views.transition import ViewTopics

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
NOTE = "Leerling is onrustig in de klas sinds de herfstvakantie; moeder vraagt om een gesprek."
NOTE_EVERY = 20


class TimedCrypto(ViewCrypto):
    """The projector's encryption step, adding its CPU time to `spent`."""

    spent = 0.0

    def notes(self, event: Event[Any]) -> dict[str, str]:
        """Timed `ViewCrypto.notes`."""
        start = time.process_time()
        try:
            return super().notes(event)
        finally:
            self.spent += time.process_time() - start

    def reencrypt(
        self, view: ViewEvent, grant: Grant, notes: Mapping[str, str], hub: str
    ) -> ViewEvent:
        """Timed `ViewCrypto.reencrypt`."""
        start = time.process_time()
        try:
            return super().reencrypt(view, grant, notes, hub)
        finally:
            self.spent += time.process_time() - start

    def sealed_key(self, hub: str, audience: str, key_audience: str, subject: str) -> Any:
        """Timed `ViewCrypto.sealed_key`."""
        start = time.process_time()
        try:
            return super().sealed_key(hub, audience, key_audience, subject)
        finally:
            self.spent += time.process_time() - start


def _signal(child: str, i: int, sealer: IntakeSealer) -> Event[Any]:
    data = ZorgsignaalAfgegeven(
        datum=workload.FIRST_DAY, domein="gezin", urgentie="normaal", brin=workload.BRIN
    )
    event = new_event(
        data,
        partner=Partner.SCHOOL,
        organisation=workload.BRIN,
        system="las",
        source_record_id=f"bench-zs-{child[:16]}-{i}",
        subject=child,
        pseudonymkid=workload.KID,
        time=dt.datetime.combine(workload.FIRST_DAY, dt.time(9), dt.UTC),
    )
    note = sealer.encrypt(NOTE, child=child, event_id=event.id, field="toelichting")
    return event.model_copy(update={"data": data.model_copy(update={"toelichting": note})})


def measure_share(n: int) -> dict[str, float]:
    """CPU µs per event of the whole pure path and of its privacy work; the share in %."""
    ring = workload.keyring()
    kids_count = max(1, n // 20)
    bsns = workload.bsns(kids_count)
    idents = [parse_identifier("bsn", b) for b in bsns]
    sealer = IntakeSealer.from_keyring(ring)
    edge = 0.0

    # Edge: one pseudonymisation per event; a sealed note on one event in twenty.
    start = time.process_time()
    kids = [pseudonymise(idents[i % kids_count], ring).value for i in range(n)][:kids_count]
    edge += time.process_time() - start
    stream = workload.Stream(kids)
    events: list[Event[Any]] = []
    for i in range(n):
        if i % NOTE_EVERY == NOTE_EVERY - 1:
            begin = time.process_time()
            events.append(_signal(kids[i % kids_count], i, sealer))
            edge += time.process_time() - begin
        else:
            events.append(stream.event(i))
    begin = time.process_time()
    records = [cloudevents.encode(e) for e in events]
    encode = time.process_time() - begin

    # Casus: the whole handler.
    topics = CasusTopics.with_prefix("bench.")
    casus = CasusHandler(CasusConfig(), topics)
    inputs = [
        InRecord(topics.inputs[0], 0, i, r.key, r.value, r.headers) for i, r in enumerate(records)
    ]
    outputs: list[InRecord] = []
    states: dict[bytes | None, Any] = {}
    begin = time.process_time()
    for r in inputs:
        states[r.key], out = casus(states.get(r.key), r)
        outputs += [
            InRecord(o.topic, 0, len(outputs), o.key, o.value, tuple(o.headers))
            for o in out
            if o.topic == topics.uit
        ]
    casus_cpu = time.process_time() - begin

    # Projector: the whole handler, its encryption step timed inside.
    crypto = TimedCrypto(ring, DataKeyRing(InMemoryDataKeyStore(), ring))
    holder = PolicyHolder(None, ring)
    projector = ProjectorHandler(holder, ring, ViewTopics("bench."), lambda: NOW, crypto=crypto)
    views: dict[bytes | None, Any] = {}
    subjects = 0
    begin = time.process_time()
    for r in [*inputs, *outputs]:
        views[r.key], out = projector(views.get(r.key), r)
        subjects += sum(1 for o in out if ".view." in o.topic)
    projector_cpu = time.process_time() - begin

    # The audience pseudonyms the projector made (one per view): timed alone, same count.
    policy = holder.current
    audiences = [policy.key_audience(a) for a in policy.audiences()]
    begin = time.process_time()
    for i in range(subjects):
        audience_pseudonym_for(audiences[i % len(audiences)], kids[i % kids_count], ring)
    pseudonyms = time.process_time() - begin

    # Inside the projector's time already: its encryption step and its pseudonyms.
    whole = edge + encode + casus_cpu + projector_cpu
    privacy = edge + crypto.spent + pseudonyms
    return {
        "hub.privacy.us_per_event": privacy / n * 1e6,
        "hub.core.us_per_event": whole / n * 1e6,
        "hub.privacy.share": 100.0 * privacy / whole,
        "hub.privacy.edge_us_per_event": edge / n * 1e6,
        "hub.privacy.projector_us_per_event": (crypto.spent + pseudonyms) / n * 1e6,
    }


async def measure(bootstrap: str, results: Results) -> None:
    """The privacy share of the pure path (no broker needed) into `results`."""
    n = max(1_000, results.sizes["micro"])
    figures = measure_share(n)
    note = f"{n} events, one core, CPU time; a note on 1 in {NOTE_EVERY}; upper bound"
    results.add(Figure("hub.privacy.us_per_event", figures["hub.privacy.us_per_event"], "µs"))
    results.add(Figure("hub.core.us_per_event", figures["hub.core.us_per_event"], "µs"))
    results.add(Figure("hub.privacy.share", figures["hub.privacy.share"], "%", note=note))
    for part in ("edge", "projector"):
        name = f"hub.privacy.{part}_us_per_event"
        results.add(Figure(name, figures[name], "µs"))
