"""On the real broker: a thuiszitter `sinds 2026-08-20` reaches the buurtteam's view as that day."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from hub.bus.scan import read_to_end
from hub.events.casus import MATCH_GEVONDEN, PARTNER_AANGESLOTEN
from hub.privacy.keyring import init_keyring
from hub.runtime import Hub, HubOptions
from hub.settings import HubSettings
from hub.views.policy import key_audiences, load_policy
from hub.views.project import ViewEvent
from hub.views.transition import ViewTopics
from hub.views.wire import decode_view

pytestmark = pytest.mark.integration


async def _views(bootstrap: str, topic: str) -> list[ViewEvent]:
    return [
        decode_view(r.key, r.value, r.headers)
        async for r in read_to_end(bootstrap, [topic], timeout=30)
    ]


async def test_a_thuiszitter_reaches_the_buurtteam_view_on_its_own_day(
    bootstrap: str, unique: str, tmp_path: Path
) -> None:
    init_keyring(tmp_path / "keys", key_audiences(load_policy()))
    prefix = f"ams{unique}."
    settings = HubSettings(
        kafka_bootstrap_servers=bootstrap,
        key_dir=tmp_path / "keys",
        state_dir=tmp_path / "state",
        topic_prefix=prefix,
    )
    hulp = {"record_id": "ht-ams-1", "bsn": "123456782", "datum": "2026-06-01", "domein": "gezin"}
    thuis = {
        "record_id": "tz-ams-1",
        "bsn": "123456782",
        "soort": "absoluut_verzuim",
        "sinds": "2026-08-20",
    }
    async with Hub(settings, HubOptions(http=False, tick_interval=0)) as hub:
        assert hub.ingest is not None
        for partner, feed, record in (
            ("buurtteam", "hulptraject-gestart", hulp),
            ("leerplicht", "thuiszitter", thuis),
        ):
            report = await hub.ingest.ingest(
                partner, feed, json.dumps(record).encode(), "application/json"
            )
            assert len(report.accepted) == 1, report
        topic = ViewTopics(prefix).view("buurtteam")
        wanted = {MATCH_GEVONDEN, PARTNER_AANGESLOTEN}
        seen = await _views(bootstrap, topic)
        async with asyncio.timeout(120):
            while not wanted <= {v.type for v in seen}:
                await asyncio.sleep(0.5)
                seen = await _views(bootstrap, topic)
    dates = {v.type: v.data["datum"] for v in seen if v.type in wanted}
    assert dates == {MATCH_GEVONDEN: "2026-08-20", PARTNER_AANGESLOTEN: "2026-08-20"}
