"""Contracts produced by the buurtteam: hulptrajecten, facts only."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from hub.events.envelope import Payload, partners
from hub.events.registry import register
from hub.events.sensitivity import DOMEIN_GEZONDHEID, SensitiveValue
from hub.events.vocab import Domein, Partner

HULPTRAJECT_GESTART = "nl.onderwijsjeugd.buurtteam.hulptraject.gestart.v1"
HULPTRAJECT_BEEINDIGD = "nl.onderwijsjeugd.buurtteam.hulptraject.beeindigd.v1"


class TrajectEinde(StrEnum):
    """How a hulptraject ended."""

    AFGEROND = "afgerond"
    JEUGDHULP = "overgedragen_jeugdhulp"
    GESTOPT_DOOR_GEZIN = "gestopt_door_gezin"
    VERHUISD = "verhuisd"
    OVERIG = "overig"


@register
class HulptrajectGestart(Payload):
    """The buurtteam started supporting the family."""

    event_type: ClassVar[str] = HULPTRAJECT_GESTART
    producers: ClassVar[frozenset[Partner]] = partners(Partner.BUURTTEAM)
    sensitive_values: ClassVar[tuple[SensitiveValue, ...]] = (DOMEIN_GEZONDHEID,)
    example: ClassVar[dict[str, Any]] = {"datum": "2026-11-09", "domein": "opvoeden"}

    datum: dt.date
    domein: Domein


@register
class HulptrajectBeeindigd(Payload):
    """The buurtteam ended its support."""

    event_type: ClassVar[str] = HULPTRAJECT_BEEINDIGD
    producers: ClassVar[frozenset[Partner]] = partners(Partner.BUURTTEAM)
    example: ClassVar[dict[str, Any]] = {"datum": "2027-04-30", "reden": "afgerond"}

    datum: dt.date
    reden: TrajectEinde
