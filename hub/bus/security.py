"""Who may talk to the bus and how: principals, SCRAM password files, client security options."""

from __future__ import annotations

import os
import re
import secrets
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hub.events.topics import FIXED_AUDIENCES, INGEST, LOKET, PROCESSORS, PRODUCING_PARTNERS
from hub.settings import HubSettings

#: Partners and fixed audiences with their own principal on the bus (SCRAM user = party name).
#: School boards (`schoolbestuur-<id>`) come from the sharing policy, see hub.ops.acl.
PARTIES: tuple[str, ...] = tuple(
    dict.fromkeys(p.value for p in (*PRODUCING_PARTNERS, *FIXED_AUDIENCES))
)

#: The broker itself (inter-broker traffic); a super user.
BROKER_USER = "broker"
#: The operator's principal for `hub acl apply` and user management; a super user.
ADMIN_USER = "admin"  # the default of HUB_KAFKA_ADMIN_USERNAME
#: The hub's processors (casus, views, the operator's tools); NOT a super user: explicit ACLs.
HUB_USER = PROCESSORS
#: The hub's HTTP ingest: writes contract topics and its dead letters, reads nothing of theirs.
INGEST_USER = INGEST
#: The signed-in loket: reads the views it shows (and who received what), writes nothing.
LOKET_USER = LOKET
#: The hub's own principals.
HUB_USERS: tuple[str, ...] = (HUB_USER, INGEST_USER, LOKET_USER)
#: Consumer groups and transactional ids each of the hub's own principals owns (as prefixes,
#: after the region prefix): the processors' app ids (hub.casus.runner.APP_ID,
#: hub.views.runner.APP_ID) and the ingest's transactional ids.
APP_ID_PREFIXES: dict[str, tuple[str, ...]] = {
    HUB_USER: ("hub-casus", "hub-views"),
    INGEST_USER: ("hub-ingest",),
    LOKET_USER: (),  # it reads assigned partitions, in no group, and writes nothing
}
#: The broker's certificate principal on the mutual-TLS controller listener.
BROKER_CERT_PRINCIPAL = "User:CN=hub-kafka-broker"

SUPER_USERS: tuple[str, ...] = (f"User:{BROKER_USER}", f"User:{ADMIN_USER}", BROKER_CERT_PRINCIPAL)

