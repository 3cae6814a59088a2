"""The Kafka edge of the casus: decoding, dead letters, tick records, CloudEvents out, shredding."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hub.bus import cloudevents
from hub.bus.handler import BadInput, PydanticCodec
from hub.bus.records import InRecord
from hub.casus.handler import CasusHandler, read_tick, tick_value
from hub.casus.state import CasusState
from hub.casus.topics import CasusTopics
from hub.events import privacy, school
from hub.events.vocab import Domein, Urgentie
from tests.unit.casus.helpers import CONFIG, D, ev, kind

TOPICS = CasusTopics.with_prefix("t.")


def record(event: object, topic: str = "t.contract.school.v1", offset: int = 0) -> InRecord:
    rec = cloudevents.encode(event)  # type: ignore[arg-type]
    return InRecord(topic, 0, offset, rec.key, rec.value, rec.headers)


def zorgsignaal(day: str = "2026-11-17") -> object:
    data = school.ZorgsignaalAfgegeven(datum=D(day), domein=Domein.GEDRAG, urgentie=Urgentie.HOOG)
    return ev(data, "school", f"zs-{day}", day)


class TestCasusHandler:
    handler = CasusHandler(CONFIG, TOPICS)

    def test_outputs_are_binary_cloudevents_on_casus_uit_keyed_by_child(self) -> None:
        state, outputs = self.handler(None, record(zorgsignaal()))
        assert state is not None
        (out,) = outputs
        assert out.topic == "t.casus.uit.v1"
        assert out.key == kind().encode()
        event = cloudevents.decode(out.key, out.value, out.headers)
        assert event.type == "nl.onderwijsjeugd.casus.geopend.v1"
        assert event.partner.value == "hub"
        assert event.source == "/partners/hub/regio/casus"

    def test_a_replay_gives_the_same_ids(self) -> None:
        _, first = self.handler(None, record(zorgsignaal()))
        _, again = self.handler(None, record(zorgsignaal(), offset=7))
        assert [o.event_id for o in first] == [o.event_id for o in again]
        assert first[0].value == again[0].value

    def test_unknown_type_is_bad_input(self) -> None:
        rec = record(zorgsignaal())
        headers = tuple(
            (k, b"nl.onderwijsjeugd.school.onbekend.v1" if k == "ce_type" else v)
            for k, v in rec.headers
        )
        with pytest.raises(BadInput) as caught:
            self.handler(None, InRecord(rec.topic, 0, 0, rec.key, rec.value, headers))
        assert caught.value.reason == "unknown_type"

    def test_an_event_on_another_partners_topic_is_refused(self) -> None:
        with pytest.raises(BadInput) as caught:
            self.handler(None, record(zorgsignaal(), topic="t.contract.jgz.v1"))
        assert caught.value.reason == "forged_producer"

    def test_a_hub_event_on_a_contract_topic_is_forged_before_decoding(self) -> None:
        data = privacy.VerwijderingVerzocht(verzoek_id="VW-1", datum=D("2026-11-21"))
        forged = record(ev(data, "hub", "vw", "2026-11-21"))
        # The claim alone condemns it: a broken value does not change the reason.
        broken = InRecord(forged.topic, 0, 0, forged.key, b"{", forged.headers)
        for rec in (forged, broken):
            with pytest.raises(BadInput) as caught:
                self.handler(None, rec)
            assert caught.value.reason == "forged_producer"

    def test_erasure_tombstones_the_data_key_in_the_same_batch(self) -> None:
        state, _ = self.handler(None, record(zorgsignaal()))
        data = privacy.VerwijderingVerzocht(verzoek_id="VW-1", datum=D("2026-11-21"))
        new, outputs = self.handler(state, record(ev(data, "school", "vw", "2026-11-21")))
        assert new is None
        assert [(o.topic, o.value is None) for o in outputs] == [
            ("t.casus.uit.v1", False),
            ("t.datakeys.v1", True),
        ]
        assert outputs[1].key == kind().encode()

    def test_tick_records(self) -> None:
        now = dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC)
        assert read_tick(tick_value(now)).now == now
        with pytest.raises(BadInput):
            read_tick(b"{}")
        with pytest.raises(BadInput):
            read_tick(json.dumps({"now": "2026-12-01T06:00:00"}).encode())

    def test_a_tick_on_no_state_emits_nothing(self) -> None:
        rec = InRecord(
            "t.casus.tick.v1", 0, 0, kind().encode(), tick_value(dt.datetime.now(dt.UTC))
        )
        assert self.handler(None, rec) == (None, [])

    def test_state_codec_roundtrip(self) -> None:
        state, _ = self.handler(None, record(zorgsignaal()))
        assert state is not None
        codec = PydanticCodec(CasusState)
        assert codec.decode(codec.encode(state)) == state
