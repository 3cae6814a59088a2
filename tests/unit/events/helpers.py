"""Building valid example events for the tests."""

from __future__ import annotations

from typing import Any

from hub.events.envelope import Event
from hub.events.export import example_event as _example


def example_event(event_type: str, record: str = "rec-1") -> Event[Any]:
    """The example payload of `event_type` inside a valid envelope from its first producer."""
    return _example(event_type, record)
