"""Kafka clients configured from the settings; the one place that builds aiokafka objects."""

from __future__ import annotations

import contextlib
import functools
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.partitioner import DefaultPartitioner, murmur2

from hub.bus.security import ClientSecurity, SecurityConfigError
from hub.settings import HubSettings, get_settings

log = structlog.get_logger()

#: The admin client type, for modules outside hub/bus that pass one along.
AdminClient = AIOKafkaAdminClient


class BusUnavailable(RuntimeError):
    """No broker answers; the message is one line that says what to do."""


class BusSecurityError(BusUnavailable):
    """The broker refused who we are or what we asked; the message is one line, without PII."""


def _security_options(security: ClientSecurity | None) -> dict[str, Any]:
    """aiokafka options for `security`, or for the configured security when None."""
    try:
        chosen = security if security is not None else ClientSecurity.from_settings(get_settings())
        return chosen.options()
    except SecurityConfigError as exc:
        raise BusSecurityError(str(exc)) from None


def bootstrap_servers(settings: HubSettings) -> str:
    """KAFKA_BOOTSTRAP_SERVERS when set, else the address of the local broker instance."""
    if settings.kafka_bootstrap_servers:
        return settings.kafka_bootstrap_servers
    from hub.ops.launcher import LocalKafka

    instance = LocalKafka.from_settings(settings).instance()
    if instance is not None:
        return instance.bootstrap
    return f"127.0.0.1:{settings.kafka_port or 9092}"


def admin(
    bootstrap: str, *, security: ClientSecurity | None = None, **overrides: Any
) -> AIOKafkaAdminClient:
    """An admin client with the configured (or the given) security."""
    options: dict[str, Any] = {"bootstrap_servers": bootstrap, "request_timeout_ms": 10_000}
    options.update(_security_options(security))
    options.update(overrides)
    return AIOKafkaAdminClient(**options)


async def fetch_metadata(bootstrap: str, *, security: ClientSecurity | None = None) -> list[str]:
    """Ask the cluster for its metadata; return the topic names."""
    admin_client = admin(
        bootstrap, security=security, request_timeout_ms=3000, connections_max_idle_ms=10_000
    )
    await admin_client.start()
    try:
        topics: list[str] = await admin_client.list_topics()
        return topics
    finally:
        await admin_client.close()


async def ensure_reachable(
    bootstrap: str, timeout: float = 10.0, *, security: ClientSecurity | None = None
) -> None:
    """Raise BusUnavailable with a one-line hint when no broker answers at `bootstrap`."""
    import asyncio

    try:
        await asyncio.wait_for(fetch_metadata(bootstrap, security=security), timeout)
    except BusSecurityError:
        raise
    except Exception as exc:
        # aiokafka hides why a bootstrap failed: one direct connection tells refusal from absence.
        await authenticate(bootstrap, security=security, timeout=timeout)
        raise BusUnavailable(
            f"no Kafka broker answers at {bootstrap} ({type(exc).__name__}): check "
            "KAFKA_BOOTSTRAP_SERVERS, or run `hub kafka up` for the local broker"
        ) from None


async def authenticate(
    bootstrap: str, *, security: ClientSecurity | None = None, timeout: float = 10.0
) -> None:
    """Open one connection to the first bootstrap server: TLS, then SASL; BusSecurityError if
    the broker refuses it (other failures pass silently: that is not a refusal)."""
    import asyncio

    from aiokafka.conn import create_conn

    from hub.bus.security import explain

    options = _security_options(security)
    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    try:
        conn = await asyncio.wait_for(
            create_conn(
                host,
                int(port),
                ssl_context=options.get("ssl_context"),
                security_protocol=options.get("security_protocol", "PLAINTEXT"),
                sasl_mechanism=options.get("sasl_mechanism", "PLAIN"),
                sasl_plain_username=options.get("sasl_plain_username"),
                sasl_plain_password=options.get("sasl_plain_password"),
                request_timeout_ms=int(timeout * 1000),
            ),
            timeout,
        )
    except Exception as exc:
        reason = explain(exc)
        if reason is None and "security_protocol" not in options and await _speaks_tls(host, port):
            reason = (
                "it wants TLS and a SCRAM user; set HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL, "
                "HUB_KAFKA_SASL_USERNAME and HUB_KAFKA_SASL_PASSWORD_FILE"
            )
        if reason is None:
            return
        user = options.get("sasl_plain_username")
        who = f" user {user}" if user else ""
        log.warning("bus.refused", bootstrap=bootstrap, user=user, reason=reason)
        raise BusSecurityError(f"Kafka at {bootstrap} refused{who}: {reason}") from None
    conn.close()


