"""The loket: one row per case, from the casus state (what `hub casus show` and the demo print)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.table import Table

from hub.bus.scan import read_to_end
from hub.casus.state import CasusState, Status
from hub.events.days import today as amsterdam_today

#: Decides from a state record's key and value (still JSON) whether it is wanted at all.
RecordFilter = Callable[[bytes, bytes], bool]


async def load_states(
    bootstrap: str, state_topic: str, wanted: RecordFilter | None = None
) -> dict[str, CasusState]:
    """Read the compacted state topic to its end: the last state per child, erased ones gone.

    With `wanted`, a record is looked at before it is parsed: only wanted states are decoded.
    """
    raw = await load_raw_states(bootstrap, state_topic, wanted)
    return {k.decode("ascii"): CasusState.model_validate_json(v) for k, v in raw.items()}


async def load_raw_states(
    bootstrap: str, state_topic: str, wanted: RecordFilter | None = None
) -> dict[bytes, bytes]:
    """The last state per child as it is on the topic (JSON), erased and unwanted ones gone."""
    raw: dict[bytes, bytes] = {}
    async for record in read_to_end(bootstrap, [state_topic]):
        if record.value is None:
            raw.pop(record.key, None)
        elif wanted is None or wanted(record.key, record.value):
            raw[record.key] = record.value
        else:
            raw.pop(record.key, None)  # an older wanted state is not the child's state now
    return raw


_GEOPEND = re.compile(rb'"geopend":"([0-9]{4}-[0-9]{2}-[0-9]{2})"')


def oldest_cases(
    raw: dict[bytes, bytes], limit: int, partner: str | None = None
) -> tuple[list[CasusState], int]:
    """The `limit` oldest cases (that involve `partner`) and how many states were not looked at.

    Ordered on the opening date read from the JSON text, so only the cases shown are decoded.
    """

    def opened(item: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
        found = _GEOPEND.search(item[1])
        return (found.group(1) if found else b"", item[0])

    shown: list[CasusState] = []
    looked = 0
    for _, value in sorted(raw.items(), key=opened):
        if len(shown) >= limit:
            break
        looked += 1
        state = CasusState.model_validate_json(value)
        if state.status is Status.GEEN:
            continue
        if partner is not None and not any(
            b.actief and b.partner == partner for b in state.betrokkenheden
        ):
            continue
        shown.append(state)
    return shown, len(raw) - looked


def state_filter(kind: str | None = None, partner: str | None = None) -> RecordFilter | None:
    """Keep the cases whose child pseudonym starts with `kind` and/or that involve `partner`."""
    if kind is None and partner is None:
        return None
    key = kind.encode("ascii") if kind else b""
    mark = f'"partner":"{partner}"'.encode() if partner else b""

    def wanted(record_key: bytes, value: bytes) -> bool:
        return record_key.startswith(key) and mark in value

    return wanted


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


#: Below this many columns the loket is two columns (case, details) instead of six.
NARROW = 120


def render_loket(
    states: Iterable[CasusState], now: dt.datetime | None = None, width: int = NARROW
) -> Table:
    """A rich table of the cases (not the children without one) that fits `width` columns."""
    rows = loket_rows(states, now)
    if width < NARROW:
        return _narrow(rows)
    table = Table(title="loket: één casus per kind", show_lines=True)
    for column in ("casus", "status", "betrokken", "regie", "thuiszitter", "signalen"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.casus,
            f"{row.status}\nsinds {row.sinds}",
            "\n".join(row.betrokken) or "-",
            row.regie,
            row.thuiszitter,
            "\n".join(row.signalen) or "-",
        )
    return table


def _narrow(rows: list[LoketRow]) -> Table:
    """One line per fact, under its case: what an 80-column terminal shows without wrapping."""
    table = Table(title="loket: één casus per kind", show_lines=True)
    table.add_column("casus", no_wrap=True)
    table.add_column("status en betrokkenen")
    for row in rows:
        lines = [f"{row.status} sinds {row.sinds}", *row.betrokken, f"regie: {row.regie}"]
        if row.thuiszitter != "-":
            lines.append(f"thuiszitter: {row.thuiszitter}")
        lines += [f"signaal {s}" for s in row.signalen]
        table.add_row(row.casus, "\n".join(lines))
    return table
