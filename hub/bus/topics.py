"""Creating the registry's topics on a cluster."""

from __future__ import annotations

from hub.bus import client
from hub.events.topics import physical_name, registry
from hub.settings import HubSettings


async def create_registry_topics(bootstrap: str, settings: HubSettings) -> list[str]:
    """Create every registry topic (with its prefix) that does not exist; return those created."""
    specs = [
        (physical_name(t.name, settings), t.partitions, t.config()) for t in registry().values()
    ]
    return await client.create_topics(bootstrap, specs)
