"""The leak scanner's pure core: rules, paths, and never the value."""

from __future__ import annotations

import json

import pytest

from hub.privacy.leakscan import Finding, scan_json_lines, scan_record, scan_value

BSN = "123456782"


def _rules(found: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, f.path) for f in found}


class TestBsnRule:
    @pytest.mark.parametrize("text", [BSN, f"bsn {BSN}.", f"leerling={BSN}", f"({BSN})"])
    def test_standalone_number_found(self, text: str) -> None:
        assert _rules(scan_value({"opmerking": text})) == {("bsn", "$.opmerking")}

    @pytest.mark.parametrize("text", ["123456789", f"x{BSN}", f"{BSN}0", "a" * 20 + BSN + "f" * 20])
    def test_not_a_bsn(self, text: str) -> None:
        assert scan_value({"opmerking": text}) == []

    def test_integer_value(self) -> None:
        assert _rules(scan_value({"n": int(BSN)})) == {("bsn", "$.n")}

    def test_bsn_as_key_is_found_and_not_repeated(self) -> None:
        found = scan_value({"leerlingen": {BSN: {"uren": 3}}})
        assert _rules(found) == {("bsn", "$.leerlingen.{key}")}
        assert all(BSN not in f.path for f in found)

    def test_list_paths(self) -> None:
        assert _rules(scan_value({"a": [1, {"b": BSN}]})) == {("bsn", "$.a[1].b")}


class TestOnderwijsnummerRule:
    def test_found(self) -> None:
        assert _rules(scan_value({"o": "leerling 101222331"})) == {("onderwijsnummer", "$.o")}

    def test_failing_check_not_found(self) -> None:
        assert scan_value({"o": "100100012"}) == []


class TestPiiKeyRule:
    def test_pii_key_found_at_any_depth(self) -> None:
        found = scan_value({"data": {"leerling": {"Achternaam": "Jansen"}}})
        assert _rules(found) == {("pii-key", "$.data.leerling.Achternaam")}

    def test_json_inside_a_string(self) -> None:
        doc = {"payload": json.dumps({"leerling": {"bsn": "x"}})}
        assert _rules(scan_value(doc)) == {("pii-key", "$.payload.leerling.bsn")}

    def test_pseudonym_is_no_finding(self) -> None:
        assert scan_value({"subject": "0123456789abcdef" * 4, "kid": "pseudonym.v1"}) == []


class TestPostcodeRule:
    @pytest.mark.parametrize("text", ["1234 AB 12", "1234AB 12", "Kerkstraat, 3511 LM, 7"])
    def test_found(self, text: str) -> None:
        assert _rules(scan_value({"x": text})) == {("postcode-huisnummer", "$.x")}

    @pytest.mark.parametrize("text", ["1234 AB", "0123 AB 12", "1234 SS 12", "2026 is 12"])
    def test_not_found(self, text: str) -> None:
        assert scan_value({"x": text}) == []


class TestGeboortedatumRule:
    @pytest.mark.parametrize(
        "doc",
        [
            {"geboren": "03-04-2015"},
            {"birthDay": "2015-04-03"},
            {"notitie": "geboren op 3/4/2015"},
        ],
    )
    def test_found(self, doc: dict[str, str]) -> None:
        assert {f.rule for f in scan_value(doc)} == {"geboortedatum"}

    def test_known_pii_key_counts_as_pii_key(self) -> None:
        assert {f.rule for f in scan_value({"geboortedatum": "03-04-2015"})} == {
            "pii-key",
            "geboortedatum",
        }

    @pytest.mark.parametrize(
        "doc", [{"geboortejaar": 2015}, {"datum": "03-04-2015"}, {"geboren": "ja"}]
    )
    def test_not_found(self, doc: dict[str, object]) -> None:
        assert scan_value(doc) == []


class TestRecord:
    def test_key_value_and_headers(self) -> None:
        found = scan_record(
            BSN.encode(),
            json.dumps({"naam": "x"}).encode(),
            [("ce_subject", BSN.encode()), ("bsn", b"-"), ("ce_id", None)],
        )
        assert _rules(found) == {
            ("bsn", "key"),
            ("pii-key", "value.naam"),
            ("bsn", "header:ce_subject"),
            ("pii-key", "header:bsn"),
        }

    def test_non_json_value(self) -> None:
        assert _rules(scan_record(None, f"plain {BSN}".encode())) == {("bsn", "value")}

    def test_clean_record(self) -> None:
        value = {"type": "nl.hub.verzuim.v1", "subject": "ab" * 32, "uren": 16}
        assert scan_record(b"ab" * 32, json.dumps(value).encode(), [("ce_id", b"x")]) == []

    def test_no_finding_holds_the_value(self) -> None:
        doc = {"a": BSN, "b": "1234 AB 12", "geboren": "03-04-2015", BSN: 1}
        for f in scan_record(None, json.dumps(doc).encode()):
            assert BSN not in f.path
            assert "1234" not in f.path
            assert "2015" not in f.path


class TestJsonLines:
    def test_records_and_plain_values(self) -> None:
        lines = [
            json.dumps(
                {"topic": "t", "partition": 2, "offset": 7, "key": None, "value": {"bsn": 1}}
            ),
            json.dumps({"opmerking": BSN}),
            "",
            f"not json {BSN}",
        ]
        found = [f.line() for f in scan_json_lines(lines, "dump.jsonl")]
        assert found == [
            "t[2]@7: pii-key at value.bsn",
            "dump.jsonl[0]@2: bsn at value.opmerking",
            "dump.jsonl[0]@4: bsn at value",
        ]
