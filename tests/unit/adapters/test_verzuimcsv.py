"""The school's absence CSV: encodings, delimiters, columns, and a precise reason per bad row."""

from __future__ import annotations

import json

import pytest

from hub.adapters.kit import Context
from hub.adapters.pipeline import Accepted, run
from hub.adapters.report import Rejection
from hub.adapters.school.verzuimcsv import VerzuimCsv
from hub.privacy.identifiers import Identifier
from hub.privacy.keyring import KeyRing
from hub.privacy.pseudonyms import pseudonymise
from tests.data.school import BAD_ROWS, HEADER, csv_bytes, export
from tests.unit.adapters.conftest import NoteCipher

ADAPTER = VerzuimCsv()


def results(
    body: bytes, ctx: Context, content_type: str = "text/csv"
) -> list[Accepted | Rejection]:
    return list(run(ADAPTER, body, content_type, ctx))


def accepted(items: list[Accepted | Rejection]) -> list[Accepted]:
    return [i for i in items if isinstance(i, Accepted)]


def rejected(items: list[Accepted | Rejection]) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


class TestFormat:
    @pytest.mark.parametrize(
        ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)]
    )
    def test_encodings(self, ctx: Context, encoding: str, bom: bool) -> None:
        items = results(
            csv_bytes([r for r, why in BAD_ROWS if why is None], encoding=encoding, bom=bom), ctx
        )
        assert len(accepted(items)) == 2
        assert not rejected(items)

    @pytest.mark.parametrize("delimiter", [";", ","])
    @pytest.mark.parametrize("newline", ["\r\n", "\n"])
    def test_delimiters_newlines_and_trailing_blank_lines(
        self, ctx: Context, delimiter: str, newline: str
    ) -> None:
        body = export(5, delimiter=delimiter, newline=newline, trailing_blank_lines=3)
        assert len(accepted(results(body, ctx))) == 5

    def test_header_in_any_order_and_case(self, ctx: Context) -> None:
        header = ("soort", "LESUREN", "Datum", "bsn", "leerlingNummer", "Brin")
        body = csv_bytes([["ziek", "2", "16-11-2026", "123456782", "77", "12ab"]], header=header)
        (item,) = results(body, ctx)
        assert isinstance(item, Accepted)
        assert item.event.data.brin == "12AB"

    def test_unknown_and_personal_columns_never_travel(self, ctx: Context) -> None:
        header = (*HEADER, "Telefoon", "Mentor")
        row = [*BAD_ROWS[0][0], "0612345678", "meneer Jansen"]
        items = results(csv_bytes([row], header=header), ctx)
        wire = json.dumps(accepted(items)[0].event.model_dump(mode="json"))
        for secret in (
            "Zoë",
            "Dorpsweg",
            "01-02-2013",
            "2013",
            "123456782",
            "0612345678",
            "Jansen",
        ):
            assert secret not in wire

    def test_utf16_is_refused_as_encoding(self, ctx: Context) -> None:
        (item,) = results(export(2).decode().encode("utf-16"), ctx)
        assert isinstance(item, Rejection)
        assert item.reason == "encoding"
        assert item.record == 0

    def test_bytes_outside_windows_1252_are_refused(self, ctx: Context) -> None:
        body = export(1) + b"\x81\xff\n"
        (item,) = results(body, ctx)
        assert isinstance(item, Rejection)
        assert item.reason == "encoding"

    @pytest.mark.parametrize("body", [b"", b"\r\n\r\n", b"\xef\xbb\xbf"])
    def test_empty_file(self, ctx: Context, body: bytes) -> None:
        (item,) = results(body, ctx)
        assert isinstance(item, Rejection)
        assert item.reason == "empty_file"

    def test_header_only(self, ctx: Context) -> None:
        (item,) = results(csv_bytes([]), ctx)
        assert isinstance(item, Rejection)
        assert item.reason == "empty_file"

    def test_missing_identifier_column(self, ctx: Context) -> None:
        header = tuple(h for h in HEADER if h != "BSN")
        body = csv_bytes(
            [[c for h, c in zip(HEADER, BAD_ROWS[0][0], strict=True) if h != "BSN"]], header=header
        )
        (item,) = results(body, ctx)
        assert isinstance(item, Rejection)
        assert item.reason == "missing_column"
        assert "bsn or onderwijsnummer" in item.message

    def test_short_row_is_one_rejection(self, ctx: Context) -> None:
        body = export(3).replace(b"\r\n", b"\r\n12AB;00\r\n", 1)
        items = results(body, ctx)
        assert [r.reason for r in rejected(items)] == ["column_count"]
        assert len(accepted(items)) == 3


