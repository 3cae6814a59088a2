"""Creating the registry's topics on a cluster."""

from __future__ import annotations

from hub.bus import client
from hub.bus.security import ClientSecurity
from hub.events.topics import physical_name, registry
from hub.settings import HubSettings


async def create_registry_topics(
    bootstrap: str,
    settings: HubSettings,
    *,
    principal: str | None = None,
    security: ClientSecurity | None = None,
) -> list[str]:
    """Create every registry topic (with its prefix) that does not exist, or only those that
    `principal` writes or reads (what its ACLs let it create); return those created."""
    specs = [
        (physical_name(t.name, settings), t.partitions, t.config())
        for t in registry().values()
        if principal is None or principal in (*t.writers, *t.readers)
    ]
    return await client.create_topics(bootstrap, specs, security=security)
