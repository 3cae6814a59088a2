"""JSON feeds of every partner: shapes of the body, dropped fields, ids and precise reasons."""

from __future__ import annotations

import json

import pytest

from hub.adapters.jsonfeed import JsonFeed, parse_json
from hub.adapters.kit import Context, RawRecord
from hub.adapters.pipeline import Accepted, Tally, run
from hub.adapters.registry import builtin_registry
from hub.adapters.report import Rejection
from hub.privacy.keyring import KeyRing
from tests.unit.adapters.conftest import NoteCipher

REGISTRY = builtin_registry()
JSON_FEEDS = sorted(k for k, a in REGISTRY.items() if isinstance(a, JsonFeed))


def feed(partner: str, name: str) -> JsonFeed:
    adapter = REGISTRY.get_adapter(partner, name)
    assert isinstance(adapter, JsonFeed)
    return adapter


def one(adapter: JsonFeed, record: dict[str, object], ctx: Context) -> Accepted | Rejection:
    (item,) = run(adapter, json.dumps(record).encode(), "application/json", ctx)
    return item


class TestParse:
    def test_object_array_and_lines(self) -> None:
        a, b = {"x": 1}, {"x": 2}
        assert len(list(parse_json(json.dumps(a).encode()))) == 1
        assert len(list(parse_json(json.dumps([a, b]).encode()))) == 2
        lines = (json.dumps(a) + "\n\n" + json.dumps(b) + "\n").encode()
        assert [r.number for r in parse_json(lines, "application/x-ndjson")] == [1, 3]

    def test_a_bad_line_keeps_its_neighbours(self) -> None:
        items = list(parse_json(b'{"x": 1}\n{"x": \n{"x": 3}\n'))
        assert [type(i).__name__ for i in items] == ["RawRecord", "Rejection", "RawRecord"]
        assert isinstance(items[1], Rejection)
        assert items[1].record == 2

    def test_keys_are_case_insensitive(self) -> None:
        (record,) = parse_json(b'{"BSN": "1", "Datum": "x"}')
        assert isinstance(record, RawRecord)
        assert set(record.fields) == {"bsn", "datum"}

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            (b"", "empty_body"),
            (b"\xff\xfe{", "encoding"),
            (b"[1]", "not_an_object"),
            (b"[" * 3000 + b"]" * 3000, "invalid_json"),
        ],
    )
    def test_bad_bodies(self, body: bytes, reason: str) -> None:
        (item,) = parse_json(body)
        assert isinstance(item, Rejection)
        assert item.reason == reason


class TestEveryFeed:
    @pytest.mark.parametrize("key", JSON_FEEDS, ids=["/".join(k) for k in JSON_FEEDS])
    def test_example_makes_its_contract_event(self, key: tuple[str, str], ctx: Context) -> None:
        adapter = feed(*key)
        item = one(adapter, adapter.examples()[0], ctx)
        assert isinstance(item, Accepted), item
        assert item.event.type == adapter.model.event_type
        assert item.event.partner.value == key[0]


class TestMapping:
    def test_extra_fields_are_dropped_and_named(self, ctx: Context) -> None:
        adapter = feed("leerplicht", "thuiszitter")
        record = {**adapter.examples()[0], "naam": "Piet", "dossier": "vertrouwelijk"}
        tally = Tally()
        (item,) = run(adapter, json.dumps(record).encode(), "application/json", ctx, tally)
        assert isinstance(item, Accepted)
        assert "Piet" not in item.event.model_dump_json()
        assert tally.ignored == {"naam": 1, "dossier": 1}

    def test_dutch_dates_are_read(self, ctx: Context) -> None:
        adapter = feed("leerplicht", "thuiszitter")
        item = one(adapter, {**adapter.examples()[0], "sinds": "14-09-2026"}, ctx)
        assert isinstance(item, Accepted)
        assert item.event.data.sinds.isoformat() == "2026-09-14"
        assert item.event.time.isoformat() == "2026-09-14T00:00:00+02:00"

    def test_only_the_birth_year_travels(self, ctx: Context) -> None:
        adapter = feed("school", "inschrijving")
        item = one(adapter, {**adapter.examples()[0], "geboortedatum": "29-02-2012"}, ctx)
        assert isinstance(item, Accepted)
        assert item.event.data.geboortejaar == 2012
        assert "02-2012" not in item.event.model_dump_json()

    def test_free_text_is_encrypted_or_dropped(
        self, ring: KeyRing, cipher: NoteCipher, ctx: Context
    ) -> None:
        adapter = feed("school", "zorgsignaal")
        record = {**adapter.examples()[0], "toelichting": "vader zegt dat hij niet slaapt"}
        plain = one(adapter, record, ctx)
        assert isinstance(plain, Accepted)
        assert plain.event.data.toelichting is None
        sealed = one(adapter, record, Context.from_keyring(ring, cipher=cipher))
        assert isinstance(sealed, Accepted)
        event = sealed.event
        text = cipher.decrypt(
            event.data.toelichting, child=event.subject, event_id=event.id, field="toelichting"
        )
        assert text == record["toelichting"]

    def test_the_record_id_decides_the_event_id(self, ctx: Context) -> None:
        adapter = feed("swv", "tlv")
        a = one(adapter, adapter.examples()[0], ctx)
        b = one(adapter, {**adapter.examples()[0], "categorie": "hoog"}, ctx)
        c = one(adapter, {**adapter.examples()[0], "record_id": "tlv-0002"}, ctx)
        assert isinstance(a, Accepted)
        assert isinstance(b, Accepted)
        assert isinstance(c, Accepted)
        assert a.event.id == b.event.id != c.event.id

    def test_organisation_comes_from_the_record(self, ctx: Context) -> None:
        adapter = feed("jgz", "mazl-gehouden")
        item = one(adapter, {**adapter.examples()[0], "organisatie": "GGD-regio-utrecht"}, ctx)
        assert isinstance(item, Accepted)
        assert item.event.source == "/partners/jgz/GGD-regio-utrecht/ddjgz"


class TestReasons:
    @pytest.mark.parametrize(
        ("change", "reason", "field"),
        [
            ({"bsn": "123456789"}, "invalid_bsn", "bsn"),
            ({"bsn": None}, "missing_identifier", "bsn"),
            ({"record_id": "123456782"}, "identifier_in_record_id", "record_id"),
            ({"record_id": None}, "missing_record_id", "record_id"),
            ({"sinds": "31-02-2025"}, "invalid_date", "sinds"),
            ({"soort": "weg"}, "invalid_field", "soort"),
            ({"tijdstip": "2026-09-14T08:00:00"}, "invalid_time", "tijdstip"),
        ],
    )
    def test_precise_reason(
        self, ctx: Context, change: dict[str, object], reason: str, field: str
    ) -> None:
        adapter = feed("leerplicht", "thuiszitter")
        item = one(adapter, {**adapter.examples()[0], **change}, ctx)
        assert isinstance(item, Rejection)
        assert (item.reason, item.field) == (reason, field)
        assert "123456" not in item.message

    def test_a_string_in_a_number_field_is_not_echoed(self, ctx: Context) -> None:
        adapter = feed("school", "verzuimmelding")
        item = one(adapter, {**adapter.examples()[0], "lesuren_ongeoorloofd": "Jan de Vries"}, ctx)
        assert isinstance(item, Rejection)
        assert "Vries" not in item.message
