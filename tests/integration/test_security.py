"""The secured bus refuses what the ACLs do not allow, and lets each party do its own work."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    TopicAuthorizationFailedError,
    TransactionalIdAuthorizationFailed,
)

from hub.bus import client
from hub.bus.security import ClientSecurity, explain
from hub.ops.acl import Acl, managed_principals
from hub.ops.acl_admin import ScramChange, alter_scram, describe_acls
from hub.views.policy import DEFAULT_POLICY_PATH
from tests.integration.security_fixtures import SecuredBroker, secured_broker

__all__ = ["secured_broker"]

BOARD = "schoolbestuur-41234"
BOARD_VIEW = "view.schoolbestuur.41234.v1"


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


async def read_assigned(bootstrap: str, security: ClientSecurity, topic: str) -> int:
    """Read partition 0 of `topic` without a consumer group (as the ingest reads its topics)."""
    consumer = client.consumer(bootstrap, security=security, group_id=None)
    try:
        await consumer.start()
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        batches = await consumer.getmany(timeout_ms=3000)
        return sum(len(records) for records in batches.values())
    finally:
        await consumer.stop()


class TestPartnerIsolation:
    async def test_a_partner_writes_its_own_ingest_and_reads_its_own_view(
        self, secured_broker: SecuredBroker
    ) -> None:
        hub, school = secured_broker.user("hub"), secured_broker.user("school")
        board = secured_broker.user(BOARD)
        await produce(secured_broker.bootstrap, school, "raw.school.v1")
        await produce(secured_broker.bootstrap, school, "contract.school.v1")
        await produce(secured_broker.bootstrap, hub, BOARD_VIEW)
        group = f"{BOARD}.{uuid.uuid4().hex[:6]}"
        assert await read(secured_broker.bootstrap, board, BOARD_VIEW, group) >= 1

    async def test_a_school_board_reads_its_own_view_and_not_another_boards(
        self, secured_broker: SecuredBroker
    ) -> None:
        other = "view.schoolbestuur.52345.v1"
        await produce(secured_broker.bootstrap, secured_broker.user("hub"), other)
        board = secured_broker.user(BOARD)
        with pytest.raises(TopicAuthorizationFailedError):
            await read(secured_broker.bootstrap, board, other, f"{BOARD}.x")
        # The school as a producer reads no school board's view.
        with pytest.raises(TopicAuthorizationFailedError):
            await read(
                secured_broker.bootstrap, secured_broker.user("school"), BOARD_VIEW, "school.x"
            )

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
                secured_broker.bootstrap, secured_broker.user("jgz"), "view.jgz.v1", "leerplicht.x"
            )
        assert (explain(refused.value) or "").startswith("not authorized for this consumer group")


class TestHubPrincipal:
    async def test_the_hub_reads_ingest_and_writes_contracts_in_a_transaction(
        self, secured_broker: SecuredBroker
    ) -> None:
        hub = secured_broker.user("hub")
        await produce(secured_broker.bootstrap, secured_broker.user("jgz"), "contract.jgz.v1")
        assert await read(secured_broker.bootstrap, hub, "contract.jgz.v1", "hub-casus-t") >= 1
        producer = client.producer(
            secured_broker.bootstrap, security=hub, transactional_id="hub-casus-0"
        )
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send("casus.uit.v1", b"{}", key=b"p")
        finally:
            await producer.stop()

    async def test_the_hub_never_reads_raw_identities(self, secured_broker: SecuredBroker) -> None:
        with pytest.raises(TopicAuthorizationFailedError):
            await read(
                secured_broker.bootstrap, secured_broker.user("hub"), "raw.jgz.v1", "hub-casus"
            )

    async def test_the_hub_is_not_a_super_user(self, secured_broker: SecuredBroker) -> None:
        with pytest.raises(TopicAuthorizationFailedError):
            await client.create_topics(
                secured_broker.bootstrap,
                [("not.in.the.registry", 1, {})],
                security=secured_broker.user("hub"),
            )


class TestIngestAndProcessorsAreTwoPrincipals:
    """The HTTP ingest writes contract events; the processors read them. Neither can do the
    other's work: a compromised ingest reads nothing and forges no casus output or view, and
    the processors cannot put an event on a partner's contract topic."""

    async def test_the_ingest_writes_contracts_dead_letters_and_its_transactions(
        self, secured_broker: SecuredBroker
    ) -> None:
        ingest = secured_broker.user("hub-ingest")
        producer = client.producer(
            secured_broker.bootstrap, security=ingest, transactional_id="hub-ingest-test-1"
        )
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send("contract.school.v1", b"{}", key=b"p")
                await producer.send("dlq.v1", b"{}", key=b"p")
                await producer.send("ingest.seen.v1", b"{}", key=b"id")
        finally:
            await producer.stop()

    @pytest.mark.parametrize("topic", ["casus.uit.v1", "view.jgz.v1", BOARD_VIEW, "audit.v1"])
    async def test_the_ingest_cannot_write_processor_output(
        self, secured_broker: SecuredBroker, topic: str
    ) -> None:
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(secured_broker.bootstrap, secured_broker.user("hub-ingest"), topic)

    @pytest.mark.parametrize("partner", ["school", "jgz"])
    async def test_the_ingest_reads_no_contract_topic(
        self, secured_broker: SecuredBroker, partner: str
    ) -> None:
        topic = f"contract.{partner}.v1"
        await produce(secured_broker.bootstrap, secured_broker.user(partner), topic)
        ingest = secured_broker.user("hub-ingest")
        with pytest.raises(TopicAuthorizationFailedError):
            await read_assigned(secured_broker.bootstrap, ingest, topic)

    async def test_the_ingest_cannot_even_see_casus_audit_or_state_topics(
        self, secured_broker: SecuredBroker
    ) -> None:
        names = ["casus.uit.v1", "casus.state.v1", "views.state.v1", "audit.v1", "ingest.seen.v1"]
        admin = client.admin(secured_broker.bootstrap, security=secured_broker.user("hub-ingest"))
        await admin.start()
        try:
            described = {t["topic"]: t["error_code"] for t in await admin.describe_topics(names)}
        finally:
            await admin.close()
        authorization_failed = TopicAuthorizationFailedError.errno
        assert described == {n: authorization_failed for n in names[:-1]} | {"ingest.seen.v1": 0}

    @pytest.mark.parametrize("topic", ["contract.school.v1", "contract.jgz.v1", "ingest.seen.v1"])
    async def test_the_processors_cannot_write_contract_topics(
        self, secured_broker: SecuredBroker, topic: str
    ) -> None:
        with pytest.raises(TopicAuthorizationFailedError):
            await produce(secured_broker.bootstrap, secured_broker.user("hub"), topic)

    async def test_the_processors_cannot_use_the_ingests_transactional_ids(
        self, secured_broker: SecuredBroker
    ) -> None:
        producer = client.producer(
            secured_broker.bootstrap,
            security=secured_broker.user("hub"),
            transactional_id="hub-ingest-host-1",
        )
        with pytest.raises(TransactionalIdAuthorizationFailed):
            await producer.start()
        await producer.stop()


