"""Every payload model: examples valid, and every kind of bad data refused with a clear message."""

from __future__ import annotations

from typing import Any

import pytest

from hub.events.envelope import Payload
from hub.events.errors import InvalidEvent
from hub.events.registry import event_types, parse_event, payload_model, payload_models
from tests.unit.events.helpers import example_event

TYPES = event_types()
BSN_FORMS = ("123456782", "BSN 111.222.333", "nr 232 262 536", "999-990-019")


def _field_schemas(model: type[Payload]) -> dict[str, dict[str, Any]]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    out: dict[str, dict[str, Any]] = {}
    for name, prop in schema["properties"].items():
        branches = prop.get("anyOf", [prop])
        for branch in branches:
            if "$ref" in branch:
                branch = defs[branch["$ref"].rsplit("/", 1)[1]]
            if branch.get("type") != "null":
                out[name] = branch
                break
    return out


def _free_strings(model: type[Payload]) -> list[str]:
    return [
        name
        for name, s in _field_schemas(model).items()
        if s.get("type") == "string" and "enum" not in s and "format" not in s
    ]


def _problems(event_type: str, data: dict[str, Any]) -> list[str]:
    wire = example_event(event_type).model_dump(mode="json") | {"data": data}
    with pytest.raises(InvalidEvent) as caught:
        parse_event(wire)
    return caught.value.problems


class TestCatalogue:
    def test_has_every_domain(self) -> None:
        domains = {t.split(".")[2] for t in TYPES}
        assert domains >= {
            "school",
            "betrokkenheid",
            "leerplicht",
            "jgz",
            "buurtteam",
            "swv",
            "privacy",
            "casus",
        }
        assert len(TYPES) >= 40

    @pytest.mark.parametrize("event_type", TYPES)
    def test_model_is_closed_and_frozen(self, event_type: str) -> None:
        model = payload_model(event_type)
        assert model.model_config.get("frozen") is True
        assert model.model_config.get("extra") == "forbid"
        assert model.event_type == event_type
        assert event_type.endswith(".v1")

    def test_no_plain_free_text(self) -> None:
        # Free text travels only as EncryptedText; plain strings are bounded and patterned.
        for model in payload_models():
            for name, schema in _field_schemas(model).items():
                if schema.get("type") == "string" and not {"enum", "format"} & set(schema):
                    assert "pattern" in schema, f"{model.__name__}.{name}"


class TestValidation:
    @pytest.mark.parametrize("event_type", TYPES)
    def test_example_is_valid(self, event_type: str) -> None:
        event = example_event(event_type)
        assert parse_event(event.model_dump(mode="json")) == event

    @pytest.mark.parametrize("event_type", TYPES)
    def test_missing_required_field(self, event_type: str) -> None:
        model = payload_model(event_type)
        required = model.model_json_schema().get("required", [])
        assert required, f"{event_type} has no required field"
        for name in required:
            data = {k: v for k, v in model.example.items() if k != name}
            assert f"data.{name}: is required but missing" in _problems(event_type, data)

    @pytest.mark.parametrize("event_type", TYPES)
    def test_wrong_enum_value(self, event_type: str) -> None:
        model = payload_model(event_type)
        enums = [n for n, s in _field_schemas(model).items() if "enum" in s]
        for name in enums:
            problems = _problems(event_type, model.example | {name: "bestaat_niet"})
            assert any(p.startswith(f"data.{name}: must be one of") for p in problems), problems

    @pytest.mark.parametrize("event_type", TYPES)
    def test_unknown_field(self, event_type: str) -> None:
        model = payload_model(event_type)
        problems = _problems(event_type, model.example | {"bsn": "123456782"})
        assert problems == ["data.bsn: is not part of this contract (unknown field)"]

    @pytest.mark.parametrize("event_type", TYPES)
    def test_oversized_strings(self, event_type: str) -> None:
        model = payload_model(event_type)
        for name in _free_strings(model):
            problems = _problems(event_type, model.example | {name: "A" * 5000})
            assert any(p.startswith(f"data.{name}:") for p in problems)

    @pytest.mark.parametrize("event_type", TYPES)
    @pytest.mark.parametrize("bsn", BSN_FORMS)
    def test_bsn_in_any_string_field(self, event_type: str, bsn: str) -> None:
        model = payload_model(event_type)
        for name in _free_strings(model):
            problems = _problems(event_type, model.example | {name: bsn})
            mine = [p for p in problems if p.startswith(f"data.{name}:")]
            assert mine, problems
            digits = "".join(c for c in bsn if c.isdigit())
            assert all(digits not in p.replace(".", "").replace(" ", "") for p in problems)

    def test_bsn_message_is_precise(self) -> None:
        problems = _problems(
            "nl.onderwijsjeugd.school.verzuimmelding.gedaan.v1",
            payload_model("nl.onderwijsjeugd.school.verzuimmelding.gedaan.v1").example
            | {"melding_id": "123456782"},
        )
        assert problems == [
            "data.melding_id: contains a number that looks like a BSN (9 digits passing the "
            "11-proef); identities never travel on the bus: send the child's pseudonym in "
            "`subject` instead"
        ]

    def test_bsn_in_label_with_dots(self) -> None:
        from hub.events.casus import REGIE_VOORGESTELD

        model = payload_model(REGIE_VOORGESTELD)
        problems = _problems(REGIE_VOORGESTELD, model.example | {"toelichting": "kind 123.456.782"})
        assert problems == [
            "data.toelichting: contains a number that looks like a BSN (9 digits passing the "
            "11-proef); identities never travel on the bus: send the child's pseudonym in "
            "`subject` instead"
        ]

    def test_non_bsn_number_allowed(self) -> None:
        from hub.events.casus import REGIE_VOORGESTELD

        model = payload_model(REGIE_VOORGESTELD)
        data = model.model_validate(model.example | {"toelichting": "dossier 123456789"})
        assert data.toelichting == "dossier 123456789"  # type: ignore[attr-defined]

    def test_negative_hours_message(self) -> None:
        from hub.events.school import VERZUIM_GEREGISTREERD

        model = payload_model(VERZUIM_GEREGISTREERD)
        problems = _problems(VERZUIM_GEREGISTREERD, model.example | {"lesuren": -2})
        assert problems == ["data.lesuren: must be at least 0 (got -2)"]

    def test_hours_bounded_above(self) -> None:
        from hub.events.school import VERZUIM_GEREGISTREERD

        model = payload_model(VERZUIM_GEREGISTREERD)
        problems = _problems(VERZUIM_GEREGISTREERD, model.example | {"lesuren": 30})
        assert problems == ["data.lesuren: must be at most 12 (got 30)"]

    def test_plain_text_note_refused(self) -> None:
        from hub.events.school import VERZUIM_GEREGISTREERD

        model = payload_model(VERZUIM_GEREGISTREERD)
        problems = _problems(VERZUIM_GEREGISTREERD, model.example | {"opmerking": "ziek thuis"})
        assert problems
        assert all(p.startswith("data.opmerking") for p in problems)

    def test_birth_date_cannot_travel(self) -> None:
        from hub.events.school import INSCHRIJVING_GEREGISTREERD

        model = payload_model(INSCHRIJVING_GEREGISTREERD)
        problems = _problems(
            INSCHRIJVING_GEREGISTREERD, model.example | {"geboortejaar": "2013-04-02"}
        )
        assert any(p.startswith("data.geboortejaar:") for p in problems)


