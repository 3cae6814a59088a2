"""What an ingest (HTTP post or file import) did with each record."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field, computed_field

#: The outcome of an ingest as a whole (HTTP: 202, 207 and 422).
Outcome = Literal["accepted", "partly_accepted", "rejected"]


class Rejection(BaseModel):
    """One rejected record: where it was and why, never its content."""

    record: int = Field(description="1-based record number (the CSV data row, or the JSON line).")
    reason: str = Field(description="Machine-readable reason code, e.g. `invalid_bsn`.")
    message: str = Field(description="What is wrong, in words a partner developer understands.")
    field: str | None = Field(default=None, description="The offending column or field path.")


class Masking(BaseModel):
    """Identities masked in one record's free-text field: where and which rules, no value."""

    record: int = Field(description="1-based record number.")
    field: str = Field(description="The free-text field, e.g. `opmerking`.")
    rules: list[str] = Field(
        description="One entry per finding: bsn, onderwijsnummer, postcode-huisnummer, "
        "geboortedatum."
    )


class IngestReport(BaseModel):
    """The outcome of one ingest: accepted event ids, duplicates and rejections."""

    partner: str
    feed: str
    accepted: list[str] = Field(default_factory=list, description="Ids of events published now.")
    duplicates: list[str] = Field(
        default_factory=list, description="Ids of events that were already published before."
    )
    rejected: list[Rejection] = Field(default_factory=list)
    ignored: dict[str, int] = Field(
        default_factory=dict,
        description="Fields no contract asks for, dropped at the adapter: name -> records.",
    )
    masked: list[Masking] = Field(
        default_factory=list,
        description="Free text in which another person's identity was masked as `[verwijderd]`.",
    )
    batch: str | None = Field(
        default=None, description="Digest of the body; dead letters point to it with the row."
    )

    @property
    def ok(self) -> bool:
        """True when no record was rejected."""
        return not self.rejected

    @computed_field(  # type: ignore[prop-decorator]
        description="accepted: no record rejected; partly_accepted: some records rejected, the "
        "others published (or published before); rejected: no record made an event."
    )
    @property
    def status(self) -> Outcome:
        """Whether the body was taken whole, in part, or not at all."""
        if not self.rejected:
            return "accepted"
        if self.accepted or self.duplicates:
            return "partly_accepted"
        return "rejected"

    def rejected_by_reason(self) -> dict[str, int]:
        """How many records were rejected for each reason."""
        return dict(Counter(r.reason for r in self.rejected))
