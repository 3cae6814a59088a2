"""The loket's actions as contract events under the professional's organisation (pure)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from hub.events import betrokkenheid as bt
from hub.events.envelope import Event, new_event
from hub.events.vocab import ContactRol, Domein, Partner

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: The domain a partner works in by the routing rule (its involvement's default).
STANDAARD_DOMEIN: dict[Partner, Domein] = {
    Partner.LEERPLICHT: Domein.VERZUIM,
    Partner.JGZ: Domein.GEZONDHEID,
    Partner.BUURTTEAM: Domein.GEZIN,
    Partner.SWV: Domein.LEREN,
    Partner.SCHOOL: Domein.LEREN,
}

#: The contact role of a partner's team when it registers involvement in the loket.
STANDAARD_ROL: dict[Partner, ContactRol] = {
    Partner.LEERPLICHT: ContactRol.LEERPLICHTAMBTENAAR,
    Partner.JGZ: ContactRol.JEUGDARTS,
    Partner.BUURTTEAM: ContactRol.GEZINSCOACH,
    Partner.SWV: ContactRol.CONSULENT,
    Partner.SCHOOL: ContactRol.INTERN_BEGELEIDER,
}


class Actie(StrEnum):
    """What a professional can do on a case page."""

    BETROKKENHEID_REGISTREREN = "betrokkenheid_registreren"
    BETROKKENHEID_BEEINDIGEN = "betrokkenheid_beeindigen"
    REGIE_AANVAARDEN = "regie_aanvaarden"
    REGIE_TERUGGEVEN = "regie_teruggeven"


class ActieNietToegestaan(ValueError):
    """The organisation cannot take this action (not a kernpartner)."""


def _organisation_id(organisation: str) -> str:
    """The organisation claim as the `source` segment allows it."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", organisation).strip("-._") or "onbekend"
    return cleaned[:64]


def actie_event(
    actie: Actie,
    *,
    audience: str,
    organisation: str,
    user: str,
    hub: str,
    pseudonymkid: str,
    nonce: str,
    now: dt.datetime,
    domein: Domein | None = None,
) -> Event[Any]:
    """The contract event of `actie` on the child `hub`, deterministic per form nonce."""
    try:
        partner = Partner(audience)
    except ValueError:
        raise ActieNietToegestaan(audience) from None
    if partner not in STANDAARD_DOMEIN:
        raise ActieNietToegestaan(audience)
    today = now.astimezone(AMSTERDAM).date()
    domein = domein or STANDAARD_DOMEIN[partner]
    data: bt.BetrokkenheidGestart | bt.BetrokkenheidBeeindigd
    if actie is Actie.BETROKKENHEID_REGISTREREN:
        data = bt.BetrokkenheidGestart(
            domein=domein, contactrol=STANDAARD_ROL[partner], sinds=today
        )
    elif actie is Actie.REGIE_AANVAARDEN:
        data = bt.BetrokkenheidGestart(
            domein=domein, contactrol=ContactRol.CASUSREGISSEUR, sinds=today
        )
    elif actie is Actie.REGIE_TERUGGEVEN:
        data = bt.BetrokkenheidBeeindigd(
            domein=domein,
            contactrol=ContactRol.CASUSREGISSEUR,
            datum=today,
            reden=bt.EindeReden.OVERGEDRAGEN,
        )
    else:
        data = bt.BetrokkenheidBeeindigd(
            domein=domein,
            contactrol=STANDAARD_ROL[partner],
            datum=today,
            reden=bt.EindeReden.AFGEROND,
        )
    return new_event(
        data,
        partner=partner,
        organisation=_organisation_id(organisation),
        # The pseudonymous user id travels in the source: who acted, never a name.
        system=f"loket.{user}"[:32].lower(),
        source_record_id=f"loket-{nonce}",
        subject=hub,
        pseudonymkid=pseudonymkid,
        time=now,
    )
