"""The secured broker configuration: SASL_SSL only, deny by default, owner-only file."""

from __future__ import annotations

import stat
from pathlib import Path

from hub.bus.security import BROKER_USER, PasswordStore
from hub.ops import certs
from hub.ops.launcher import Instance, LocalKafka


def render(tmp_path: Path, **extra: str) -> str:
    secrets = tmp_path / "secrets"
    certs.init(secrets / "tls")
    PasswordStore(secrets / "users").ensure(BROKER_USER)
    local = LocalKafka(tmp_path / "kafka", secure=True, secrets=secrets, extra_properties=extra)
    local._render(Instance("id", 19092, 19093, "4.1.1", "SASL_SSL", str(secrets)))
    assert stat.S_IMODE(local.properties_file.stat().st_mode) == 0o600
    return local.properties_file.read_text()


def properties(text: str) -> dict[str, str]:
    """Parse like java.util.Properties for our simple lines: the last key wins."""
    result: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            result[key.strip()] = value.strip()
    return result


class TestSecuredProperties:
    def test_clients_get_sasl_ssl_only_and_the_controller_wants_a_certificate(
        self, tmp_path: Path
    ) -> None:
        props = properties(render(tmp_path))
        assert props["listeners"] == "SASL_SSL://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
        assert props["listener.security.protocol.map"] == "SASL_SSL:SASL_SSL,CONTROLLER:SSL"
        assert props["listener.name.controller.ssl.client.auth"] == "required"
        assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
        assert props["ssl.keystore.type"] == "PEM"
        assert props["ssl.truststore.location"].endswith("tls/ca.pem")

    def test_the_authorizer_denies_by_default_and_the_hub_is_no_super_user(
        self, tmp_path: Path
    ) -> None:
        props = properties(render(tmp_path))
        assert props["authorizer.class.name"].endswith("StandardAuthorizer")
        assert props["allow.everyone.if.no.acl.found"] == "false"
        supers = props["super.users"].split(";")
        assert "User:hub" not in supers
        assert "User:ANONYMOUS" not in supers
        assert set(supers) == {"User:broker", "User:admin", "User:CN=hub-kafka-broker"}

    def test_extra_properties_come_last_and_win(self, tmp_path: Path) -> None:
        props = properties(render(tmp_path, **{"num.partitions": "1"}))
        assert props["num.partitions"] == "1"
