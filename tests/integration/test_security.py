"""The secured bus refuses what the ACLs do not allow, and lets each party do its own work."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    TopicAuthorizationFailedError,
)

from hub.bus import client
from hub.bus.security import ClientSecurity, explain
from hub.ops.acl_admin import ScramChange, alter_scram
from tests.integration.security_fixtures import SecuredBroker, secured_broker

__all__ = ["secured_broker"]


async def produce(bootstrap: str, security: ClientSecurity, topic: str) -> None:
    """Write one small record as `security`'s principal."""
    producer = client.producer(bootstrap, security=security)
    try:
        await producer.start()
        await producer.send_and_wait(topic, b'{"ok": true}', key=b"k")
    finally:
        await producer.stop()


async def read(bootstrap: str, security: ClientSecurity, topic: str, group: str) -> int:
    """Read what is on `topic` in consumer group `group`; the number of records."""
    consumer = client.consumer(bootstrap, topic, security=security, group_id=group)
    try:
        await consumer.start()
        batches = await consumer.getmany(timeout_ms=3000)
        return sum(len(records) for records in batches.values())
    finally:
        await consumer.stop()


class TestPartnerIsolation:
    async def test_a_partner_writes_its_own_ingest_and_reads_its_own_view(
        self, secured_broker: SecuredBroker
    ) -> None:
        hub, school = secured_broker.user("hub"), secured_broker.user("school")
        await produce(secured_broker.bootstrap, school, "raw.school.v1")
        await produce(secured_broker.bootstrap, school, "contract.school.v1")
        await produce(secured_broker.bootstrap, hub, "view.school.v1")
        group = f"school.{uuid.uuid4().hex[:6]}"
        assert await read(secured_broker.bootstrap, school, "view.school.v1", group) >= 1

    async def test_a_partner_cannot_write_another_partners_ingest_topic(
        self, secured_broker: SecuredBroker
    ) -> None:
        with pytest.raises(TopicAuthorizationFailedError) as refused:
            await produce(
                secured_broker.bootstrap, secured_broker.user("school"), "raw.leerplicht.v1"
            )
        assert explain(refused.value) == (
            "not authorized for this topic (raw.leerplicht.v1): the ACLs do not allow it"
        )
        # The broker's authorizer log names principal, operation and topic: no record content.
        log = (secured_broker.local.log_dir / "server.log").read_text()
        denial = [
            line
            for line in log.splitlines()
            if "User:school is Denied operation" in line
            and "Topic:LITERAL:raw.leerplicht.v1" in line
        ]
        assert denial, "the authorizer did not log the refusal"
        assert '{"ok"' not in log

    @pytest.mark.parametrize(
        "topic",
        [
            "view.leerplicht.v1",
            "contract.school.v1",
            "casus.uit.v1",
            "audit.v1",
            "datakeys.v1",
            "raw.jgz.v1",
        ],
    )
    async def test_a_partner_cannot_read_other_views_contracts_audit_or_data_keys(
        self, secured_broker: SecuredBroker, topic: str
    ) -> None:
        with pytest.raises(TopicAuthorizationFailedError) as refused:
            await read(secured_broker.bootstrap, secured_broker.user("school"), topic, "school.x")
        assert f"({topic})" in (explain(refused.value) or "")

    async def test_a_partner_cannot_use_another_partners_consumer_group(
        self, secured_broker: SecuredBroker
    ) -> None:
        with pytest.raises(GroupAuthorizationFailedError) as refused:
            await read(
                secured_broker.bootstrap, secured_broker.user("school"), "view.school.v1", "jgz.x"
            )
        assert (explain(refused.value) or "").startswith("not authorized for this consumer group")


class TestHubPrincipal:
    async def test_the_hub_reads_ingest_and_writes_contracts_in_a_transaction(
        self, secured_broker: SecuredBroker
    ) -> None:
        hub = secured_broker.user("hub")
        await produce(secured_broker.bootstrap, secured_broker.user("jgz"), "contract.jgz.v1")
        assert await read(secured_broker.bootstrap, hub, "contract.jgz.v1", "hub.casus-t") >= 1
        producer = client.producer(
            secured_broker.bootstrap, security=hub, transactional_id="hub.casus-0"
        )
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send("casus.uit.v1", b"{}", key=b"p")
        finally:
            await producer.stop()

    async def test_the_hub_never_reads_raw_identities(self, secured_broker: SecuredBroker) -> None:
        with pytest.raises(TopicAuthorizationFailedError):
            await read(secured_broker.bootstrap, secured_broker.user("hub"), "raw.jgz.v1", "hub.x")

    async def test_the_hub_is_not_a_super_user(self, secured_broker: SecuredBroker) -> None:
        with pytest.raises(TopicAuthorizationFailedError):
            await client.create_topics(
                secured_broker.bootstrap,
                [("not.in.the.registry", 1, {})],
                security=secured_broker.user("hub"),
            )


