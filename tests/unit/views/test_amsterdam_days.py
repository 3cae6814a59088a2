"""Dates the views and the loket show are Amsterdam days, also just after midnight."""

from __future__ import annotations

import datetime as dt

from hub.casus.loket import loket_rows
from hub.casus.state import CasusState, Status, Thuiszitten
from hub.casus.termijn import Termijnklok
from hub.views.inzage import datum_nl
from hub.views.policy import load_policy
from hub.views.project import erasure_notice
from tests.unit.views.stream import BSNS, hub_pseudonym, keyring_for_tests

D = dt.date.fromisoformat
#: 00:30 on 20 November in Amsterdam; still 19 November in UTC.
JUST_AFTER_MIDNIGHT = dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC)


def test_an_erasure_notice_just_after_midnight_carries_the_new_day() -> None:
    ring = keyring_for_tests()
    notice = erasure_notice(
        load_policy(),
        "buurtteam",
        hub_pseudonym(BSNS[0], ring),
        ring,
        trigger_id="wis-1",
        when=JUST_AFTER_MIDNIGHT,
    )
    assert notice.data["datum"] == "2026-11-20"


def test_the_loket_counts_thuiszitter_days_to_the_amsterdam_today() -> None:
    klok = Termijnklok(sinds=D("2026-08-20"), soort="absoluut_verzuim")
    state = CasusState(
        kind="a" * 64,
        pseudonymkid="hk-1",
        status=Status.OPEN,
        geopend=D("2026-08-20"),
        thuiszitten=Thuiszitten(klok=klok),
    )
    (row,) = loket_rows([state], JUST_AFTER_MIDNIGHT)
    assert row.thuiszitter == "92 dagen, deadline 2026-11-20 VERSTREKEN"
    assert datum_nl(D("2026-11-20")) == "20 november 2026"
