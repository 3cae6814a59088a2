"""The projector's own state per child: bezwaar, consents, and who received something."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from hub.events.privacy import Doel


class Toestemming(BaseModel):
    """A consent of the parents in force: for one purpose, for the partners listed, until a day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doel: Doel
    partners: tuple[str, ...]
    sinds: dt.date
    geldig_tot: dt.date | None = None

    def covers(self, doel: Doel, audience: str, day: dt.date) -> bool:
        """True when this consent lets `audience` receive data for `doel` on `day`."""
        return (
            self.doel is doel
            and audience in self.partners
            and (self.geldig_tot is None or day <= self.geldig_tot)
        )


class ChildViews(BaseModel):
    """Per child (keyed by hub pseudonym in a compacted topic): what the projector must remember."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Audiences the parents objected to; `bezwaar_alle` covers every audience.
    bezwaar: tuple[str, ...] = ()
    bezwaar_alle: bool = False
    bezwaar_sinds: dt.date | None = None
    #: Audiences that received at least one view: they get the erasure notice.
    ontvangers: tuple[str, ...] = ()
    #: The schools (BRIN) that reported the child themselves: its school boards' views.
    scholen: tuple[str, ...] = ()
    #: Consents in force (a withdrawal removes every consent for its purpose).
    toestemmingen: tuple[Toestemming, ...] = ()
    #: Audiences that were sent their sealed child key (on their key topic).
    sleutels: tuple[str, ...] = ()

    def objected(self, audience: str) -> bool:
        """True when the parents objected to sharing with `audience`."""
        return self.bezwaar_alle or audience in self.bezwaar

    def with_bezwaar(self, audiences: tuple[str, ...], since: dt.date) -> ChildViews:
        """The state after a bezwaar for `audiences` (empty: all); objections accumulate."""
        if not audiences:
            return self.model_copy(update={"bezwaar_alle": True, "bezwaar_sinds": since})
        merged = tuple(sorted({*self.bezwaar, *audiences}))
        return self.model_copy(
            update={"bezwaar": merged, "bezwaar_sinds": self.bezwaar_sinds or since}
        )

    def consented(self, doel: Doel, audience: str, day: dt.date) -> bool:
        """True when a consent for `doel` covering `audience` is in force on `day`."""
        return any(t.covers(doel, audience, day) for t in self.toestemmingen)

    def with_toestemming(self, toestemming: Toestemming) -> ChildViews:
        """The state after the parents consented (a later consent adds to the earlier ones)."""
        if toestemming in self.toestemmingen:
            return self  # the same consent again changes nothing
        return self.model_copy(update={"toestemmingen": (*self.toestemmingen, toestemming)})

    def without_toestemming(self, doel: Doel) -> ChildViews:
        """The state after the parents withdrew their consent for `doel`."""
        kept = tuple(t for t in self.toestemmingen if t.doel is not doel)
        return self.model_copy(update={"toestemmingen": kept})

    def with_ontvangers(self, audiences: set[str]) -> ChildViews:
        """The state after views went to `audiences` (unchanged object when nothing is new)."""
        if audiences <= set(self.ontvangers):
            return self
        return self.model_copy(update={"ontvangers": tuple(sorted({*self.ontvangers, *audiences}))})

    def with_school(self, brin: str, enrolled: bool) -> ChildViews:
        """The state after school `brin` reported the child (or its uitschrijving)."""
        known = brin in self.scholen
        if known == enrolled:
            return self
        scholen = (*self.scholen, brin) if enrolled else tuple(b for b in self.scholen if b != brin)
        return self.model_copy(update={"scholen": tuple(sorted(scholen))})

    def with_sleutels(self, audiences: set[str]) -> ChildViews:
        """The state after sealed child keys went to `audiences`."""
        if audiences <= set(self.sleutels):
            return self
        return self.model_copy(update={"sleutels": tuple(sorted({*self.sleutels, *audiences}))})
