"""The buurtteam's feeds (JSON): hulptrajecten and involvement, facts only."""

from __future__ import annotations

from typing import Any

from hub.adapters.jsonfeed import JsonFeed
from hub.events.betrokkenheid import BetrokkenheidBeeindigd, BetrokkenheidGestart
from hub.events.buurtteam import HulptrajectBeeindigd, HulptrajectGestart
from hub.events.vocab import Partner


def _feed(feed: str, model: Any, description: str) -> JsonFeed:
    return JsonFeed(Partner.BUURTTEAM, feed, model, system="casussysteem", description=description)


ADAPTERS = (
    _feed("hulptraject-gestart", HulptrajectGestart, "The buurtteam started supporting."),
    _feed("hulptraject-beeindigd", HulptrajectBeeindigd, "The buurtteam ended its support."),
    _feed("betrokkenheid-gestart", BetrokkenheidGestart, "The buurtteam is involved."),
    _feed("betrokkenheid-beeindigd", BetrokkenheidBeeindigd, "The involvement ended."),
)