class TestRows:
    def test_each_bad_row_gets_its_reason_and_the_good_ones_survive(self, ctx: Context) -> None:
        items = results(csv_bytes([r for r, _ in BAD_ROWS], encoding="cp1252"), ctx)
        reasons = {r.record: r.reason for r in rejected(items)}
        expected = {n: why for n, (_, why) in enumerate(BAD_ROWS, start=1) if why}
        assert reasons == expected
        assert [a.record for a in accepted(items)] == [1, 9]

    def test_reasons_never_repeat_the_identifier(self, ctx: Context) -> None:
        items = results(csv_bytes([r for r, _ in BAD_ROWS], encoding="cp1252"), ctx)
        for rejection in rejected(items):
            assert "123456789" not in rejection.message
            assert "232262536" not in rejection.message

    def test_impossible_date_says_why(self, ctx: Context) -> None:
        items = results(csv_bytes([BAD_ROWS[3][0]]), ctx)
        assert rejected(items)[0].message == (
            "datum: not a calendar date (day 31 of month 2 does not exist)"
        )

    @pytest.mark.parametrize(
        ("raw", "hours"), [("2,5", 2.5), ("2.5", 2.5), ("0", 0.0), ("12", 12.0), (" 3 ", 3.0)]
    )
    def test_lesuren_with_comma_or_point(self, ctx: Context, raw: str, hours: float) -> None:
        row = list(BAD_ROWS[0][0])
        row[8] = raw
        assert accepted(results(csv_bytes([row]), ctx))[0].event.data.lesuren == hours

    @pytest.mark.parametrize("raw", ["-1", "12,25", "1e9", "nan", "inf", "twee", ""])
    def test_absurd_lesuren(self, ctx: Context, raw: str) -> None:
        row = list(BAD_ROWS[0][0])
        row[8] = raw
        (item,) = results(csv_bytes([row]), ctx)
        assert isinstance(item, Rejection)
        assert item.reason == "invalid_lesuren"

    @pytest.mark.parametrize(
        ("raw", "soort"),
        [
            ("Te Laat", "te_laat"),
            ("LUXE", "luxe"),
            ("16_UUR_4_WEKEN", "ongeoorloofd"),
            ("lrv", "ongeoorloofd"),
        ],
    )
    def test_soort_words_and_duo_codes(self, ctx: Context, raw: str, soort: str) -> None:
        row = list(BAD_ROWS[0][0])
        row[9] = raw
        assert accepted(results(csv_bytes([row]), ctx))[0].event.data.soort.value == soort

    def test_onderwijsnummer_when_no_bsn(self, ctx: Context, ring: KeyRing) -> None:
        header = ("brin", "leerlingnummer", "onderwijsnummer", "datum", "lesuren", "soort")
        body = csv_bytes([["12AB", "9", "101222331", "16-11-2026", "1", "ziek"]], header=header)
        (item,) = results(body, ctx)
        assert isinstance(item, Accepted)
        expected = pseudonymise(Identifier("onderwijsnummer", "101222331"), ring).value
        assert item.event.subject == expected

    def test_subject_is_the_hub_pseudonym(self, ctx: Context, ring: KeyRing) -> None:
        item = accepted(results(csv_bytes([BAD_ROWS[0][0]]), ctx))[0]
        assert item.event.subject == pseudonymise(Identifier("bsn", "123456782"), ring).value
        assert item.event.pseudonymkid == "pseudonym.v1"
        assert item.event.source == "/partners/school/12AB/las"


class TestIds:
    def test_same_row_same_id_and_another_day_another_id(self, ctx: Context) -> None:
        first = accepted(results(export(3), ctx))
        again = accepted(results(export(3), ctx))
        assert [a.event.id for a in first] == [a.event.id for a in again]
        assert len({a.event.id for a in first}) == 3

    def test_id_does_not_depend_on_lesuren_or_opmerking(self, ctx: Context) -> None:
        row = list(BAD_ROWS[0][0])
        changed = [*row[:8], "3", row[9], row[10], "iets anders"]
        one = accepted(results(csv_bytes([row]), ctx))[0].event.id
        two = accepted(results(csv_bytes([changed]), ctx))[0].event.id
        assert one == two


class TestOpmerking:
    def test_dropped_without_a_cipher(self, ctx: Context) -> None:
        item = accepted(results(csv_bytes([BAD_ROWS[0][0]]), ctx))[0]
        assert item.event.data.opmerking is None

    def test_encrypted_for_the_child_with_a_cipher(self, ring: KeyRing, cipher: NoteCipher) -> None:
        ctx = Context.from_keyring(ring, cipher=cipher)
        event = accepted(results(csv_bytes([BAD_ROWS[0][0]]), ctx))[0].event
        assert event.data.opmerking is not None
        assert "belde" not in event.data.opmerking.model_dump_json()
        plain = cipher.decrypt(
            event.data.opmerking, child=event.subject, event_id=event.id, field="opmerking"
        )
        assert plain == "belde niet"

    @pytest.mark.parametrize("note", ["", "   "])
    def test_an_empty_note_is_no_field_with_a_cipher(
        self, ring: KeyRing, cipher: NoteCipher, note: str
    ) -> None:
        ctx = Context.from_keyring(ring, cipher=cipher)
        row = [*BAD_ROWS[0][0][:11], note]
        event = accepted(results(csv_bytes([row]), ctx))[0].event
        assert event.data.opmerking is None


class TestKafkaForm:
    def test_a_json_object_with_the_column_names(self, ctx: Context) -> None:
        body = json.dumps(ADAPTER.examples()[0]).encode()
        (item,) = results(body, ctx, "application/json")
        assert isinstance(item, Accepted)
        assert item.event.data.lesuren == 2.5