class TestNestedAndArrays:
    def test_bsn_in_encrypted_text_key_id(self) -> None:
        from hub.events.school import ZORGSIGNAAL_AFGEGEVEN

        model = payload_model(ZORGSIGNAAL_AFGEGEVEN)
        note = dict(model.example["toelichting"]) | {"kid": "123456782"}
        problems = _problems(ZORGSIGNAAL_AFGEGEVEN, model.example | {"toelichting": note})
        assert len(problems) == 1
        assert problems[0].startswith("data.toelichting: contains a number that looks like a BSN")
        assert "123456782" not in problems[0]

    @pytest.mark.parametrize("event_type", TYPES)
    def test_oversized_arrays(self, event_type: str) -> None:
        model = payload_model(event_type)
        for name, schema in _field_schemas(model).items():
            if schema.get("type") == "array" and "maxItems" in schema:
                items = list(model.example.get(name) or ["school"]) * 20
                problems = _problems(event_type, model.example | {name: items})
                assert any(p.startswith(f"data.{name}:") for p in problems), problems

    def test_betrokkene_refuses_names(self) -> None:
        from hub.events.casus import MATCH_GEVONDEN

        model = payload_model(MATCH_GEVONDEN)
        nieuw = dict(model.example["nieuw"]) | {"naam": "J. Jansen"}
        problems = _problems(MATCH_GEVONDEN, model.example | {"nieuw": nieuw})
        assert problems == ["data.nieuw.naam: is not part of this contract (unknown field)"]


class TestProducerRules:
    def test_duo_status_set_by_its_owner(self) -> None:
        from hub.events.school import VERZUIMMELDING_STATUS_GEWIJZIGD

        wire = example_event(VERZUIMMELDING_STATUS_GEWIJZIGD).model_dump(mode="json")
        wire["data"]["status"] = "in_behandeling"
        with pytest.raises(InvalidEvent) as caught:
            parse_event(wire)
        assert caught.value.problems == [
            "event: status in_behandeling is set by leerplicht, not by school"
        ]
        wire |= {"partner": "leerplicht", "source": "/partners/leerplicht/utrecht/lpa"}
        assert parse_event(wire).partner == "leerplicht"

    def test_every_type_has_a_module_constant(self) -> None:
        import sys

        for event_type in TYPES:
            module = sys.modules[payload_model(event_type).__module__]
            assert event_type in vars(module).values(), event_type
