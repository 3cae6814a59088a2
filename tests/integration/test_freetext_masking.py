"""Issue 14.6 on the real broker: no other child's identity in a note lands, not even encrypted."""

from __future__ import annotations

import uuid

import pytest

from hub.bus import cloudevents
from hub.bus.scan import list_topics, read_to_end
from hub.privacy.intake import open_intake
from hub.privacy.keyring import INTAKE, KEK, PSEUDONYM, Key, KeyRing
from hub.settings import HubSettings
from hub.web.ingest import IngestOptions, ingest_service
from tests.data.school import csv_bytes
from tests.pii import assert_no_pii

RING = KeyRing([Key(PSEUDONYM, 1, b"M" * 32), Key(KEK, 1, b"N" * 32), Key(INTAKE, 1, b"O" * 32)])
HEADER = ("brin", "leerlingnummer", "bsn", "datum", "lesuren", "soort", "opmerking")
NOTE = "Zit thuis met broertje, bsn １１１２．２２．３３３, woont 1234 AB 12, geb. 14-03-2016."
MASKED = "Zit thuis met broertje, bsn [verwijderd], woont [verwijderd], geb. [verwijderd]."


async def test_masked_note_is_what_lands(
    bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = HubSettings(topic_prefix=prefix, key_dir=tmp_path_factory.mktemp("keys"))
    options = IngestOptions(transactional_id=f"{prefix}ingest-mask-{uuid.uuid4().hex[:6]}")
    body = csv_bytes(
        [
            ["12AB", "4711", "123456782", "16-11-2026", "2", "ziek", NOTE],
            ["12AB", "4712", "232262536", "16-11-2026", "1", "ziek", "moeder belde niet"],
        ],
        header=HEADER,
    )
    async with ingest_service(settings, bootstrap=bootstrap, ring=RING, options=options) as svc:
        report = await svc.ingest("school", "verzuim", body, "text/csv")
    assert len(report.accepted) == 2

    events = [
        cloudevents.decode(r.key, r.value, r.headers)
        async for r in read_to_end(bootstrap, [f"{prefix}contract.school.v1"], timeout=60)
    ]
    notes = sorted(
        open_intake(e.data.opmerking, RING, child=e.subject, event_id=e.id, field="opmerking")
        for e in events
    )
    assert notes == sorted([MASKED, "moeder belde niet"])
    # The partner learns which row and which rules, never the value.
    assert [(m.record, m.field, m.rules) for m in report.masked] == [
        (1, "opmerking", ["bsn", "postcode-huisnummer", "geboortedatum"])
    ]
    topics = [t for t in await list_topics(bootstrap) if t.startswith(prefix)]
    await assert_no_pii(bootstrap, topics)
