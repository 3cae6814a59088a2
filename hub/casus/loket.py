"""The loket: one row per case, from the casus state (what `hub casus show` and the demo print)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rich.table import Table

from hub.bus.scan import read_to_end
from hub.casus.state import CasusState, Status


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


def _betrokken(state: CasusState) -> str:
    lines = [
        f"{b.partner.value} ({b.contactrol.value if b.contactrol else '-'}, {b.domein.value}, "
        f"sinds {b.sinds})"
        for b in sorted(state.betrokkenheden, key=lambda b: b.sinds or dt.date.min)
        if b.actief
    ]
    return "\n".join(lines) or "-"


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


def render_loket(states: Iterable[CasusState], now: dt.datetime | None = None) -> Table:
    """A rich table of the cases (not the children without one)."""
    today = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).date()
    table = Table(title="loket: één casus per kind", show_lines=True)
    for column in ("casus", "status", "betrokken", "regie", "thuiszitter", "signalen"):
        table.add_column(column)
    shown = [s for s in states if s.status is not Status.GEEN]
    for s in sorted(shown, key=lambda s: (s.geopend or dt.date.min, s.kind)):
        signals = [f"{g.datum} {g.soort}" for g in s.signalen[-4:]]
        if s.bezwaren:
            signals.append(f"bezwaar ({len(s.bezwaren)})")
        table.add_row(
            s.kind[:12] + "…",
            f"{s.status.value}\nsinds {s.geopend}",
            _betrokken(s),
            _regie(s),
            _klok(s, today),
            "\n".join(signals) or "-",
        )
    return table
