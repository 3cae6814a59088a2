"""The casus processor's settings: calendar, waiting times and retention, all configurable."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.casus.lesweken import REGIO_MIDDEN, Schoolkalender
from hub.casus.termijn import STANDAARD_WAARSCHUWINGEN


@dataclass(frozen=True)
class CasusConfig:
    """Everything the pure transition needs besides the state and the input."""

    kalender: Schoolkalender = field(default_factory=lambda: REGIO_MIDDEN)
    #: Days after the match within which a partner should accept regie (then: regie ontbreekt).
    regie_termijn_dagen: int = 10
    #: Warnings of the thuiszitter clock, in days since the child became a thuiszitter.
    termijn_waarschuwingen: tuple[int, ...] = STANDAARD_WAARSCHUWINGEN
    #: Grace period after the last partner left (and no clock runs) before the case closes.
    sluit_na_dagen: int = 28
    #: A case without a signal for this long is archived (signals are active at most 2 years).
    archiveer_na_dagen: int = 730
    #: An archived case is destroyed at the latest this many years after its last signal.
    archief_jaren: int = 5
    #: Age at which a child's case is erased (by year of birth: from 1 January of that year).
    wis_leeftijd: int = 23
    #: How many input event ids a case remembers to drop duplicates.
    gezien_max: int = 256
    #: How many recent signals the loket shows per case.
    signalen_max: int = 20
    #: The organisation id in the `source` of the events the casus emits.
    organisatie: str = "regio"
