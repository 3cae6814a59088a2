"""Binary content mode on Kafka: encode and decode, with precise errors."""

from __future__ import annotations

import json

import pytest

from hub.bus.cloudevents import ATTRIBUTES, KafkaRecord, decode, encode
from hub.events.errors import InvalidEvent, MissingHeader, UnknownEventType
from hub.events.registry import event_types
from hub.events.school import VERZUIM_GEREGISTREERD
from tests.unit.events.helpers import example_event


def _record() -> KafkaRecord:
    return encode(example_event(VERZUIM_GEREGISTREERD))


def _without(record: KafkaRecord, header: str) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in record.headers if k != header]


def _replace(record: KafkaRecord, header: str, value: bytes) -> list[tuple[str, bytes]]:
    return [(k, value if k == header else v) for k, v in record.headers]


class TestEncode:
    def test_headers_key_and_value(self) -> None:
        event = example_event(VERZUIM_GEREGISTREERD)
        record = encode(event)
        headers = dict(record.headers)
        assert [k for k, _ in record.headers] == [*(f"ce_{a}" for a in ATTRIBUTES), "content-type"]
        assert headers["ce_type"] == VERZUIM_GEREGISTREERD.encode()
        assert headers["ce_time"] == b"2026-11-16T08:30:00Z"
        assert headers["ce_partner"] == b"school"
        assert headers["content-type"] == b"application/json"
        assert record.key == event.subject.encode()
        assert json.loads(record.value) == {
            "brin": "12AB",
            "datum": "2026-11-16",
            "lesuren": 2.5,
            "soort": "ongeoorloofd",
            "vestiging": "00",
        }

    def test_deterministic(self) -> None:
        assert _record() == _record()


class TestDecode:
    @pytest.mark.parametrize("event_type", event_types())
    def test_roundtrip_every_type(self, event_type: str) -> None:
        event = example_event(event_type)
        record = encode(event)
        assert decode(record.key, record.value, record.headers) == event

    def test_tracing_headers_ignored(self) -> None:
        record = _record()
        headers = [*record.headers, ("traceparent", b"00-abc-def-01")]
        assert decode(record.key, record.value, headers).type == VERZUIM_GEREGISTREERD

    @pytest.mark.parametrize("header", ["ce_id", "ce_subject", "ce_partner", "content-type"])
    def test_missing_header(self, header: str) -> None:
        record = _record()
        with pytest.raises(MissingHeader) as caught:
            decode(record.key, record.value, _without(record, header))
        assert caught.value.problems == [f"header {header}: is required but missing"]

    def test_unknown_type(self) -> None:
        record = _record()
        headers = _replace(record, "ce_type", b"nl.onderwijsjeugd.school.onbekend.v1")
        with pytest.raises(UnknownEventType):
            decode(record.key, record.value, headers)

    def test_invalid_data(self) -> None:
        record = _record()
        value = json.dumps(json.loads(record.value) | {"lesuren": -2}).encode()
        with pytest.raises(InvalidEvent) as caught:
            decode(record.key, value, record.headers)
        assert caught.value.problems == ["data.lesuren: must be at least 0 (got -2)"]

    def test_value_not_json(self) -> None:
        record = _record()
        with pytest.raises(InvalidEvent, match="value: is not valid JSON"):
            decode(record.key, b"{nope", record.headers)

    def test_key_must_be_subject(self) -> None:
        record = _record()
        with pytest.raises(InvalidEvent, match="key: must be the subject"):
            decode(b"other", record.value, record.headers)

    def test_structured_content_type_refused(self) -> None:
        record = _record()
        headers = _replace(record, "content-type", b"application/cloudevents+json")
        with pytest.raises(InvalidEvent, match="binary mode"):
            decode(record.key, record.value, headers)

    def test_duplicate_header(self) -> None:
        record = _record()
        with pytest.raises(InvalidEvent, match="more than once"):
            decode(record.key, record.value, [*record.headers, ("ce_id", b"x")])

    def test_bsn_in_header_not_repeated(self) -> None:
        record = _record()
        headers = _replace(record, "ce_source", b"/partners/school/123456782/las")
        with pytest.raises(InvalidEvent) as caught:
            decode(record.key, record.value, headers)
        assert "looks like a BSN" in str(caught.value)
        assert "123456782" not in str(caught.value)
