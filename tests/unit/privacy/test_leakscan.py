"""The leak scanner's pure core: rules, paths, and never the value."""

from __future__ import annotations

import json
import random

import pydantic_core
import pytest

from hub.privacy.leakscan import (
    Finding,
    json_may_hold_pii,
    scan_json_lines,
    scan_record,
    scan_value,
)

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


def _dumps(doc: object) -> list[str]:
    """The JSON texts of `doc` a caller may hand over: Python's, compact, and pydantic's."""
    return [
        json.dumps(doc),
        json.dumps(doc, ensure_ascii=False, separators=(",", ":")),
        pydantic_core.to_json(doc).decode(),
    ]


#: Planted values the recursive scan finds, among them ones a plain regex over the text misses.
PLANTED: list[object] = [
    {"opmerking": f"leerling {BSN}"},
    {"n": int(BSN)},
    {"leerlingen": {BSN: {"uren": 3}}},
    {"a": [1, {"b": BSN}]},
    {"o": "leerling 101222331"},
    {"data": {"leerling": {"Achternaam": "x"}}},
    {" NAAM ": "x"},
    {"Date-Of-Birth": "x"},
    {"payload": json.dumps({"leerling": {"bsn": "x"}})},
    {"x": "Kerkstraat, 3511 LM, 7"},
    {"geboren": "03-04-2015"},
    {"birthDay": "2015-04-03"},
    {"notitie": "geboren op 3/4/2015"},
    {"geboortedatum": ["x", "03-04-2015"]},
    {"p": f"[{BSN}]"},
    {"x": f"\n{BSN}"},  # the escape `\n` puts a letter before the digits in the text
    {"x": f"\x01{BSN}"},  # `\u0001` runs into the digits
    {"x": f"é{BSN}"},  # `\u00e9` does the same when the JSON is ASCII-only
    {"p": '{"n\\u0061am": "x"}'},  # a key spelt with an escape inside embedded JSON
    {"p": '{"x": "\\u0031234 AB 12"}'},
    {"n\x01aam": 1, "naam\n": "x"},
    {"x": "bİrth 03-04-2015"},  # the regex's case rules are Unicode, str.lower is not
    {"bırth": "03-04-2015"},
]


class TestJsonPrefilter:
    @pytest.mark.parametrize("doc", PLANTED)
    def test_every_planted_value_is_suspect(self, doc: object) -> None:
        assert scan_value(doc)
        for text in _dumps(doc):
            assert json_may_hold_pii(text)

    @pytest.mark.parametrize(
        "doc",
        [
            {"brin": "12AB", "vestiging": "00", "datum": "2026-09-07", "lesuren": 2.5},
            {"subject": "0123456789abcdef" * 4, "kid": "dk.0123456789abcdef.0123456789abcdef"},
            {"geboortejaar": 2015, "lesuren": 2},
            {"uren": 123456789, "n": 1234567820, "brin": "12AB"},
            {"ct": "Qm9vbXRvd24gcmVhbCBsb25nIGNpcGhlcnRleHQ", "iv": "AbCdEfGhIjKlMnOp"},
            [],
        ],
    )
    def test_clean_text_passes_without_the_recursive_scan(self, doc: object) -> None:
        text = pydantic_core.to_json(doc).decode()
        assert "\\" not in text
        assert not json_may_hold_pii(text)

    @pytest.mark.parametrize("text", ['{"x":"zei \\"nee\\""}', '{"x":"café"}'])
    def test_escapes_and_non_ascii_go_to_the_recursive_scan(self, text: str) -> None:
        assert scan_value(json.loads(text)) == []
        assert json_may_hold_pii(text)

    def test_random_documents(self) -> None:
        # Random mixtures of the rules' material with escapes, keys and nesting: whenever the
        # recursive scan finds something, the text check must say "suspect".
        rng = random.Random(20261123)
        found = 0
        for _ in range(3000):
            doc = _random_doc(rng, 3)
            if not scan_value(doc):
                continue
            found += 1
            for text in _dumps(doc):
                assert json_may_hold_pii(text), text
        assert found > 500


_PIECES = (
    BSN,
    "101222331",
    "1234 AB 12",
    "03-04-2015",
    "2015-04-03",
    "geboren",
    "Geboortedatum",
    "dob",
    "naam",
    " NAAM ",
    "date-of-birth",
    "12AB",
    "\n",
    "\x01",
    '"',
    "\\",
    "é",
    "x",
    "1",
    " ",
    ",",
    "{",
    "}",
    ":",
    "-",
    "_",
)


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 3)))


def _random_doc(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(8 if depth > 0 else 5)
    if kind == 0:
        return _random_text(rng)
    if kind == 1:
        return rng.choice([int(BSN), 101222331, 2015, -int(BSN), 1.5, True, None])
    if kind == 2:
        return json.dumps(_random_doc(rng, depth - 1), ensure_ascii=rng.random() < 0.5)
    if kind in (3, 4):
        return rng.choice(["", "x", " ", f"{BSN}."]) + _random_text(rng)
    if kind == 5:
        return [_random_doc(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return {_random_text(rng): _random_doc(rng, depth - 1) for _ in range(rng.randint(1, 3))}
