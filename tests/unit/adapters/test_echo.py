"""Reports and dead letters never echo a value: names only when field-like, numbers in bounds."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import RawRecord, RecordRejected, record_ref
from hub.bus.dlq import DeadLetter
from hub.events.errors import describe
from hub.events.guards import looks_like_bsn, looks_like_identifier
from hub.events.school import VerzuimGeregistreerd
from tests.data.school import HEADER, csv_bytes, rows

#: Made-up BSNs that pass the 11-proef.
BSN = "304321035"
OTHER_BSN = "232262536"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def digits_of(number: str) -> list[str]:
    """Every run of 4 digits of `number`: none may show up in an answer."""
    return [number[i : i + 4] for i in range(len(number) - 3)]


def everything(report_json: str, publisher: MemoryPublisher) -> str:
    letters = [
        DeadLetter.model_validate_json(o.value or b"").model_dump_json()
        for o in publisher.outputs
        if o.topic == "dlq.v1"
    ]
    return report_json + "".join(letters)


class TestUnknownNames:
    async def test_a_childs_name_used_as_a_key_is_not_named(self, service: IngestService) -> None:
        record = {
            "record_id": "Z-1",
            "bsn": "123456782",
            "ziek_vanaf": "2026-11-16",
            "Sanne de Vries": "ziek",
            "sanne": "mentor belde",
            "Mohammed": True,
            "leerling_id": "4711",
            "klas2": "3b",
            "mentor": "x",
            "naam": "Sanne de Vries",
        }
        report = await service.ingest(
            "school", "ziekmelding", json.dumps(record).encode(), "application/json"
        )
        assert len(report.accepted) == 1
        text = report.model_dump_json().lower()
        for name in ("sanne", "vries", "mohammed"):
            assert name not in text
        shown = set(report.ignored)
        assert {"leerling_id", "klas2", "mentor", "naam"} <= shown
        assert report.ignored["(name not shown)"] == 3  # Sanne de Vries, sanne, Mohammed

    async def test_a_csv_column_named_after_a_child_is_not_named(
        self, service: IngestService
    ) -> None:
        body = csv_bytes([[*r, "x", "y"] for r in rows(2)], header=(*HEADER, "Mentor", "Fleur"))
        report = await service.ingest("school", "verzuim", body, "text/csv")
        assert report.ignored == {"mentor": 2, "(name not shown)": 2}

    async def test_a_key_holding_a_bsn_is_not_named(self, service: IngestService) -> None:
        record = {
            "record_id": "Z-2",
            "bsn": "123456782",
            "ziek_vanaf": "2026-11-16",
            f"kind_{OTHER_BSN}": "x",
        }
        report = await service.ingest(
            "school", "ziekmelding", json.dumps(record).encode(), "application/json"
        )
        assert report.ignored == {"(name not shown)": 1}
        for part in digits_of(OTHER_BSN):
            assert part not in report.model_dump_json()


class TestNumbers:
    async def test_a_bsn_shifted_into_lesuren_shows_no_digit_of_it(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        row = list(next(rows(1)))
        row[8] = BSN  # the BSN one column to the right, where lesuren should be
        report = await service.ingest("school", "verzuim", csv_bytes([row]), "text/csv")
        (rejection,) = report.rejected
        assert rejection.reason == "invalid_lesuren"
        answer = everything(report.model_dump_json(), publisher)
        assert "3.04321e+08" not in answer
        for part in digits_of(BSN):
            assert part not in answer

    async def test_a_bsn_as_a_json_number_shows_no_digit_of_it(
        self, service: IngestService, publisher: MemoryPublisher
    ) -> None:
        record = {
            "brin": "12AB",
            "leerlingnummer": "4711",
            "bsn": "123456782",
            "datum": "2026-11-16",
            "lesuren": int(BSN),
            "soort": "ongeoorloofd",
        }
        report = await service.ingest(
            "school", "verzuim", json.dumps(record).encode(), "application/json"
        )
        (rejection,) = report.rejected
        assert "lesuren" in rejection.message
        answer = everything(report.model_dump_json(), publisher)
        for part in digits_of(BSN):
            assert part not in answer

    def test_a_contract_error_shows_no_digit_of_a_long_number(self) -> None:
        with pytest.raises(ValidationError) as invalid:
            VerzuimGeregistreerd.model_validate(
                {"datum": "2026-11-16", "lesuren": int(BSN), "soort": "ongeoorloofd"}
            )
        (line,) = describe(invalid.value)
        assert line.startswith("lesuren: must be at most 12 (got a number not repeated here)")
        with pytest.raises(ValidationError) as invalid:
            VerzuimGeregistreerd.model_validate(
                {"datum": "2026-11-16", "lesuren": 13.5, "soort": "ongeoorloofd"}
            )
        assert describe(invalid.value) == ["lesuren: must be at most 12 (got 13.5)"]

    async def test_a_number_within_its_kind_is_still_shown(self, service: IngestService) -> None:
        row = list(next(rows(1)))
        row[8] = "13"
        report = await service.ingest("school", "verzuim", csv_bytes([row]), "text/csv")
        assert "(got 13)" in report.rejected[0].message


class TestRecordIdGuard:
    @pytest.mark.parametrize(
        "value",
        [
            BSN.translate(FULL_WIDTH),
            "304 321 035".translate(FULL_WIDTH),
            "304\u3000321\u3000035".translate(FULL_WIDTH),  # ideographic spaces
            "304－321－035".translate(FULL_WIDTH),
            "304．321．035".translate(FULL_WIDTH),
        ],
    )
    def test_a_bsn_in_full_width_digits_is_refused(self, value: str) -> None:
        assert looks_like_bsn(value)
        with pytest.raises(RecordRejected) as refused:
            record_ref(RawRecord(1, {"record_id": value}))
        assert refused.value.reason == "identifier_in_record_id"
        assert BSN not in refused.value.message

    def test_an_onderwijsnummer_in_arabic_indic_digits_is_an_identifier(self) -> None:
        arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
        assert looks_like_identifier("101010108".translate(arabic))

    @pytest.mark.parametrize("value", ["Sanne de Vries", "Sanne", "de Vries, S.", "jan de vries"])
    def test_a_name_is_refused_as_a_record_id(self, value: str) -> None:
        with pytest.raises(RecordRejected) as refused:
            record_ref(RawRecord(1, {"record_id": value}))
        assert refused.value.reason == "name_in_record_id"
        assert value.lower() not in refused.value.message.lower()

    @pytest.mark.parametrize("value", ["Z-1", "tz-b", "dossier-2026-0042", "AB12", "LRV/2026/17"])
    def test_record_numbers_and_codes_pass(self, value: str) -> None:
        assert record_ref(RawRecord(1, {"record_id": value})) == value
