"""All configuration of the hub in one pydantic-settings class."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The checkout the hub runs from; `deploy/` and the default state directory live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_state_dir() -> Path:
    return PROJECT_ROOT / ".hub"


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "onderwijs-jeugd-hub"


class HubSettings(BaseSettings):
    """Settings from the environment (prefix `HUB_`), a `.env` file, or defaults."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_", env_file=".env", extra="ignore", validate_default=True
    )

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "HUB_KAFKA_BOOTSTRAP_SERVERS"),
        description="host:port[,host:port]; unset means the local broker that `hub kafka up` runs.",
    )
    kafka_version: str = Field(
        default="4.1.1", description="Apache Kafka version of the local broker."
    )
    kafka_port: int = Field(
        default=9092, ge=0, le=65535, description="Local broker port; 0 = a free one."
    )
    kafka_controller_port: int = Field(
        default=9093, ge=0, le=65535, description="Local KRaft controller port; 0 = a free one."
    )
    kafka_heap: str = Field(default="1g", description="JVM heap of the local broker (-Xmx).")
    kafka_lib_dir: Path | None = Field(
        default=None,
        description="libs/ of an unpacked Apache Kafka, used instead of resolving jars with Maven.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="Where Kafka jars are cached (outside git)."
    )
    state_dir: Path = Field(
        default_factory=_default_state_dir,
        description="Broker data, logs and pid file of the local broker, outside git.",
    )
    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        description="Prefix of every topic name: one cluster can host regions or test runs.",
    )
    key_dir: Path = Field(
        default_factory=lambda: _default_state_dir() / "keys",
        description="Directory of the key ring (a Kubernetes secret mounted as files).",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        validation_alias=AliasChoices("HUB_KAFKA_SECURITY_PROTOCOL", "HUB_KAFKA_SECURITY"),
        description="PLAINTEXT (local demo, insecure) or SASL_SSL (SCRAM over TLS); "
        "also how `hub kafka up` runs the local broker.",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = Field(
        default="SCRAM-SHA-512", description="SASL mechanism of the hub's Kafka clients."
    )
    kafka_sasl_username: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="The SCRAM user of the hub's processors (principal User:<name>); unset "
        "means <topic_prefix>hub.",
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, description="The SCRAM password; prefer HUB_KAFKA_SASL_PASSWORD_FILE."
    )
    kafka_sasl_password_file: Path | None = Field(
        default=None,
        description="File with the SCRAM password; unset means "
        "<key_dir>/kafka/users/<user>.password.",
    )
    kafka_ingest_username: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="The SCRAM user of the hub's HTTP ingest; unset means "
        "<topic_prefix>hub-ingest.",
    )
    kafka_ingest_password_file: Path | None = Field(
        default=None,
        description="File with the ingest's SCRAM password; unset means "
        "<key_dir>/kafka/users/<user>.password.",
    )
    kafka_loket_username: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="The SCRAM user of the loket's view reader; unset means "
        "<topic_prefix>hub-loket.",
    )
    kafka_loket_password_file: Path | None = Field(
        default=None,
        description="File with the loket's SCRAM password; unset means "
        "<key_dir>/kafka/users/<user>.password.",
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None,
        description="PEM CA the broker certificate must chain to; unset means "
        "<key_dir>/kafka/tls/ca.pem (made by `hub certs init`).",
    )
    kafka_admin_username: str = Field(
        default="admin",
        pattern=r"^[A-Za-z0-9._-]+$",
        description="The operator's super user for `hub acl` (ACLs, SCRAM passwords).",
    )
    kafka_admin_password_file: Path | None = Field(
        default=None,
        description="File with the admin's SCRAM password; unset means "
        "<key_dir>/kafka/users/<admin>.password.",
    )
    http_host: str = Field(default="127.0.0.1", description="Interface of the HTTP side.")
    http_port: int = Field(default=8080, ge=0, le=65535, description="Port of the HTTP side.")
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="json in production, console in a terminal; auto picks by tty."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _check_bootstrap(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(
                    f"KAFKA_BOOTSTRAP_SERVERS must be host:port[,host:port], got {value!r}"
                )
        return value.strip()

    @field_validator("kafka_security_protocol", mode="before")
    @classmethod
    def _upper_protocol(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def kafka_dir(self) -> Path:
        """Directory of the local broker instance."""
        return self.state_dir / "kafka"


@lru_cache(maxsize=1)
def get_settings() -> HubSettings:
    """The process-wide settings, read once."""
    return HubSettings()
