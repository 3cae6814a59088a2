"""The CloudEvents envelope: deterministic ids, consistency checks, BSN guard."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from hub.events.envelope import Part, event_id, schema_uri
from hub.events.errors import InvalidEvent, UnknownEventType
from hub.events.fields import EncryptedText
from hub.events.guards import BSN_MESSAGE, ONDERWIJSNUMMER_MESSAGE
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


class _Sample(Part):
    """Every kind of field value the guard dispatches on."""

    tekst: str = "x"
    labels: tuple[str, ...] = ()
    notitie: EncryptedText | None = None
    datum: dt.date | None = None
    tijd: dt.datetime | None = None
    aantal: int = 0
    uren: float = 0.0
    partner: Partner = Partner.SCHOOL
    deel: _Sample | None = None


class TestGuardOnEveryKindOfField:
    def test_values_without_text_pass(self) -> None:
        sample = _Sample.model_validate(
            {
                "tekst": "d20b899c-76db-54e5-8776-e9cacec05533",
                "labels": ["12AB", "hub-2026-1"],
                "datum": "2026-11-16",
                "tijd": "2026-11-16T08:30:00Z",
                "aantal": 123456782,
                "uren": 1.5,
                "partner": "jgz",
                "deel": {"tekst": "dossier 123456789"},
            }
        )
        assert sample.aantal == 123456782  # a number is no text: only strings are guarded

    @pytest.mark.parametrize(
        ("field", "value", "where", "message"),
        [
            ("tekst", "kind 123 456 782", ("tekst",), BSN_MESSAGE),
            ("tekst", "één 101.000.012", ("tekst",), ONDERWIJSNUMMER_MESSAGE),
            ("labels", ["12AB", "nr 111-222-333"], ("labels",), BSN_MESSAGE),
            ("deel", {"tekst": "232262536"}, ("deel", "tekst"), BSN_MESSAGE),
        ],
    )
    def test_identifier_refused_where_it_stands(
        self, field: str, value: Any, where: tuple[str, ...], message: str
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            _Sample.model_validate({field: value})
        errors = caught.value.errors()
        assert [(e["loc"], e["msg"]) for e in errors] == [(where, message)]

    def test_identifier_in_a_wire_shape_refused(self) -> None:
        note = {"kid": "123456782", "iv": "AAECAwQFBgcICQoL", "ct": "q" * 40}
        with pytest.raises(ValidationError) as caught:
            _Sample.model_validate({"notitie": note})
        assert [e["loc"] for e in caught.value.errors()] == [("notitie",)]
        assert "123456782" not in str(caught.value)
