"""The casus derives every date in Amsterdam days: an event of day D is D, whatever UTC says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.adapters.kit import Context
from hub.adapters.pipeline import Accepted, run
from hub.adapters.registry import builtin_registry
from hub.casus.config import CasusConfig
from hub.casus.transition import Tick, volgende_moment
from hub.casus.verzuimdrempel import meld_uiterlijk
from hub.events import buurtteam as bu
from hub.events import casus as cs
from hub.events import leerplicht as lp
from hub.events import school, swv
from hub.events.days import day_start
from hub.events.envelope import Event, Payload, new_event
from hub.events.vocab import Domein, Partner
from tests.unit.casus.helpers import CONFIG, GEEN_VAKANTIE, D, kind
from tests.unit.casus.helpers import run as casus_run
from tests.unit.views.stream import keyring_for_tests

UTC = dt.UTC


def on(data: Payload, partner: str, record: str, moment: dt.datetime) -> Event[Any]:
    return new_event(
        data,
        partner=Partner(partner),
        organisation="org1",
        system="sys",
        source_record_id=record,
        subject=kind("amsterdam"),
        pseudonymkid="hk-1",
        time=moment,
    )


def datums(outputs: list[Any]) -> dict[str, dt.date]:
    return {u.soort: u.data.datum for u in outputs if hasattr(u.data, "datum")}


def test_a_zorgsignaal_of_20_november_through_the_adapter_opens_the_case_that_day() -> None:
    adapter = builtin_registry().get_adapter("school", "zorgsignaal")
    body = (
        b'{"record_id": "zs-1", "bsn": "123456782", "datum": "2026-11-20", '
        b'"domein": "gezin", "urgentie": "normaal", "brin": "12AB"}'
    )
    ctx = Context.from_keyring(keyring_for_tests())
    (item,) = run(adapter, body, "application/json", ctx)
    assert isinstance(item, Accepted)
    _, out = casus_run([item.event])
    assert datums(out)["geopend"] == D("2026-11-20")


def test_an_arrangement_from_1_december_joins_on_1_december() -> None:
    start = bu.HulptrajectGestart(datum=D("2026-11-02"), domein=Domein.GEZIN)
    arrangement = swv.ArrangementToegekend(soort=swv.ArrangementSoort.MAATWERK, van=D("2026-12-01"))
    _, out = casus_run(
        [
            on(start, "buurtteam", "ht-1", day_start(D("2026-11-02"))),
            on(arrangement, "swv", "ar-1", day_start(D("2026-12-01"))),
        ]
    )
    assert datums(out)["aangesloten"] == D("2026-12-01")
    assert datums(out)["match"] == D("2026-12-01")


@pytest.mark.parametrize(
    "day",
    # Summer time, both DST changes and the days around them, winter time.
    ["2026-08-20", "2026-03-28", "2026-03-29", "2026-03-30", "2026-10-25", "2026-10-26"],
)
def test_a_thuiszitter_opens_the_case_on_the_day_it_was_reported(day: str) -> None:
    data = lp.ThuiszitterGemeld(soort=lp.ThuiszitterSoort.ABSOLUUT_VERZUIM, sinds=D(day))
    state, out = casus_run([on(data, "leerplicht", f"tz-{day}", day_start(D(day)))])
    assert datums(out)["geopend"] == D(day)
    assert state is not None
    assert state.geopend == D(day)
    assert state.laatste_signaal == D(day)


def test_an_event_late_in_the_evening_belongs_to_that_evenings_day() -> None:
    data = school.ZorgsignaalAfgegeven(
        datum=D("2026-11-20"), domein=Domein.GEZIN, urgentie=school.Urgentie.NORMAAL
    )
    # 23:30 in Amsterdam on 20 November is 22:30 UTC; 00:30 on the 21st is 23:30 UTC.
    late = dt.datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
    _, out = casus_run([on(data, "school", "zs-late", late)])
    assert datums(out)["geopend"] == D("2026-11-20")
    after = dt.datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    _, out = casus_run([on(data, "school", "zs-after", after)])
    assert datums(out)["geopend"] == D("2026-11-21")


class TestDeadlinesCountInAmsterdamDays:
    """The thuiszitter clock (3 months) and the DUO term (5 working days) in Amsterdam days."""

    config = CasusConfig(kalender=GEEN_VAKANTIE, termijn_waarschuwingen=())

    def state(self) -> Any:
        data = lp.ThuiszitterGemeld(
            soort=lp.ThuiszitterSoort.ABSOLUUT_VERZUIM, sinds=D("2026-08-20")
        )
        state, _ = casus_run(
            [on(data, "leerplicht", "tz-klok", day_start(D("2026-08-20")))], config=self.config
        )
        assert state is not None
        assert state.thuiszitten.klok is not None
        assert state.thuiszitten.klok.deadline == D("2026-11-20")
        return state

    def test_the_deadline_passes_at_amsterdam_midnight(self) -> None:
        state = self.state()
        # 23:59 on 19 November in Amsterdam: not yet.
        _, out = casus_run(
            [Tick(dt.datetime(2026, 11, 19, 22, 59, tzinfo=UTC))], state, self.config
        )
        assert out == []
        # 00:01 on 20 November in Amsterdam, still the 19th in UTC: passed.
        after = Tick(dt.datetime(2026, 11, 19, 23, 1, tzinfo=UTC))
        _, out = casus_run([after], state, self.config)
        assert [u.soort for u in out] == ["verstreken"]
        assert isinstance(out[0].data, cs.ThuiszitterTermijnVerstreken)
        assert out[0].data.deadline == D("2026-11-20")
        assert out[0].data.dagen_over == 0

    def test_the_next_tick_is_due_at_amsterdam_midnight(self) -> None:
        due = volgende_moment(self.state(), self.config)
        assert due == day_start(D("2026-11-20"))
        assert due == dt.datetime(2026, 11, 19, 23, 0, tzinfo=UTC)

    def test_the_duo_term_is_five_working_days_from_the_amsterdam_day(self) -> None:
        # Found on Thursday 19 November: Fri, Mon, Tue, Wed, Thu -> Thursday 26 November.
        assert meld_uiterlijk(D("2026-11-19"), GEEN_VAKANTIE) == D("2026-11-26")


def test_the_verzuimdrempel_asks_for_the_melding_five_working_days_after_the_breach() -> None:
    events = [
        on(
            school.VerzuimGeregistreerd(
                datum=D(day), lesuren=6.0, soort=school.VerzuimSoort.ONGEOORLOOFD, brin="12AB"
            ),
            "school",
            f"vz-{day}",
            day_start(D(day)),
        )
        for day in ("2026-11-16", "2026-11-17", "2026-11-18")
    ]
    _, out = casus_run(events, config=CONFIG)
    (breach,) = [u.data for u in out if isinstance(u.data, cs.VerzuimdrempelOverschreden)]
    assert breach.melden_uiterlijk == D("2026-11-25")
