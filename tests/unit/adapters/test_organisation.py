"""One school, one organisation id in `source`, whichever feed its records come through."""

from __future__ import annotations

import json

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.bus import cloudevents
from tests.data.school import csv_bytes, rows


class TestOneSchoolOneOrganisation:
    async def test_every_feed_of_one_school_names_it_by_its_brin(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        posts = [
            ("verzuim", csv_bytes(list(rows(1))), "text/csv"),  # brin 12AB, vestiging 00
            (
                "ziekmelding",
                {
                    "record_id": "z-1",
                    "bsn": "123456782",
                    "ziek_vanaf": "2026-11-16",
                    "brin": "12AB",
                    "vestiging": "00",
                },
                "application/json",
            ),
            (
                "zorgsignaal",
                {
                    "record_id": "zs-1",
                    "bsn": "123456782",
                    "datum": "2026-11-17",
                    "domein": "gedrag",
                    "urgentie": "normaal",
                    "brin": "12AB",
                },
                "application/json",
            ),
            (
                "betrokkenheid-gestart",
                {
                    "record_id": "bg-1",
                    "bsn": "123456782",
                    "domein": "gezin",
                    "contactrol": "intern_begeleider",
                    "sinds": "2026-11-02",
                    "brin": "12AB",
                },
                "application/json",
            ),
            (
                "herstelmelding",
                {
                    "record_id": "h-1",
                    "bsn": "123456782",
                    "hersteld_op": "2026-11-18",
                    "organisatie": "12AB00",
                },
                "application/json",
            ),
        ]
        for feed, body, kind in posts:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            report = await service.ingest("school", feed, raw, kind)
            assert len(report.accepted) == 1, (feed, report.rejected)
        sources = {
            cloudevents.decode(o.key, o.value, o.headers).source
            for o in publisher.outputs
            if o.topic == "contract.school.v1"
        }
        assert sources == {"/partners/school/12AB/las"}
