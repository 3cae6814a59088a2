"""Betrokkenheid: the fact that a partner is involved with a child, never the content."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from hub.events.envelope import Payload
from hub.events.fields import Geboortejaar
from hub.events.registry import register
from hub.events.sensitivity import DOMEIN_GEZONDHEID, SensitiveValue
from hub.events.vocab import KERNPARTNERS, ContactRol, Domein, Partner

BETROKKENHEID_GESTART = "nl.onderwijsjeugd.betrokkenheid.gestart.v1"
BETROKKENHEID_BEEINDIGD = "nl.onderwijsjeugd.betrokkenheid.beeindigd.v1"


class EindeReden(StrEnum):
    """Why an involvement ended."""

    AFGEROND = "afgerond"
    OVERGEDRAGEN = "overgedragen"
    VERHUISD = "verhuisd"
    GESTOPT = "gestopt"
    OVERIG = "overig"


@register
class BetrokkenheidGestart(Payload):
    """The producing partner became involved with the child (like a Verwijsindex signal)."""

    event_type: ClassVar[str] = BETROKKENHEID_GESTART
    producers: ClassVar[frozenset[Partner]] = frozenset(KERNPARTNERS)
    sensitive_values: ClassVar[tuple[SensitiveValue, ...]] = (DOMEIN_GEZONDHEID,)
    example: ClassVar[dict[str, Any]] = {
        "domein": "gezin",
        "contactrol": "gezinscoach",
        "sinds": "2026-11-02",
    }

    domein: Domein
    contactrol: ContactRol = Field(description="Role of the contact person (never a name).")
    sinds: dt.date
    geboortejaar: Geboortejaar | None = Field(
        default=None, description="Year of birth only, for the 18 and 23 year limits."
    )


@register
class BetrokkenheidBeeindigd(Payload):
    """The producing partner is no longer involved with the child."""

    event_type: ClassVar[str] = BETROKKENHEID_BEEINDIGD
    producers: ClassVar[frozenset[Partner]] = frozenset(KERNPARTNERS)
    sensitive_values: ClassVar[tuple[SensitiveValue, ...]] = (DOMEIN_GEZONDHEID,)
    example: ClassVar[dict[str, Any]] = {
        "domein": "gezin",
        "contactrol": "gezinscoach",
        "datum": "2027-03-01",
        "reden": "afgerond",
    }

    domein: Domein
    contactrol: ContactRol
    datum: dt.date
    reden: EindeReden
