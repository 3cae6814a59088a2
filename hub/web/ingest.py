"""The glue between the HTTP edge (and `hub import`) and the adapters: one ingest stack."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from hub.adapters.ingest import IngestService, Topics
from hub.adapters.kit import Context
from hub.adapters.registry import AdapterRegistry, builtin_registry
from hub.bus import client
from hub.bus.publisher import IdempotentPublisher
from hub.bus.security import ClientSecurity, ingest_security
from hub.bus.topics import create_registry_topics
from hub.events.topics import DLQ, INGEST, INGEST_SEEN, contract_topic, physical_name, topic
from hub.privacy.intake import IntakeSealer
from hub.privacy.keyring import KeyRing, load_keyring
from hub.settings import HubSettings
from hub.web.app import Ingestor, ReadyCheck
from hub.web.tokens import tokens_dir

__all__ = ["tokens_dir"]  # its home is hub.web.tokens; kept here for existing callers

#: The compacted topic of event ids the ingest edge has published (key = event id) is the
#: registry's INGEST_SEEN; `create_registry_topics` creates it with the registry's config.


@dataclass(frozen=True)
class IngestOptions:
    """How to build the stack; the defaults suit one hub instance."""

    encrypt_notes: bool = True
    organisation: str = "regio"
    transactional_id: str | None = None
    create_topics: bool = True


def seen_topic(prefix: str = "") -> str:
    """The physical name of the ingest edge's seen-ids topic."""
    return physical_name(INGEST_SEEN, prefix=prefix)


def _transactional_id(prefix: str) -> str:
    # One id per host and process: a second ingest process must not fence the first.
    # Under the ingest principal's transactional-id prefix (`<prefix>hub-ingest`), see
    # hub.bus.security.APP_ID_PREFIXES.
    return f"{prefix}hub-ingest-{socket.gethostname()}-{os.getpid()}"


async def ensure_ingest_topics(
    bootstrap: str, settings: HubSettings, *, security: ClientSecurity | None = None
) -> None:
    """Create the topics the ingest writes or reads (contract topics, dead letters, seen ids,
    data keys) where missing, as the ingest's principal."""
    await create_registry_topics(bootstrap, settings, principal=INGEST, security=security)


@asynccontextmanager
async def ingest_service(
    settings: HubSettings,
    *,
    bootstrap: str | None = None,
    ring: KeyRing | None = None,
    registry: AdapterRegistry | None = None,
    options: IngestOptions | None = None,
) -> AsyncIterator[IngestService]:
    """A started IngestService on the bus: idempotent publisher, key ring, data keys.

    It works under the ingest's own principal (`<prefix>hub-ingest`), not the processors'.
    """
    options = options or IngestOptions()
    bootstrap = bootstrap or client.bootstrap_servers(settings)
    security = ingest_security(settings)
    await client.ensure_reachable(bootstrap, security=security)
    ring = ring or load_keyring(settings)
    prefix = settings.topic_prefix
    topic(DLQ)  # the registry must know the names we write to
    topic(contract_topic("school"))
    if options.create_topics:
        await ensure_ingest_topics(bootstrap, settings, security=security)
    async with AsyncExitStack() as stack:
        # Notes are sealed to the hub's intake public key: the edge holds no data key, so the
        # projector (which owns the child's partition) is the one writer of data keys.
        cipher = IntakeSealer.from_keyring(ring) if options.encrypt_notes else None
        publisher = IdempotentPublisher(
            bootstrap=bootstrap,
            seen_topic=seen_topic(prefix),
            transactional_id=options.transactional_id or _transactional_id(prefix),
            security=security,
        )
        await publisher.start()
        stack.push_async_callback(publisher.stop)
        context = Context.from_keyring(ring, cipher=cipher, organisation=options.organisation)
        yield IngestService(
            registry or builtin_registry(),
            publisher,
            context,
            topics=Topics(prefix),
        )


def ingestor(service: IngestService) -> Ingestor:
    """The web app's Ingestor: an unknown partner or feed raises LookupError (404)."""
    return service.__call__


def bus_ready(bootstrap: str) -> ReadyCheck:
    """Readiness: the bus answers a metadata request."""

    async def ready() -> bool:
        try:
            await client.ensure_reachable(bootstrap, timeout=3.0)
        except client.BusUnavailable:
            return False
        return True

    return ready


async def run_raw_adapter(
    settings: HubSettings,
    partner: str,
    stopped: asyncio.Event | None = None,
    ready: Callable[[], None] | None = None,
) -> int:
    """Run `partner`'s adapters over its raw topic until `stopped` is set (or cancelled).

    `ready` is called once the runner processes; returns the number of records processed.
    """
    from hub.adapters.runner import adapter_runner

    bootstrap = client.bootstrap_servers(settings)
    await client.ensure_reachable(bootstrap)
    ring = load_keyring(settings)
    prefix = settings.topic_prefix
    # The raw topic and the runner's state topic are registry topics.
    await create_registry_topics(bootstrap, settings)
    processor = adapter_runner(
        bootstrap=bootstrap,
        partner=partner,
        registry=builtin_registry(),
        context=Context.from_keyring(ring),
        topics=Topics(prefix),
    )
    async with processor:
        if ready is not None:
            ready()
        await (stopped or asyncio.Event()).wait()
    return processor.stats.processed


async def serve_http(settings: HubSettings, host: str, port: int) -> None:
    """The HTTP side with the ingest stack behind it, until interrupted."""
    import uvicorn

    from hub.web.app import WebConfig, create_app
    from hub.web.listen import bind_http
    from hub.web.tokens import LiveTokens

    listening = bind_http(host, port)
    bootstrap = client.bootstrap_servers(settings)
    async with ingest_service(settings, bootstrap=bootstrap) as service:
        config = WebConfig(
            tokens=LiveTokens(tokens_dir(settings)),
            ingest=ingestor(service),
            ready=bus_ready(bootstrap),
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(config), host=host, port=port, log_config=None)
        )
        await server.serve(sockets=[listening])
