"""The pipeline's leak check: personal data planted in any field of an event's data is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from hub.adapters import pipeline
from hub.adapters.jsonfeed import parse_json
from hub.adapters.kit import Context, Mapped, RawRecord, RecordRejected, day_start, pseudonym
from hub.adapters.pipeline import Accepted, leak_check, run
from hub.adapters.report import Rejection
from hub.events.envelope import Event, Payload, new_event, partners
from hub.events.registry import payload_models
from hub.events.vocab import Partner
from hub.privacy.leakscan import Finding

BSN = "123456782"  # made up, passes the 11-proef
ONDERWIJSNUMMER = "101222331"  # made up


class Vrij(Payload):
    """A test payload with free fields; built with `model_construct` to get past its guards."""

    event_type: ClassVar[str] = "nl.onderwijsjeugd.test.vrij.v1"
    producers: ClassVar[frozenset[Partner]] = partners(Partner.SCHOOL)
    example: ClassVar[dict[str, Any]] = {}

    tekst: str | None = None
    getal: int | None = None
    extra: dict[str, Any] | None = None
    lijst: list[Any] | None = None


def event(**fields: Any) -> Event[Any]:
    return new_event(
        Vrij.model_construct(**fields),
        partner=Partner.SCHOOL,
        organisation="12AB",
        system="test",
        source_record_id="ref-1",
        subject="ab" * 32,
        pseudonymkid="pseudonym.v1",
        time=day_start(dt.date(2026, 11, 16)),
    )


#: (fields of the data, what the message names, text the message must not repeat)
PLANTED: list[tuple[dict[str, Any], str, str]] = [
    ({"tekst": f"leerling {BSN}"}, "bsn at data.tekst", BSN),
    ({"getal": int(BSN)}, "bsn at data.getal", BSN),
    ({"tekst": f"regel\n{BSN}"}, "bsn at data.tekst", BSN),
    ({"tekst": f"é{BSN}"}, "bsn at data.tekst", BSN),
    ({"extra": {BSN: 1}}, "bsn at data.extra.{key}", BSN),
    ({"lijst": [1, {"o": ONDERWIJSNUMMER}]}, "onderwijsnummer at data.lijst[1].o", "1012"),
    ({"extra": {"Achternaam": "x"}}, "pii-key at data.extra.Achternaam", '"x"'),
    ({"extra": {"Date-Of-Birth": "x"}}, "pii-key at data.extra.Date-Of-Birth", '"x"'),
    ({"tekst": json.dumps({"leerling": {"bsn": "x"}})}, "pii-key at data.tekst.leerling.bsn", "x"),
    ({"tekst": '{"n\\u0061am": "x"}'}, "pii-key at data.tekst.naam", '"x"'),
    ({"tekst": "Kerkstraat, 1234 AB, 12"}, "postcode-huisnummer at data.tekst", "1234"),
    ({"extra": {"geboren": "03-04-2015"}}, "geboortedatum at data.extra.geboren", "2015"),
    ({"tekst": "geboren op 3/4/2015"}, "geboortedatum at data.tekst", "2015"),
    ({"lijst": [{"birthDay": "2015-04-03"}]}, "geboortedatum at data.lijst[0].birthDay", "2015"),
]


def refusal(ev: Event[Any]) -> RecordRejected:
    with pytest.raises(RecordRejected) as caught:
        leak_check(ev)
    return caught.value


class TestLeakCheck:
    @pytest.mark.parametrize(("fields", "where", "value"), PLANTED)
    def test_planted_value_is_refused_without_repeating_it(
        self, fields: dict[str, Any], where: str, value: str
    ) -> None:
        exc = refusal(event(**fields))
        assert exc.reason == "pii_in_output"
        assert where in exc.message
        assert value not in exc.message

    def test_both_rules_at_one_key(self) -> None:
        message = refusal(event(extra={"geboortedatum": "03-04-2015"})).message
        assert "geboortedatum at data.extra.geboortedatum" in message
        assert "pii-key at data.extra.geboortedatum" in message
        assert "2015" not in message

    @pytest.mark.parametrize(
        "fields",
        [
            {"tekst": "gewoon een opmerking", "getal": 2015},
            {"extra": {"datum": "03-04-2015", "geboortejaar": 2015}},
            {"tekst": 'zei "nee"', "lijst": ["regel\nregel", "café"]},
            {"getal": 1234567820, "tekst": "0123456789abcdef" * 4},
        ],
    )
    def test_clean_data_passes(self, fields: dict[str, Any]) -> None:
        leak_check(event(**fields))


@pytest.mark.parametrize("model", payload_models(), ids=lambda m: m.event_type)
def test_the_checked_text_is_the_data_the_walk_sees(model: type[Payload]) -> None:
    # The text check stands in for the walk only if both see the same JSON.
    data = model.model_validate(model.example)
    text = data.model_dump_json(exclude_none=True)
    assert json.loads(text) == data.model_dump(mode="json", exclude_none=True)


class TestTwoPaths:
    @pytest.fixture
    def walks(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Records each field-by-field scan the leak check runs."""
        seen: list[str] = []
        original = pipeline.scan_value

        def spy(value: Any, path: str = "$", birth_context: bool = False) -> list[Finding]:
            seen.append(path)
            return original(value, path, birth_context)

        monkeypatch.setattr(pipeline, "scan_value", spy)
        return seen

    def test_clean_ascii_text_needs_no_walk(self, walks: list[str]) -> None:
        leak_check(event(tekst="gewoon", getal=3, extra={"datum": "2026-11-16"}))
        assert walks == []

    @pytest.mark.parametrize(
        "fields",
        [
            {"tekst": 'zei "nee"'},  # an escape in the JSON
            {"tekst": "café"},  # non-ASCII
            {"extra": {"geboortejaar": 2015, "datum": "2026-11-16"}},  # a birth word and a date
            {"getal": -int(BSN)},  # looks like a BSN in the text; not one as a number
        ],
    )
    def test_a_suspect_is_decided_by_the_walk(
        self, walks: list[str], fields: dict[str, Any]
    ) -> None:
        leak_check(event(**fields))
        assert walks == ["data"]

    def test_a_leak_is_reported_by_the_walk(self, walks: list[str]) -> None:
        refusal(event(tekst=f"leerling {BSN}"))
        assert walks == ["data"]