async def _speaks_tls(host: str, port: str, timeout: float = 3.0) -> bool:
    """True when `host:port` completes a TLS handshake (certificate not checked: a probe)."""
    import asyncio
    import ssl

    probe = ssl.create_default_context()
    probe.check_hostname = False
    probe.verify_mode = ssl.CERT_NONE
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, int(port), ssl=probe), timeout
        )
    except (OSError, TimeoutError, ssl.SSLError):
        return False
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()
    return True


@functools.lru_cache(maxsize=262_144)
def _murmur2_index(key: bytes) -> int:
    return int(murmur2(key)) & 0x7FFFFFFF


def partition_for(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """aiokafka's default partitioner (murmur2, as Java's), with the hash of a key remembered.

    aiokafka hashes in pure Python: ~10 µs a record, the largest single cost of producing. The
    hub's keys are children's pseudonyms, which repeat, so the hash is computed once per child.
    """
    if key is None:
        return int(DefaultPartitioner()(key, all_partitions, available))
    return all_partitions[_murmur2_index(key) % len(all_partitions)]


def producer(
    bootstrap: str, *, security: ClientSecurity | None = None, **overrides: Any
) -> AIOKafkaProducer:
    """An idempotent producer (acks=all); pass `transactional_id` for transactions."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "partitioner": partition_for,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "compression_type": None,
    }
    options.update(_security_options(security))
    options.update(overrides)
    return AIOKafkaProducer(**options)


def consumer(
    bootstrap: str, *topics: str, security: ClientSecurity | None = None, **overrides: Any
) -> AIOKafkaConsumer:
    """A consumer that reads committed records only and commits offsets explicitly."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
    }
    options.update(_security_options(security))
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


async def create_topics(
    bootstrap: str,
    topics: list[tuple[str, int, dict[str, str]]],
    *,
    security: ClientSecurity | None = None,
) -> list[str]:
    """Create (name, partitions, config) topics that do not exist yet; return those created."""
    admin_client = admin(bootstrap, security=security)
    await admin_client.start()
    created: list[str] = []
    try:
        existing = set(await admin_client.list_topics())
        new = [
            NewTopic(name, partitions, 1, topic_configs=config)
            for name, partitions, config in topics
            if name not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                response = await admin_client.create_topics(new)
                # Per-topic refusals come back as codes, not exceptions: a topic the ACLs
                # deny must not look created.
                for name, code, *_ in response.topic_errors:
                    if code not in (0, TopicAlreadyExistsError.errno):
                        raise for_code(code)(name)
            created = [t.name for t in new]
    finally:
        await admin_client.close()
    return created


async def delete_topics(
    bootstrap: str, names: list[str], *, security: ClientSecurity | None = None
) -> None:
    """Delete the named topics (those that exist); used to clean up demo and bench runs."""
    if not names:
        return
    admin_client = admin(bootstrap, security=security)
    await admin_client.start()
    try:
        existing = set(await admin_client.list_topics())
        doomed = [n for n in names if n in existing]
        if doomed:
            await admin_client.delete_topics(doomed)
    finally:
        await admin_client.close()