class TestAuthentication:
    async def test_a_wrong_password_is_refused_in_one_line(
        self, secured_broker: SecuredBroker
    ) -> None:
        wrong = secured_broker.user("school").as_user("school", "not-the-password")
        with pytest.raises(client.BusSecurityError) as refused:
            await client.ensure_reachable(secured_broker.bootstrap, security=wrong, timeout=5)
        message = str(refused.value)
        assert "refused user school: authentication failed" in message
        assert "not-the-password" not in message
        assert "\n" not in message

    async def test_a_client_without_credentials_is_told_what_to_set(
        self, secured_broker: SecuredBroker
    ) -> None:
        with pytest.raises(client.BusSecurityError) as refused:
            await client.ensure_reachable(
                secured_broker.bootstrap, security=ClientSecurity(), timeout=3
            )
        assert "HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL" in str(refused.value)
        with pytest.raises(client.BusSecurityError, match="needs a username and a password"):
            client.producer(secured_broker.bootstrap, security=ClientSecurity("SASL_SSL"))

    async def test_an_expired_broker_certificate_fails_tls_verification(
        self, secured_broker: SecuredBroker
    ) -> None:
        with pytest.raises(client.BusSecurityError) as refused:
            await client.ensure_reachable(
                secured_broker.expired_bootstrap, security=secured_broker.admin, timeout=5
            )
        assert "TLS verification of the broker certificate failed (certificate has expired)" in (
            str(refused.value)
        )

    async def test_a_rotated_password_replaces_the_old_one(
        self, secured_broker: SecuredBroker
    ) -> None:
        old = secured_broker.user("swv")
        admin = client.admin(secured_broker.bootstrap, security=secured_broker.admin)
        await admin.start()
        try:
            await alter_scram(admin, [ScramChange("swv", "a-new-password-for-swv")])
        finally:
            await admin.close()
        new = old.as_user("swv", "a-new-password-for-swv")
        await client.ensure_reachable(secured_broker.bootstrap, security=new, timeout=10)
        with pytest.raises(client.BusSecurityError):
            await client.ensure_reachable(secured_broker.bootstrap, security=old, timeout=5)


def hub_cli(broker: SecuredBroker, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `hub` against the secured broker as an operator would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    environment |= {
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "HUB_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "HUB_KEY_DIR": str(broker.key_dir),
        "HUB_LOG_FORMAT": "json",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestAclCommand:
    def test_apply_is_idempotent_and_refusals_are_one_line(
        self, secured_broker: SecuredBroker
    ) -> None:
        again = hub_cli(secured_broker, "acl", "apply")
        assert again.returncode == 0, again.stderr
        assert "acl: added 0, removed 0" in again.stderr
        as_partner = hub_cli(
            secured_broker,
            "acl",
            "apply",
            HUB_KAFKA_ADMIN_USERNAME="school",
        )
        assert as_partner.returncode == 1
        line = as_partner.stderr.strip().splitlines()[-1]
        assert line.startswith("hub: the broker refused school: not authorized for this cluster")
        password = secured_broker.local.passwords.read("school")
        assert password not in as_partner.stderr + as_partner.stdout
        assert "Traceback" not in as_partner.stderr


class TestSecureLocalBroker:
    def test_up_secure_then_status_and_down_without_the_key_settings(self, tmp_path: Path) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "KAFKA_"))}
        env = base | {
            "HUB_STATE_DIR": str(tmp_path / "state"),
            "HUB_KAFKA_PORT": "0",
            "HUB_KAFKA_CONTROLLER_PORT": "0",
        }
        secured = env | {"HUB_KEY_DIR": str(tmp_path / "keys"), "HUB_KAFKA_SECURITY": "sasl_ssl"}
        try:
            up = run_hub(["kafka", "up", "--secure"], env | {"HUB_KEY_DIR": secured["HUB_KEY_DIR"]})
            assert up.returncode == 0, up.stderr
            assert "SASL_SSL (SCRAM-SHA-512 over TLS)" in up.stderr
            assert "PLAINTEXT without authentication" not in up.stderr
            users = tmp_path / "keys" / "kafka" / "users"
            assert stat.S_IMODE((users / "hub.password").stat().st_mode) == 0o600
            applied = run_hub(["acl", "apply"], secured)
            assert applied.returncode == 0, applied.stderr
            assert "+ ALLOW User:school WRITE TOPIC:raw.school.v1" in applied.stdout
            # status and down find the instance's own secrets, whatever the environment says
            status = run_hub(["kafka", "status"], env)
            assert "running" in status.stderr, status.stderr
            insecure = run_hub(["kafka", "up"], env)
            assert insecure.returncode == 0  # already running: it says so, and which kind
            assert "SASL_SSL" in insecure.stderr
        finally:
            down = run_hub(["kafka", "down"], env)
        assert "kafka stopped" in down.stderr, down.stderr


class TestCertsCommand:
    def test_init_then_show_reports_expiry(self, tmp_path: Path) -> None:
        made = run_hub(["certs", "init", "--dir", str(tmp_path), "--days", "30"], dict(os.environ))
        assert made.returncode == 0, made.stderr
        assert "certificates created" in made.stderr
        shown = run_hub(["certs", "show", "--dir", str(tmp_path)], dict(os.environ))
        assert shown.returncode == 0
        assert "(29 days)" in shown.stderr or "(30 days)" in shown.stderr
        missing = run_hub(["certs", "show", "--dir", str(tmp_path / "none")], dict(os.environ))
        assert missing.returncode == 1
        assert "run `hub certs init`" in missing.stderr


def run_hub(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `hub` with exactly `env`."""
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )


class TestRotatePasswordCommand:
    async def test_rotation_writes_the_file_and_the_broker_takes_it(
        self, secured_broker: SecuredBroker
    ) -> None:
        old = secured_broker.user("buurtteam")
        rotated = hub_cli(secured_broker, "acl", "rotate-password", "buurtteam")
        assert rotated.returncode == 0, rotated.stderr
        new = secured_broker.user("buurtteam")
        assert new.password != old.password
        assert (new.password or "") not in rotated.stderr + rotated.stdout
        await client.ensure_reachable(secured_broker.bootstrap, security=new, timeout=10)
        with pytest.raises(client.BusSecurityError):
            await client.ensure_reachable(secured_broker.bootstrap, security=old, timeout=5)
