"""Development TLS material for the local broker: a CA and a broker certificate, as PEM files."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: The broker's certificate subject; with mutual TLS on the controller listener
#: it is also the broker's own principal there (`User:CN=hub-kafka-broker`).
BROKER_CN = "hub-kafka-broker"
CA_CN = "onderwijs-jeugd-hub development CA"
BROKER_HOSTS = ("localhost",)
BROKER_IPS = ("127.0.0.1",)


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files of one certificate directory."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        """The CA certificate: the truststore of clients and broker."""
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        """The CA's private key (signs broker certificates; keep it offline in production)."""
        return self.directory / "ca.key"

    @property
    def broker_keystore(self) -> Path:
        """Broker private key (PKCS#8) followed by its certificate chain: a Kafka PEM keystore."""
        return self.directory / "broker.pem"

    def exist(self) -> bool:
        """True when the CA and the broker keystore are both there."""
        return self.ca_cert.exists() and self.broker_keystore.exists()


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` readable by the owner only, from the first byte on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    path.chmod(0o600)


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_ca(
    days: int = 365, now: dt.datetime | None = None
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA that may sign end-entity certificates only (path length 0)."""
    now = now or dt.datetime.now(dt.UTC)
    key = _key()
    name = _name(CA_CN)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    common_name: str = BROKER_CN,
    *,
    hosts: tuple[str, ...] = BROKER_HOSTS,
    ips: tuple[str, ...] = BROKER_IPS,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A server-and-client certificate for `hosts` and `ips` (SAN), signed by the CA."""
    now = dt.datetime.now(dt.UTC)
    not_before = not_before or now - dt.timedelta(minutes=5)
    not_after = not_after or now + dt.timedelta(days=90)
    key = _key()
    san: list[x509.GeneralName] = [x509.DNSName(h) for h in hosts]
    san += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(
            # clientAuth too: the broker presents this certificate on the controller listener.
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def write_ca(files: TlsFiles, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    """Write the CA certificate (public) and key (0600)."""
    files.directory.mkdir(parents=True, exist_ok=True)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(files.ca_key, _pkcs8(key))


def write_keystore(
    path: Path,
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    ca_cert: x509.Certificate,
) -> None:
    """Write a Kafka PEM keystore: the PKCS#8 key, then the certificate and the CA (0600)."""
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (cert, ca_cert))
    _write_private(path, _pkcs8(key) + chain)


def load_ca(files: TlsFiles) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Read the CA key and certificate back."""
    key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{files.ca_key} is not an EC private key")
    return key, x509.load_pem_x509_certificate(files.ca_cert.read_bytes())


def init(directory: Path, *, force: bool = False, days: int = 90) -> TlsFiles:
    """Create a dev CA and a broker certificate in `directory` unless they exist (or `force`)."""
    files = TlsFiles(directory)
    if files.exist() and not force:
        return files
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    ca_key, ca_cert = make_ca(days=max(days, 1) * 4)
    write_ca(files, ca_key, ca_cert)
    key, cert = issue(ca_key, ca_cert, not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
    write_keystore(files.broker_keystore, key, cert, ca_cert)
    return files


def renew_broker(directory: Path, *, days: int = 90) -> TlsFiles:
    """Issue a fresh broker certificate with the existing CA (clients keep trusting it)."""
    files = TlsFiles(directory)
    ca_key, ca_cert = load_ca(files)
    key, cert = issue(ca_key, ca_cert, not_after=dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
    write_keystore(files.broker_keystore, key, cert, ca_cert)
    return files


def not_valid_after(path: Path) -> dt.datetime:
    """Expiry of the first certificate in a PEM file (a keystore's leaf, or a CA file)."""
    return x509.load_pem_x509_certificates(path.read_bytes())[0].not_valid_after_utc
