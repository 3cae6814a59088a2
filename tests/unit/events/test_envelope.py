"""The CloudEvents envelope: deterministic ids, consistency checks, BSN guard."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hub.events.envelope import event_id, schema_uri
from hub.events.errors import InvalidEvent, UnknownEventType
from hub.events.guards import BSN_MESSAGE
from hub.events.registry import parse_event
from hub.events.school import VERZUIM_GEREGISTREERD
from hub.events.vocab import Partner
from tests.unit.events.helpers import example_event

BSNS = ("123456782", "111222333", "232262536")


def _wire() -> dict[str, Any]:
    return example_event(VERZUIM_GEREGISTREERD).model_dump(mode="json")


def _problems(obj: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(obj)
    return caught.value.problems


class TestEventId:
    def test_same_record_same_id(self) -> None:
        a = event_id(Partner.SCHOOL, "las-991", VERZUIM_GEREGISTREERD)
        assert a == event_id(Partner.SCHOOL, "las-991", VERZUIM_GEREGISTREERD)
        assert uuid.UUID(a).version == 5

    @pytest.mark.parametrize(
        ("partner", "record", "kind"),
        [
            (Partner.LEERPLICHT, "las-991", VERZUIM_GEREGISTREERD),
            (Partner.SCHOOL, "las-992", VERZUIM_GEREGISTREERD),
            (Partner.SCHOOL, "las-991", "nl.onderwijsjeugd.school.ziekmelding.gedaan.v1"),
        ],
    )
    def test_any_part_changes_the_id(self, partner: Partner, record: str, kind: str) -> None:
        assert event_id(partner, record, kind) != event_id(
            Partner.SCHOOL, "las-991", VERZUIM_GEREGISTREERD
        )

    def test_refuses_bsn_record_id_without_repeating_it(self) -> None:
        with pytest.raises(ValueError, match="looks like a BSN") as caught:
            event_id(Partner.SCHOOL, "leerling-123456782", VERZUIM_GEREGISTREERD)
        assert "123456782" not in str(caught.value)


class TestEnvelope:
    def test_roundtrip_through_json(self) -> None:
        event = example_event(VERZUIM_GEREGISTREERD)
        again = parse_event(event.model_dump(mode="json"))
        assert again == event
        assert again.dataschema == schema_uri(VERZUIM_GEREGISTREERD)
        assert again.time.tzinfo is not None

    def test_naive_time_refused(self) -> None:
        wire = _wire() | {"time": "2026-11-16T08:30:00"}
        assert any(p.startswith("time:") for p in _problems(wire))

    def test_subject_must_be_pseudonym(self) -> None:
        assert any(p.startswith("subject:") for p in _problems(_wire() | {"subject": BSNS[0]}))

    def test_unknown_type(self) -> None:
        with pytest.raises(UnknownEventType, match="unknown event type"):
            parse_event(_wire() | {"type": "nl.onderwijsjeugd.school.bestaat.niet.v1"})

    def test_missing_type(self) -> None:
        wire = _wire()
        del wire["type"]
        assert _problems(wire) == ["type: is required but missing"]

    def test_wrong_specversion(self) -> None:
        assert any(
            p.startswith("specversion:") for p in _problems(_wire() | {"specversion": "0.3"})
        )

    def test_dataschema_must_match_type(self) -> None:
        problems = _problems(_wire() | {"dataschema": "https://example.org/x.json"})
        assert any("dataschema must be" in p for p in problems)

    def test_source_must_name_the_partner(self) -> None:
        problems = _problems(_wire() | {"source": "/partners/jgz/12AB/las"})
        assert any("source must start with /partners/school/" in p for p in problems)

    def test_partner_must_be_a_producer(self) -> None:
        wire = _wire() | {"partner": "jgz", "source": "/partners/jgz/ggd/ddjgz"}
        assert any("may not produce" in p for p in _problems(wire))

    @pytest.mark.parametrize("bsn", [*BSNS, "123.456.782", "123 456 782"])
    def test_bsn_in_source_refused(self, bsn: str) -> None:
        problems = _problems(_wire() | {"source": f"/partners/school/{bsn.replace(' ', '')}/las"})
        joined = " ".join(problems)
        assert "looks like a BSN" in joined or "expected form" in joined
        assert bsn not in joined

    def test_bsn_as_key_id_refused(self) -> None:
        problems = _problems(_wire() | {"pseudonymkid": "123456782"})
        assert problems == [f"pseudonymkid: {BSN_MESSAGE}"]

    def test_unknown_envelope_attribute_refused(self) -> None:
        assert _problems(_wire() | {"naam": "x"}) == [
            "naam: is not part of this contract (unknown field)"
        ]
