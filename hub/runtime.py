"""The hub in one process: HTTP ingest, the casus processor, the views projector and the loket."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from hub.adapters.ingest import IngestService
from hub.bus import client
from hub.bus.processor import ProcessorStats, TransactionalProcessor
from hub.bus.retention import set_topic_configs, truncate_processed
from hub.casus.runner import APP_ID as CASUS_APP_ID
from hub.casus.runner import CasusRunner, ensure_topics, wall_clock
from hub.casus.topics import CasusTopics
from hub.privacy.keyring import KEK, PSEUDONYM, KeyRing, load_keyring
from hub.process import settle_heap
from hub.settings import HubSettings
from hub.views.reload import PolicyHolder
from hub.views.retention import view_topic_configs
from hub.views.runner import APP_ID as VIEWS_APP_ID
from hub.views.runner import create_state_topic, input_topics, projector
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics
from hub.web.app import WebConfig, create_app
from hub.web.ingest import bus_ready, ensure_ingest_topics, ingest_service, ingestor
from hub.web.listen import bind_http
from hub.web.loket_settings import LoketSettings, client_secret
from hub.web.metrics import ProcessorCollector
from hub.web.pages import LoketServices
from hub.web.tokens import PartnerTokens, TokenCheck

log = structlog.get_logger(__name__)


@dataclass
class HubOptions:
    """What a hub process runs, and with which clock and policy."""

    http: bool = True
    host: str | None = None
    port: int | None = None
    tokens: TokenCheck | None = None
    policy: Path | None = None
    clock: Callable[[], dt.datetime] = wall_clock
    tick_interval: float = 5.0
    #: Seconds between truncations of the transport topics to what the hub processed (0: off).
    transport_sweep_interval: float = 60.0
    policy_watch_interval: float = 2.0
    consumer_options: dict[str, Any] = field(
        default_factory=lambda: {"fetch_max_wait_ms": 100, "heartbeat_interval_ms": 1000}
    )
    #: The signed-in loket's settings; None serves no loket.
    loket: LoketSettings | None = field(default_factory=LoketSettings)


class Hub:
    """One application facade: start and stop every part of the hub on one broker."""

    def __init__(
        self, settings: HubSettings, options: HubOptions | None = None, ring: KeyRing | None = None
    ) -> None:
        self.settings = settings
        self.options = options or HubOptions()
        self.ring = ring
        self.bootstrap = client.bootstrap_servers(settings)
        self.casus_topics = CasusTopics.with_prefix(settings.topic_prefix)
        self.ingest: IngestService | None = None
        self.casus: CasusRunner | None = None
        self.views: TransactionalProcessor[ChildViews] | None = None
        self.policies: PolicyHolder | None = None
        self.url: str | None = None
        self.loket: LoketServices | None = None
        self._stack = AsyncExitStack()
        self._server: Any = None

    async def start(self) -> None:
        """Check the port, bus and keys, create the topics, start every part; fail closed."""
        host = self.options.host or self.settings.http_host
        port = self.options.port if self.options.port is not None else self.settings.http_port
        listening = bind_http(host, port) if self.options.http else None
        try:
            await self._start(listening)
        except BaseException:
            if listening is not None:
                listening.close()
            raise

    async def _start(self, listening: socket.socket | None) -> None:
        await client.ensure_reachable(self.bootstrap)
        # No keys, no hub: load_keyring raises a one-line KeyRingError.
        ring = self.ring or load_keyring(self.settings, required=(PSEUDONYM, KEK))
        self.ring = ring
        prefix = self.settings.topic_prefix
        await ensure_ingest_topics(self.bootstrap, self.settings)
        await ensure_topics(self.bootstrap, self.casus_topics)
        await create_state_topic(self.bootstrap, ViewTopics(prefix))
        self.policies = PolicyHolder(self.options.policy, ring)
        # Each view topic keeps records as long as the policy grants its audience, no longer.
        await set_topic_configs(self.bootstrap, view_topic_configs(self.policies.current, prefix))
        try:
            self.ingest = await self._stack.enter_async_context(
                ingest_service(self.settings, bootstrap=self.bootstrap, ring=ring)
            )
            self.casus = CasusRunner(
                self.bootstrap,
                self.casus_topics,
                clock=self.options.clock,
                app_id=prefix + CASUS_APP_ID,
                tick_interval=self.options.tick_interval,
                consumer_options=self.options.consumer_options,
            )
            await self._stack.enter_async_context(self.casus)
            self.views = projector(
                self.bootstrap,
                ring,
                self.policies,
                prefix=prefix,
                consumer_options=self.options.consumer_options,
            )
            await self._stack.enter_async_context(self.views)
            await self.views.wait_ready()
            settle_heap()  # the restored state is long-lived
            watcher = asyncio.create_task(self.policies.watch(self.options.policy_watch_interval))
            self._stack.push_async_callback(_cancel, watcher)
            if self.options.transport_sweep_interval > 0:
                sweeper = asyncio.create_task(self._sweep_forever())
                self._stack.push_async_callback(_cancel, sweeper)
            if listening is not None:
                if self.options.loket is not None:
                    self.loket = await self._start_loket(self.options.loket, ring)
                await self._serve_http(listening)
        except BaseException:
            await self._stack.aclose()
            raise
        log.info("hub.started", bootstrap=self.bootstrap, http=self.url)

    async def _serve_http(self, listening: socket.socket) -> None:
        import uvicorn

        assert self.ingest is not None
        metrics_token = self.options.loket.metrics_token if self.options.loket else None
        config = WebConfig(
            tokens=self.options.tokens or PartnerTokens(),
            ingest=ingestor(self.ingest),
            ready=bus_ready(self.bootstrap),
            loket=self.loket,
            metrics_token=metrics_token.get_secret_value() if metrics_token else None,
            collectors=[ProcessorCollector(self.processor_stats)],
        )
        host, port = listening.getsockname()[:2]
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(config),
                host=host,
                port=port,
                log_config=None,
                # Live streams stay open: stopping must not wait for browsers to hang up.
                timeout_graceful_shutdown=3,
            )
        )
        task = asyncio.create_task(server.serve(sockets=[listening]), name="hub-http")
        async with asyncio.timeout(15):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        bound = server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{host}:{bound}"

        async def stop_http() -> None:
            server.should_exit = True
            await task

        self._stack.push_async_callback(stop_http)

    def processor_stats(self) -> dict[str, ProcessorStats | None]:
        """The stats of every processor in this process, by name (None before it started)."""
        return {
            "casus": self.casus.processor.stats if self.casus is not None else None,
            "views": self.views.stats if self.views is not None else None,
        }

    async def _start_loket(self, loket: LoketSettings, ring: KeyRing) -> LoketServices:
        """The loket's read models (one consumer of the view topics) and its sign-in client."""
        from hub.privacy.pseudonyms import audience_pseudonym_for
        from hub.web.auth import OidcClient
        from hub.web.viewfeed import LoketFeed

        policies = self.policies
        assert policies is not None
        assert self.ingest is not None
        served = [
            a
            for a in dict.fromkeys(loket.organisations.values())
            if a in policies.current.audiences()
        ]

        def rekey(audience: str, hub: str) -> str:
            return audience_pseudonym_for(policies.current.key_audience(audience), hub, ring)

        feed = LoketFeed(self.bootstrap, served, prefix=self.settings.topic_prefix, rekey=rekey)
        await feed.start()
        self._stack.push_async_callback(feed.stop)
        await feed.wait_ready()
        try:
            oidc: OidcClient | None = OidcClient(loket, client_secret(loket, self.settings))
        except RuntimeError as exc:
            log.warning("loket.signin.unavailable", reason=str(exc))
            oidc = None
        return LoketServices(
            settings=loket,
            feed=feed,
            ring=ring,
            key_audience=lambda audience: policies.current.key_audience(audience),
            publish=self.ingest.publisher.publish,
            prefix=self.settings.topic_prefix,
            oidc=oidc,
            clock=self.options.clock,
        )

    def transport_readers(self) -> dict[str, list[str]]:
        """Each transport topic and the hub's consumer groups that read it."""
        prefix = self.settings.topic_prefix
        casus, views = prefix + CASUS_APP_ID, prefix + VIEWS_APP_ID
        readers: dict[str, list[str]] = {t: [casus, views] for t in self.casus_topics.inputs}
        readers[self.casus_topics.tick] = [casus]
        for name in input_topics(prefix):
            readers.setdefault(name, [views])
        return readers

    async def sweep_transport(self) -> int:
        """Truncate the transport topics to what every hub processor committed; partitions cut.

        Transport topics carry facts to the processors, they do not keep them: after an
        erasure, the child's records there are gone at the next sweep (and after 7 days
        whatever happens, by retention).
        """
        return len(await truncate_processed(self.bootstrap, self.transport_readers()))

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.options.transport_sweep_interval)
            try:
                await self.sweep_transport()
            except Exception as exc:  # the next sweep tries again; the hub goes on
                log.warning("hub.transport_sweep_failed", error=type(exc).__name__)

    async def stop(self) -> None:
        """Stop every part, the HTTP side first."""
        await self._stack.aclose()
        log.info("hub.stopped")

    async def __aenter__(self) -> Hub:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
