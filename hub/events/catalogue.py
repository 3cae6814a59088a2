"""Imports every domain module so that each registers its event types."""

from __future__ import annotations

from hub.events import betrokkenheid, buurtteam, casus, jgz, leerplicht, privacy, school, swv

__all__ = ["betrokkenheid", "buurtteam", "casus", "jgz", "leerplicht", "privacy", "school", "swv"]
