"""The loket page renders cases with pseudonyms only, every value escaped."""

from __future__ import annotations

import datetime as dt

from hub.casus.loket import LoketRow
from hub.web.loket import render_page


def row(**changes: object) -> LoketRow:
    values: dict[str, object] = {
        "casus": "38494dd1b2c3…",
        "status": "open",
        "sinds": dt.date(2026, 10, 15),
        "betrokken": ["leerplicht (leerplichtambtenaar, verzuim, sinds 2026-10-16)"],
        "regie": "leerplicht? (voorgesteld)",
        "thuiszitter": "40 dagen, deadline 2027-01-14",
        "signalen": ["2026-11-23 thuiszitter_termijn.waarschuwing"],
    }
    values.update(changes)
    return LoketRow(**values)  # type: ignore[arg-type]


class TestLoketPage:
    def test_one_row_per_case(self) -> None:
        page = render_page([row(), row(casus="aa…")])
        assert page.count("<tr><td class='casus'>") == 2
        assert "2 casus(sen)" in page

    def test_values_are_escaped(self) -> None:
        page = render_page([row(regie="<script>alert(1)</script>")])
        assert "<script>" not in page
        assert "&lt;script&gt;" in page

    def test_expired_clock_is_marked(self) -> None:
        page = render_page([row(thuiszitter="95 dagen, deadline 2027-01-14 VERSTREKEN")])
        assert "class='verstreken'" in page
