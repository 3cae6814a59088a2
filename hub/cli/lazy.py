"""The settings for a command, imported when a command runs, not when `hub --help` starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.settings import HubSettings


def get_settings() -> HubSettings:
    """`hub.settings.get_settings()` (cached there), without importing it at start-up."""
    from hub.settings import get_settings as settings

    return settings()
