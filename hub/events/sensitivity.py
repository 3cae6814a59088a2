"""Special categories of personal data (AVG art. 9) on the contracts, and who may receive them.

A payload marks what it carries: `sensitivity` for the whole type, `sensitive_values` for a field
value that makes one event sensitive (a zorgsignaal about `gezondheid`). The sharing policy derives
from these marks who may receive a type; no list of types lives anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from hub.events.vocab import Partner


class Sensitivity(StrEnum):
    """A special category of personal data an event can carry."""

    GEZONDHEID = "gezondheid"


class SensitiveValue(NamedTuple):
    """An event whose `field` has `value` carries `category`."""

    field: str
    value: str
    category: Sensitivity


#: Who may receive a category at all, whatever a policy file says. Health: JGZ, whose legal task
#: (Wet publieke gezondheid) is the child's health, and the school, which reports the sick days
#: itself and must involve the jeugdarts on M@ZL.
RECEIVERS: Mapping[Sensitivity, frozenset[Partner]] = MappingProxyType(
    {Sensitivity.GEZONDHEID: frozenset({Partner.JGZ, Partner.SCHOOL})}
)

#: The mark of every `domein` field: about health, the event is health data.
DOMEIN_GEZONDHEID = SensitiveValue("domein", "gezondheid", Sensitivity.GEZONDHEID)


def may_receive(category: Sensitivity, audience: str) -> bool:
    """True when `audience` may receive data of `category`."""
    return audience in {p.value for p in RECEIVERS[category]}


def describe(categories: frozenset[Sensitivity], values: tuple[SensitiveValue, ...]) -> str:
    """The marks in words, for the catalogue: `gezondheid`, `gezondheid when domein = ...`."""
    words = [c.value for c in sorted(categories)]
    words += [f"{m.category.value} when {m.field} = {m.value}" for m in values]
    return "; ".join(words)
