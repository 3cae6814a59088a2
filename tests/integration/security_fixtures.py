"""A secured broker of our own (SASL_SSL, SCRAM, ACLs) for the security tests, once per module."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hub.bus import client
from hub.bus.security import ADMIN_USER, ClientSecurity
from hub.ops import certs
from hub.ops.acl import TopicLike, desired_acls, managed_principals, policy_registry
from hub.ops.acl_admin import apply_acls
from hub.ops.launcher import HOST, LauncherError, LocalKafka, free_port
from hub.settings import HubSettings

#: The registry's topics as the shipped sharing policy shapes them (a view per served audience,
#: one per school board).
REGISTRY: list[TopicLike] = policy_registry()


@dataclass(frozen=True)
class SecuredBroker:
    """A running secured broker, its admin and partner identities, and its key directory."""

    local: LocalKafka
    bootstrap: str
    #: A second SASL_SSL listener on the same broker that presents an EXPIRED certificate.
    expired_bootstrap: str
    key_dir: Path

    def user(self, name: str) -> ClientSecurity:
        """SASL_SSL as SCRAM user `name`, with the password the launcher generated."""
        return self.admin.as_user(name, self.local.passwords.read(name))

    @property
    def admin(self) -> ClientSecurity:
        """The operator's super user."""
        return self.local.admin_security()


def _distinct_ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        ports.add(free_port())
    return list(ports)


@pytest.fixture(scope="module")
def secured_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredBroker]:
    """Start a secured broker on free ports, create the registry topics and apply the ACLs."""
    settings = HubSettings()
    directory = tmp_path_factory.mktemp("secured-kafka")
    key_dir = directory / "keys"
    secrets = key_dir / "kafka"
    tls = certs.init(secrets / "tls")
    ca_key, ca_cert = certs.load_ca(tls)
    now = dt.datetime.now(dt.UTC)
    key, cert = certs.issue(
        ca_key,
        ca_cert,
        not_before=now - dt.timedelta(days=30),
        not_after=now - dt.timedelta(days=1),
    )
    expired_keystore = tls.directory / "expired.pem"
    certs.write_keystore(expired_keystore, key, cert, ca_cert)
    port, controller_port, expired_port = _distinct_ports(3)
    local = LocalKafka(
        directory / "kafka",
        port=port,
        controller_port=controller_port,
        kafka_version=settings.kafka_version,
        cache_dir=settings.cache_dir,
        lib_dir=settings.kafka_lib_dir,
        heap="768m",
        secure=True,
        secrets=secrets,
        extra_properties={
            "listeners": f"SASL_SSL://{HOST}:{port},EXPIRED://{HOST}:{expired_port},"
            f"CONTROLLER://{HOST}:{controller_port}",
            "advertised.listeners": f"SASL_SSL://{HOST}:{port},EXPIRED://{HOST}:{expired_port}",
            "listener.security.protocol.map": "SASL_SSL:SASL_SSL,EXPIRED:SASL_SSL,CONTROLLER:SSL",
            "listener.name.expired.ssl.keystore.location": str(expired_keystore),
            "listener.name.expired.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
        },
    )
    try:
        local.up(timeout=120)
    except LauncherError as exc:
        pytest.fail(f"the secured broker did not start: {exc}")
    broker = SecuredBroker(local, f"{HOST}:{port}", f"{HOST}:{expired_port}", key_dir)

    async def prepare() -> None:
        admin_security = broker.admin
        assert admin_security.username == ADMIN_USER
        topics = [(t.name, 1, {}) for t in REGISTRY]
        await client.create_topics(broker.bootstrap, topics, security=admin_security)
        admin = client.admin(broker.bootstrap, security=admin_security)
        await admin.start()
        try:
            await apply_acls(admin, desired_acls(REGISTRY), managed_principals())
        finally:
            await admin.close()

    try:
        asyncio.run(prepare())
        yield broker
    finally:
        local.down()