Protocol = Literal["PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


class SecurityConfigError(ValueError):
    """Security settings that cannot work; the message is one line that says what to set."""


def scoped_user(user: str, prefix: str = "") -> str:
    """The SCRAM user of principal `user` in the region whose topic prefix is `prefix`.

    Principals are scoped per region like topics, so that one region's ACLs never name
    another region's principals (`hub acl apply` of one prefix leaves the others alone).
    """
    return f"{prefix}{user}"


def all_users(extra: tuple[str, ...] = (), prefix: str = "") -> tuple[str, ...]:
    """Every SCRAM user of a secured broker: broker, admin, the hub's own principals, the
    partners and fixed audiences, and `extra` (school boards); region-scoped with `prefix`."""
    scoped = (scoped_user(u, prefix) for u in (*HUB_USERS, *PARTIES, *extra))
    return (BROKER_USER, ADMIN_USER, *dict.fromkeys(scoped))


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    path.chmod(0o600)


@dataclass(frozen=True)
class PasswordStore:
    """SCRAM passwords as one 0600 file per user (a Kubernetes secret mounted as files)."""

    directory: Path

    def path(self, user: str) -> Path:
        """The password file of `user`."""
        return self.directory / f"{user}.password"

    def read(self, user: str) -> str:
        """The password of `user`; SecurityConfigError when there is none."""
        try:
            return self.path(user).read_text().strip()
        except FileNotFoundError:
            raise SecurityConfigError(
                f"no SCRAM password for user {user!r} in {self.directory}: run "
                "`hub kafka up --secure` (local broker) or set HUB_KAFKA_SASL_PASSWORD_FILE"
            ) from None

    def ensure(self, user: str) -> str:
        """The password of `user`, generated (256 bits, URL-safe) when missing."""
        path = self.path(user)
        if path.exists():
            return self.read(user)
        password = secrets.token_urlsafe(32)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        _write_private(path, password + "\n")
        return password

    def rotate(self, user: str) -> str:
        """Write a fresh password for `user` and return it (apply it to the broker next)."""
        password = secrets.token_urlsafe(32)
        _write_private(self.path(user), password + "\n")
        return password


def secrets_dir(settings: HubSettings) -> Path:
    """Where the bus secrets of this installation live: `tls/` and `users/` below key_dir."""
    return settings.key_dir / "kafka"


def tls_dir(settings: HubSettings) -> Path:
    """The PEM directory `hub certs init` writes by default."""
    return secrets_dir(settings) / "tls"


def password_store(settings: HubSettings) -> PasswordStore:
    """The SCRAM password files of this installation."""
    return PasswordStore(secrets_dir(settings) / "users")


@dataclass(frozen=True)
class ClientSecurity:
    """How one client authenticates and what it trusts; turned into aiokafka options."""

    protocol: Protocol = "PLAINTEXT"
    mechanism: Mechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None

    @classmethod
    def from_settings(cls, settings: HubSettings) -> ClientSecurity:
        """The security the settings describe; PLAINTEXT needs nothing else."""
        if settings.kafka_security_protocol == "PLAINTEXT":
            return cls()
        username = settings.kafka_sasl_username or scoped_user(HUB_USER, settings.topic_prefix)
        if settings.kafka_sasl_password is not None:
            password = settings.kafka_sasl_password.get_secret_value()
        elif settings.kafka_sasl_password_file is not None:
            try:
                password = settings.kafka_sasl_password_file.read_text().strip()
            except OSError as exc:
                raise SecurityConfigError(
                    f"HUB_KAFKA_SASL_PASSWORD_FILE cannot be read ({exc.strerror})"
                ) from None
        else:
            password = password_store(settings).read(username)
        cafile = settings.kafka_ssl_cafile or tls_dir(settings) / "ca.pem"
        return cls("SASL_SSL", settings.kafka_sasl_mechanism, username, password, cafile)

    def as_user(self, username: str, password: str) -> ClientSecurity:
        """The same transport with another principal."""
        return ClientSecurity(self.protocol, self.mechanism, username, password, self.cafile)

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context: our CA only, hostname checked, TLS 1.2 or newer."""
        if self.cafile is None or not self.cafile.exists():
            raise SecurityConfigError(
                f"CA file {self.cafile} not found: run `hub certs init` or set HUB_KAFKA_SSL_CAFILE"
            )
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.cafile))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def options(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
        if self.protocol == "PLAINTEXT":
            return {}
        if not self.username or not self.password:
            raise SecurityConfigError(
                "SASL_SSL needs a username and a password: set HUB_KAFKA_SASL_USERNAME and "
                "HUB_KAFKA_SASL_PASSWORD_FILE (or HUB_KAFKA_SASL_PASSWORD)"
            )
        return {
            "security_protocol": "SASL_SSL",
            "ssl_context": self.ssl_context(),
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }


def explain(exc: BaseException) -> str | None:
    """One line, without PII, when `exc` is an authentication, TLS or authorization refusal."""
    from aiokafka import errors

    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS verification of the broker certificate failed ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed ({exc.reason or type(exc).__name__})"
    if isinstance(exc, errors.SaslAuthenticationFailed | errors.AuthenticationFailedError):
        return "authentication failed: wrong SCRAM user name or password"
    if isinstance(exc, errors.UnsupportedSaslMechanismError):
        return "the broker does not offer this SASL mechanism (set HUB_KAFKA_SASL_MECHANISM)"
    kinds: tuple[tuple[type[BaseException], str], ...] = (
        (errors.TopicAuthorizationFailedError, "topic"),
        (errors.GroupAuthorizationFailedError, "consumer group"),
        (errors.TransactionalIdAuthorizationFailed, "transactional id"),
        (errors.ClusterAuthorizationFailedError, "cluster"),
    )
    for kind, what in kinds:
        if isinstance(exc, kind):
            detail = str(exc).split(":")[-1].strip()
            named = re.fullmatch(r"[A-Za-z0-9._-]+", detail) and detail != kind.__name__
            suffix = f" ({detail})" if named else ""
            return f"not authorized for this {what}{suffix}: the ACLs do not allow it"
    return None


def ingest_security(settings: HubSettings) -> ClientSecurity:
    """The HTTP ingest's own identity (`<prefix>hub-ingest`) on the hub's transport."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return ClientSecurity()
    return ClientSecurity.from_settings(
        settings.model_copy(
            update={
                "kafka_sasl_username": settings.kafka_ingest_username
                or scoped_user(INGEST_USER, settings.topic_prefix),
                "kafka_sasl_password": None,
                "kafka_sasl_password_file": settings.kafka_ingest_password_file,
            }
        )
    )


def loket_security(settings: HubSettings) -> ClientSecurity:
    """The loket's own identity (`<prefix>hub-loket`): it reads the views it serves."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        return ClientSecurity()
    return ClientSecurity.from_settings(
        settings.model_copy(
            update={
                "kafka_sasl_username": settings.kafka_loket_username
                or scoped_user(LOKET_USER, settings.topic_prefix),
                "kafka_sasl_password": None,
                "kafka_sasl_password_file": settings.kafka_loket_password_file,
            }
        )
    )


def admin_security(settings: HubSettings) -> ClientSecurity:
    """The operator's admin identity on the same transport as the hub's clients."""
    if settings.kafka_security_protocol == "PLAINTEXT":
        raise SecurityConfigError(
            "the bus runs PLAINTEXT without authentication or ACLs: set "
            "HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL (and start the local broker with --secure)"
        )
    return ClientSecurity.from_settings(
        settings.model_copy(
            update={
                "kafka_sasl_username": settings.kafka_admin_username,
                "kafka_sasl_password": None,
                "kafka_sasl_password_file": settings.kafka_admin_password_file,
            }
        )
    )
