"""Is the producer believable? An event may claim only a producer its topic speaks for.

Every consumer of an event topic asks this before anything else: the topic's ACL says who may
write, not for whom; a partner that may write its own contract topic could otherwise put an
event there that claims another partner or the hub as its producer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from hub.events.registry import event_types, payload_model
from hub.events.topics import topic

#: The dead-letter reason of an event whose claimed producer its topic does not speak for.
FORGED_PRODUCER = "forged_producer"

_TYPE, _PARTNER = "ce_type", "ce_partner"


def claim(headers: Iterable[tuple[str, bytes]]) -> tuple[str | None, str | None]:
    """The (type, partner) a binary-mode record claims in its `ce_` headers (any spelling)."""
    found: dict[str, str | None] = {_TYPE: None, _PARTNER: None}
    for name, raw in headers:
        lowered = name if name in found else name.lower()
        if lowered in found:
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            # Two claims that differ are a forgery attempt in themselves: keep the odd one out.
            if found[lowered] is not None and found[lowered] != text:
                text = "\x00conflicting"
            found[lowered] = text
    return found[_TYPE], found[_PARTNER]


def forged_problem(
    topic: str, event_type: str | None, partner: str | None, *, prefix: str = ""
) -> str | None:
    """Why an event of `event_type` claiming `partner` is not believed on `topic`, or None.

    None also when the claim is incomplete or names an unknown type: decoding refuses those.
    """
    if event_type is None or partner is None or event_type not in _known_types():
        return None
    logical = topic[len(prefix) :] if topic.startswith(prefix) else topic
    return _problem(logical, event_type, partner)


@functools.cache
def _known_types() -> frozenset[str]:
    return frozenset(event_types())


@functools.lru_cache(maxsize=4096)
def _problem(logical: str, event_type: str, partner: str) -> str | None:
    # Cached: asked for every record, and the registry never changes in a process.
    try:
        known = topic(logical)  # a school board's view too, named by the policy
    except KeyError:
        return f"topic {logical} is not in the registry"
    if partner not in known.producers:
        speaks_for = ", ".join(known.producers) or "nobody"
        return f"claims producer {partner[:32]!r} on {logical}, which speaks for {speaks_for}"
    if event_type not in known.carries:
        return f"{logical} does not carry {event_type}"
    if partner not in {p.value for p in payload_model(event_type).producers}:
        return f"{partner} may not produce {event_type}"
    return None