class Lekt:
    """An adapter that copies the record's `opmerking` into its event as it is."""

    partner: ClassVar[Partner] = Partner.SCHOOL
    feed: ClassVar[str] = "lekt"
    system: ClassVar[str] = "test"
    description: ClassVar[str] = "Leaks."

    def parse(self, body: bytes, content_type: str) -> Iterator[RawRecord | Rejection]:
        return parse_json(body, content_type)

    def map(self, record: RawRecord, ctx: Context) -> Mapped:
        subject = pseudonym(record, ctx)
        data = Vrij.model_construct(tekst=str(record.fields.get("opmerking", "")))
        ev = new_event(
            data,
            partner=self.partner,
            organisation="12AB",
            system=self.system,
            source_record_id=f"ref-{record.number}",
            subject=subject.value,
            pseudonymkid=subject.kid,
            time=day_start(dt.date(2026, 11, 16)),
        )
        return Mapped([ev])


def test_run_rejects_the_leaking_record_and_keeps_the_rest(ctx: Context) -> None:
    rows = [
        {"bsn": BSN, "opmerking": "belde niet terug"},
        {"bsn": BSN, "opmerking": f"bsn {BSN}"},
        {"bsn": BSN, "opmerking": "geboren 03-04-2015"},
    ]
    items = list(run(Lekt(), json.dumps(rows).encode(), "application/json", ctx))
    assert [type(i).__name__ for i in items] == ["Accepted", "Rejection", "Rejection"]
    assert isinstance(items[0], Accepted)
    for item in items[1:]:
        assert isinstance(item, Rejection)
        assert item.reason == "pii_in_output"
        assert BSN not in item.message
        assert "2015" not in item.message
