"""The loket: one row per case, from the casus state (what `hub casus show` and the demo print)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rich.table import Table

from hub.bus.scan import read_to_end
from hub.casus.state import CasusState, Status
from hub.events.days import today as amsterdam_today


async def load_states(bootstrap: str, state_topic: str) -> dict[str, CasusState]:
    """Read the compacted state topic to its end: the last state per child, erased ones gone."""
    states: dict[str, CasusState] = {}
    async for record in read_to_end(bootstrap, [state_topic]):
        child = record.key.decode("ascii")
        if record.value is None:
            states.pop(child, None)
        else:
            states[child] = CasusState.model_validate_json(record.value)
    return states


@dataclass(frozen=True)
class LoketRow:
    """One case as the loket shows it, in the terminal or on the web page."""

    casus: str
    status: str
    sinds: dt.date | None
    betrokken: list[str]
    regie: str
    thuiszitter: str
    signalen: list[str]


def _betrokken(state: CasusState) -> list[str]:
    return [
        f"{b.partner.value} ({b.contactrol.value if b.contactrol else '-'}, {b.domein.value}, "
        f"sinds {b.sinds})"
        for b in sorted(state.betrokkenheden, key=lambda b: b.sinds or dt.date.min)
        if b.actief
    ]


def _regie(state: CasusState) -> str:
    r = state.regie
    if r.aanvaard is not None:
        return f"{r.aanvaard.value} (aanvaard {r.aanvaard_op})"
    if r.voorgesteld is not None:
        return f"{r.voorgesteld.value}? (voorgesteld, {r.regel})"
    return "-"


def _klok(state: CasusState, today: dt.date) -> str:
    klok = state.thuiszitten.klok
    if klok is None:
        return "-"
    dagen = (today - klok.sinds).days
    over = " VERSTREKEN" if today >= klok.deadline else ""
    return f"{dagen} dagen, deadline {klok.deadline}{over}"


def loket_rows(states: Iterable[CasusState], now: dt.datetime | None = None) -> list[LoketRow]:
    """The cases (not the children without one), oldest first, as loket rows."""
    today = amsterdam_today(now)
    shown = [s for s in states if s.status is not Status.GEEN]
    rows = []
    for s in sorted(shown, key=lambda s: (s.geopend or dt.date.min, s.kind)):
        signals = [f"{g.datum} {g.soort}" for g in s.signalen[-4:]]
        if s.bezwaren:
            signals.append(f"bezwaar ({len(s.bezwaren)})")
        rows.append(
            LoketRow(
                casus=s.kind[:12] + "…",
                status=s.status.value,
                sinds=s.geopend,
                betrokken=_betrokken(s),
                regie=_regie(s),
                thuiszitter=_klok(s, today),
                signalen=signals,
            )
        )
    return rows


def render_loket(states: Iterable[CasusState], now: dt.datetime | None = None) -> Table:
    """A rich table of the cases (not the children without one)."""
    table = Table(title="loket: één casus per kind", show_lines=True)
    for column in ("casus", "status", "betrokken", "regie", "thuiszitter", "signalen"):
        table.add_column(column)
    for row in loket_rows(states, now):
        table.add_row(
            row.casus,
            f"{row.status}\nsinds {row.sinds}",
            "\n".join(row.betrokken) or "-",
            row.regie,
            row.thuiszitter,
            "\n".join(row.signalen) or "-",
        )
    return table
