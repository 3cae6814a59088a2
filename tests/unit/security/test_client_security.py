"""Client security comes from the settings only; refusals read as one line without secrets."""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path

import pytest
from aiokafka import errors
from pydantic import ValidationError

from hub.bus.security import (
    ClientSecurity,
    PasswordStore,
    SecurityConfigError,
    admin_security,
    explain,
)
from hub.ops import certs
from hub.settings import HubSettings


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key directory with a CA and a password for `hub` and `admin`, as the launcher makes."""
    for name in list(os.environ):
        if name.startswith("HUB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path))
    certs.init(tmp_path / "kafka" / "tls")
    store = PasswordStore(tmp_path / "kafka" / "users")
    store.ensure("hub")
    store.ensure("admin")
    return tmp_path


class TestSettings:
    def test_plaintext_is_the_default_and_needs_nothing(self, key_dir: Path) -> None:
        assert ClientSecurity.from_settings(HubSettings()).options() == {}

    @pytest.mark.parametrize("value", ["sasl_ssl", "SASL_SSL"])
    def test_security_switch_accepts_either_case(
        self, key_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str
    ) -> None:
        monkeypatch.setenv("HUB_KAFKA_SECURITY", value)
        assert HubSettings().kafka_security_protocol == "SASL_SSL"

    def test_an_unknown_protocol_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SSL")
        with pytest.raises(ValidationError):
            HubSettings()

    def test_sasl_ssl_reads_the_users_password_file_and_our_ca(
        self, key_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        options = ClientSecurity.from_settings(HubSettings()).options()
        password = (key_dir / "kafka" / "users" / "hub.password").read_text().strip()
        assert options["sasl_plain_username"] == "hub"
        assert options["sasl_plain_password"] == password
        assert options["sasl_mechanism"] == "SCRAM-SHA-512"
        context: ssl.SSLContext = options["ssl_context"]
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname

    def test_an_explicit_password_file_wins(
        self, key_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        given = tmp_path / "mounted-secret"
        given.write_text("from-a-kubernetes-secret\n")
        monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        monkeypatch.setenv("HUB_KAFKA_SASL_PASSWORD_FILE", str(given))
        security = ClientSecurity.from_settings(HubSettings())
        assert security.password == "from-a-kubernetes-secret"
        assert "from-a-kubernetes-secret" not in repr(security)

    def test_a_missing_password_says_what_to_set(
        self, key_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        monkeypatch.setenv("HUB_KAFKA_SASL_USERNAME", "nobody")
        with pytest.raises(SecurityConfigError, match="HUB_KAFKA_SASL_PASSWORD_FILE"):
            ClientSecurity.from_settings(HubSettings())

    def test_a_missing_ca_says_what_to_run(self, tmp_path: Path) -> None:
        security = ClientSecurity("SASL_SSL", username="u", password="p", cafile=tmp_path / "x")
        with pytest.raises(SecurityConfigError, match="hub certs init"):
            security.options()

    def test_admin_identity_needs_a_secured_bus(self, key_dir: Path) -> None:
        with pytest.raises(SecurityConfigError, match="PLAINTEXT"):
            admin_security(HubSettings())

    def test_admin_identity_is_the_admin_user(
        self, key_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        assert admin_security(HubSettings()).username == "admin"


class TestPasswordStore:
    def test_generated_passwords_are_owner_only_and_stable(self, tmp_path: Path) -> None:
        store = PasswordStore(tmp_path / "users")
        first = store.ensure("school")
        assert store.ensure("school") == first
        assert len(first) >= 40
        assert stat.S_IMODE(store.path("school").stat().st_mode) == 0o600
        assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700

    def test_rotation_writes_a_new_password(self, tmp_path: Path) -> None:
        store = PasswordStore(tmp_path)
        first = store.ensure("jgz")
        assert store.rotate("jgz") != first
        assert store.read("jgz") != first


class TestExplain:
    @pytest.mark.parametrize(
        ("exc", "expected"),
        [
            (errors.SaslAuthenticationFailed("x"), "authentication failed: wrong SCRAM"),
            (
                errors.TopicAuthorizationFailedError("raw.jgz"),
                "not authorized for this topic (raw.jgz)",
            ),
            (errors.GroupAuthorizationFailedError(), "not authorized for this consumer group"),
            (errors.TransactionalIdAuthorizationFailed(), "not authorized for this transactional"),
            (errors.ClusterAuthorizationFailedError("long text: with spaces"), "this cluster:"),
        ],
    )
    def test_refusals_become_one_line(self, exc: Exception, expected: str) -> None:
        line = explain(exc)
        assert line is not None
        assert expected in line
        assert "\n" not in line

    def test_an_expired_certificate_is_named(self) -> None:
        exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
        exc.verify_message = "certificate has expired"
        assert explain(exc) == (
            "TLS verification of the broker certificate failed (certificate has expired)"
        )

    def test_other_errors_are_not_refusals(self) -> None:
        assert explain(errors.KafkaConnectionError("down")) is None
        assert explain(ValueError("x")) is None
