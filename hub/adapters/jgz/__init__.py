"""JGZ's feeds (JSON): M@ZL consults and involvement, facts only (no health content)."""

from __future__ import annotations

from typing import Any

from hub.adapters.jsonfeed import JsonFeed
from hub.events.betrokkenheid import BetrokkenheidBeeindigd, BetrokkenheidGestart
from hub.events.jgz import MazlConsultAangevraagd, MazlConsultGehouden
from hub.events.vocab import Partner


def _feed(feed: str, model: Any, description: str) -> JsonFeed:
    return JsonFeed(Partner.JGZ, feed, model, system="ddjgz", description=description)


ADAPTERS = (
    _feed("mazl-aangevraagd", MazlConsultAangevraagd, "An M@ZL consult was requested."),
    _feed("mazl-gehouden", MazlConsultGehouden, "The jeugdarts held the M@ZL consult."),
    _feed("betrokkenheid-gestart", BetrokkenheidGestart, "JGZ is involved."),
    _feed("betrokkenheid-beeindigd", BetrokkenheidBeeindigd, "JGZ's involvement ended."),
)
