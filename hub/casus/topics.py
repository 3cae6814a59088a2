"""The physical topics of the casus processor, from the topic registry."""

from __future__ import annotations

from dataclasses import dataclass

from hub.events.topics import (
    CASUS_STATE,
    CASUS_TICK,
    CASUS_UIT,
    DATAKEYS,
    DLQ,
    PRODUCING_PARTNERS,
    contract_topic,
    physical_name,
)


@dataclass(frozen=True)
class CasusTopics:
    """Physical names of everything the casus reads and writes."""

    inputs: tuple[str, ...]
    tick: str
    state: str
    uit: str
    dlq: str
    datakeys: str
    prefix: str = ""

    @classmethod
    def with_prefix(cls, prefix: str = "") -> CasusTopics:
        """The names under a `topic_prefix`."""
        return cls(
            inputs=tuple(
                physical_name(contract_topic(p), prefix=prefix) for p in PRODUCING_PARTNERS
            ),
            tick=physical_name(CASUS_TICK, prefix=prefix),
            state=physical_name(CASUS_STATE, prefix=prefix),
            uit=physical_name(CASUS_UIT, prefix=prefix),
            dlq=physical_name(DLQ, prefix=prefix),
            datakeys=physical_name(DATAKEYS, prefix=prefix),
            prefix=prefix,
        )

    def contract(self, partner: str) -> str:
        """The physical contract topic of `partner`."""
        for known, name in zip(PRODUCING_PARTNERS, self.inputs, strict=True):
            if known.value == partner:
                return name
        raise KeyError(f"{partner} has no contract topic")