async def live_acls(broker: SecuredBroker) -> set[Acl]:
    """Every ACL the secured broker holds, as the operator sees it."""
    admin = client.admin(broker.bootstrap, security=broker.admin)
    await admin.start()
    try:
        return await describe_acls(admin)
    finally:
        await admin.close()


def of_region(acls: set[Acl], prefix: str) -> set[Acl]:
    return {a for a in acls if a.principal.startswith(f"User:{prefix}")}


class TestRegions:
    """Two regions share one cluster, each with its own topic prefix and principals; one
    region's `hub acl apply` never removes or changes what the other's owns."""

    async def test_one_regions_apply_leaves_the_other_regions_acls_alone(
        self, secured_broker: SecuredBroker, tmp_path: Path
    ) -> None:
        before = await live_acls(secured_broker)
        for prefix in ("regio-a.", "regio-b."):
            applied = hub_cli(secured_broker, "acl", "apply", HUB_TOPIC_PREFIX=prefix)
            assert applied.returncode == 0, applied.stderr
        both = await live_acls(secured_broker)
        region_b = of_region(both, "regio-b.")
        assert region_b
        assert {a.principal for a in of_region(both, "regio-a.")} >= {
            "User:regio-a.hub",
            "User:regio-a.hub-ingest",
            f"User:regio-a.{BOARD}",
        }
        # Region A drops a school board and applies again.
        policy = DEFAULT_POLICY_PATH.read_text().replace(
            '  "52345":\n    naam: Vereniging Christelijk Onderwijs Voorbeeldstad\n'
            "    brin: [34CD]\n",
            "",
        )
        smaller = tmp_path / "policy.yaml"
        smaller.write_text(policy)
        again = hub_cli(
            secured_broker, "acl", "apply", "--policy", str(smaller), HUB_TOPIC_PREFIX="regio-a."
        )
        assert again.returncode == 0, again.stderr
        after = await live_acls(secured_broker)
        assert of_region(after, "regio-b.") == region_b
        assert not of_region(after, "regio-a.schoolbestuur-52345")
        assert of_region(after, "regio-b.schoolbestuur-52345")
        # The default region (no prefix) kept everything too.
        default = {a for a in before if a.principal in managed_principals()}
        assert default <= after

    async def test_one_regions_principal_cannot_touch_another_regions_topics(
        self, secured_broker: SecuredBroker
    ) -> None:
        for prefix in ("regio-c.", "regio-d."):
            applied = hub_cli(secured_broker, "acl", "apply", HUB_TOPIC_PREFIX=prefix)
            assert applied.returncode == 0, applied.stderr
        admin = client.admin(secured_broker.bootstrap, security=secured_broker.admin)
        await admin.start()
        try:
            await alter_scram(admin, [ScramChange("regio-d.hub", "regio-d-processors-password")])
        finally:
            await admin.close()
        topics = [(f"{p}contract.school.v1", 1, {}) for p in ("regio-c.", "regio-d.")]
        await client.create_topics(secured_broker.bootstrap, topics, security=secured_broker.admin)
        hub_d = secured_broker.admin.as_user("regio-d.hub", "regio-d-processors-password")
        async with asyncio.timeout(30):  # SCRAM credentials travel through the metadata log
            while True:
                try:
                    await client.ensure_reachable(
                        secured_broker.bootstrap, security=hub_d, timeout=5
                    )
                    break
                except client.BusSecurityError:
                    await asyncio.sleep(0.2)
        assert (
            await read(
                secured_broker.bootstrap, hub_d, "regio-d.contract.school.v1", "regio-d.hub-casus"
            )
            == 0
        )
        with pytest.raises(TopicAuthorizationFailedError):
            await read(
                secured_broker.bootstrap, hub_d, "regio-c.contract.school.v1", "regio-d.hub-casus"
            )
        with pytest.raises(GroupAuthorizationFailedError):
            await read(
                secured_broker.bootstrap, hub_d, "regio-d.contract.school.v1", "regio-c.hub-casus"
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
