"""M@ZL: worrying sick leave, the 4th sick report in 12 lesweken or 7 sick lesdagen in a row."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from hub.casus.lesweken import Schoolkalender

MELDINGEN = 4
VENSTER_LESWEKEN = 12
AANEENGESLOTEN_LESDAGEN = 7


class MazlReden(StrEnum):
    """Why the sick leave is worrying."""

    VAAK = "4e_ziekmelding_in_12_lesweken"
    LANG = "7_lesdagen_aaneengesloten_ziek"


class Ziekteverloop(BaseModel):
    """Sick reports seen for one child, and which patterns were already signalled."""

    model_config = ConfigDict(frozen=True)

    ziekmeldingen: tuple[dt.date, ...] = ()
    ziek_sinds: dt.date | None = Field(default=None, description="Start of the open sick episode.")
    lang_gemeld_voor: dt.date | None = Field(
        default=None, description="The episode start for which 'lang' was signalled."
    )
    vaak_gemeld_tot: dt.date | None = Field(
        default=None, description="Last report of the window for which 'vaak' was signalled."
    )


def ziekmelding(
    verloop: Ziekteverloop, datum: dt.date, kalender: Schoolkalender
) -> tuple[Ziekteverloop, MazlReden | None]:
    """Record a sick report; signal the 4th report within 12 lesweken, once per window."""
    meldingen = tuple(sorted({*verloop.ziekmeldingen, datum}))
    window_start = min(kalender.lesweken_back(datum, VENSTER_LESWEKEN))
    recent = [d for d in meldingen if window_start <= d <= datum]
    ziek_sinds = verloop.ziek_sinds if verloop.ziek_sinds and verloop.ziek_sinds <= datum else datum
    signal = None
    vaak_gemeld_tot = verloop.vaak_gemeld_tot
    already = vaak_gemeld_tot is not None and vaak_gemeld_tot >= window_start
    if len(recent) >= MELDINGEN and not already:
        signal = MazlReden.VAAK
        vaak_gemeld_tot = datum
    horizon = min(kalender.lesweken_back(max(meldingen), VENSTER_LESWEKEN))
    return (
        verloop.model_copy(
            update={
                "ziekmeldingen": tuple(d for d in meldingen if d >= horizon),
                "ziek_sinds": ziek_sinds,
                "vaak_gemeld_tot": vaak_gemeld_tot,
            }
        ),
        signal,
    )


def herstelmelding(
    verloop: Ziekteverloop, datum: dt.date, kalender: Schoolkalender
) -> tuple[Ziekteverloop, MazlReden | None]:
    """Close the open episode (back at school on `datum`); signal a long one not yet signalled."""
    verloop, signal = controleer(verloop, datum - dt.timedelta(days=1), kalender)
    return verloop.model_copy(update={"ziek_sinds": None}), signal


def controleer(
    verloop: Ziekteverloop, vandaag: dt.date, kalender: Schoolkalender
) -> tuple[Ziekteverloop, MazlReden | None]:
    """Signal an open episode that reached 7 lesdagen by `vandaag` (called on every tick)."""
    sinds = verloop.ziek_sinds
    if sinds is None or verloop.lang_gemeld_voor == sinds:
        return verloop, None
    if kalender.lesdagen_between(sinds, vandaag) >= AANEENGESLOTEN_LESDAGEN:
        return verloop.model_copy(update={"lang_gemeld_voor": sinds}), MazlReden.LANG
    return verloop, None
