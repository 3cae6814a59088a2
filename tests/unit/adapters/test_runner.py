"""The raw-topic handler: one raw record to its events, once per key, or a precise BadInput."""

from __future__ import annotations

import json

import pytest

from hub.adapters.ingest import Topics
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.adapters.runner import FEED_HEADER, RawHandler
from hub.bus import cloudevents
from hub.bus.handler import BadInput
from hub.bus.records import InRecord
from hub.events.vocab import Partner

ROW = {
    "brin": "12AB",
    "leerlingnummer": "4711",
    "bsn": "123456782",
    "datum": "16-11-2026",
    "lesuren": "2",
    "soort": "ziek",
}


def raw(value: dict[str, object] | bytes | None, feed: str | None = "verzuim") -> InRecord:
    body = json.dumps(value).encode() if isinstance(value, dict) else value
    headers = ((FEED_HEADER, feed.encode()),) if feed is not None else ()
    return InRecord("raw.school.v1", 0, 7, b"LAS-1", body, headers)


@pytest.fixture
def handler(ctx: Context) -> RawHandler:
    return RawHandler(Partner.SCHOOL, builtin_registry(), ctx, Topics("t."))


class TestRawHandler:
    def test_maps_to_the_contract_topic(self, handler: RawHandler) -> None:
        state, outputs = handler(None, raw(ROW))
        (output,) = outputs
        assert output.topic == "t.contract.school.v1"
        event = cloudevents.decode(output.key, output.value, output.headers)
        assert state is not None
        assert [entry.split(" ")[0] for entry in state] == [event.id]

    def test_the_same_record_with_other_content_is_a_conflict(self, handler: RawHandler) -> None:
        state, _ = handler(None, raw(ROW))
        with pytest.raises(BadInput) as caught:
            handler(state, raw({**ROW, "lesuren": "4"}))
        assert caught.value.reason == "conflicting_duplicate"

    def test_an_older_state_without_fingerprints_still_dedups(self, handler: RawHandler) -> None:
        state, _ = handler(None, raw(ROW))
        assert state is not None
        bare = [entry.split(" ")[0] for entry in state]
        _, outputs = handler(bare, raw({**ROW, "lesuren": "4"}))
        assert outputs == ()

    def test_the_same_record_again_yields_nothing(self, handler: RawHandler) -> None:
        state, _ = handler(None, raw(ROW))
        again, outputs = handler(state, raw(ROW))
        assert outputs == ()
        assert again == state

    @pytest.mark.parametrize(
        ("record", "reason"),
        [
            (raw(ROW, feed=None), "missing_feed"),
            (raw(ROW, feed="rapport"), "unknown_feed"),
            (raw(None), "empty_record"),
            (raw({**ROW, "bsn": "123456789"}), "invalid_bsn"),
            (raw({**ROW, "datum": "31-02-2025"}), "invalid_date"),
            (raw(b"\x00\x01garbage"), "invalid_json"),
        ],
    )
    def test_bad_records_are_bad_input(
        self, handler: RawHandler, record: InRecord, reason: str
    ) -> None:
        with pytest.raises(BadInput) as caught:
            handler(None, record)
        assert caught.value.reason == reason
        assert "123456789" not in caught.value.message
