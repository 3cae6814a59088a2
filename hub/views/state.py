"""The projector's own state per child: bezwaar, and which audiences received something."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class ChildViews(BaseModel):
    """Per child (keyed by hub pseudonym in a compacted topic): what the projector must remember."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Audiences the parents objected to; `bezwaar_alle` covers every audience.
    bezwaar: tuple[str, ...] = ()
    bezwaar_alle: bool = False
    bezwaar_sinds: dt.date | None = None
    #: Audiences that received at least one view: they get the erasure notice.
    ontvangers: tuple[str, ...] = ()
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

    def with_ontvangers(self, audiences: set[str]) -> ChildViews:
        """The state after views went to `audiences` (unchanged object when nothing is new)."""
        if audiences <= set(self.ontvangers):
            return self
        return self.model_copy(update={"ontvangers": tuple(sorted({*self.ontvangers, *audiences}))})

    def with_sleutels(self, audiences: set[str]) -> ChildViews:
        """The state after sealed child keys went to `audiences`."""
        if audiences <= set(self.sleutels):
            return self
        return self.model_copy(update={"sleutels": tuple(sorted({*self.sleutels, *audiences}))})
