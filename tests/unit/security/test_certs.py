"""Development certificates: a CA, a broker certificate with SAN, owner-only private keys."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

from cryptography import x509

from hub.ops import certs


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


class TestInit:
    def test_writes_a_ca_and_a_broker_keystore_with_private_parts_0600(
        self, tmp_path: Path
    ) -> None:
        files = certs.init(tmp_path / "tls")
        assert mode(files.directory) == 0o700
        assert mode(files.ca_key) == 0o600
        assert mode(files.broker_keystore) == 0o600
        assert files.broker_keystore.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")

    def test_the_broker_certificate_names_loopback_and_chains_to_the_ca(
        self, tmp_path: Path
    ) -> None:
        files = certs.init(tmp_path)
        broker, ca = leaf(files.broker_keystore), leaf(files.ca_cert)
        san = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.DNSName) == ["localhost"]
        assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
        broker.verify_directly_issued_by(ca)
        constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
        assert constraints.ca
        assert constraints.path_length == 0

    def test_existing_material_is_kept_unless_forced(self, tmp_path: Path) -> None:
        first = certs.init(tmp_path).ca_cert.read_bytes()
        assert certs.init(tmp_path).ca_cert.read_bytes() == first
        assert certs.init(tmp_path, force=True).ca_cert.read_bytes() != first


class TestRenewAndExpiry:
    def test_renewal_keeps_the_ca_and_issues_a_new_broker_certificate(self, tmp_path: Path) -> None:
        files = certs.init(tmp_path)
        ca, old = files.ca_cert.read_bytes(), leaf(files.broker_keystore).serial_number
        certs.renew_broker(tmp_path, days=10)
        assert files.ca_cert.read_bytes() == ca
        assert leaf(files.broker_keystore).serial_number != old
        left = certs.not_valid_after(files.broker_keystore) - dt.datetime.now(dt.UTC)
        assert dt.timedelta(days=9) < left <= dt.timedelta(days=10)

    def test_a_certificate_can_be_issued_already_expired_for_tests(self) -> None:
        ca_key, ca = certs.make_ca()
        now = dt.datetime.now(dt.UTC)
        _, cert = certs.issue(
            ca_key, ca, not_before=now - dt.timedelta(days=2), not_after=now - dt.timedelta(days=1)
        )
        assert cert.not_valid_after_utc < now
