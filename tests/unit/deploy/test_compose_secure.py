"""The secured docker compose variant (untested without Docker): its essentials, checked here."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from hub.bus.security import SUPER_USERS
from hub.ops import strimzi
from hub.settings import PROJECT_ROOT, HubSettings

DEPLOY = PROJECT_ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.secure.yml").read_text())
LOCAL_TEMPLATE = DEPLOY / "local-kafka" / "server-secure.properties.template"


def properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.lstrip().startswith("#")}


SERVER = properties(COMPOSE["configs"]["kafka-server"]["content"])
KAFKA: dict[str, Any] = COMPOSE["services"]["kafka"]
HUB: dict[str, Any] = COMPOSE["services"]["hub"]


def split_volume(volume: str) -> tuple[str, str]:
    """Source and target of a short volume syntax (the source may hold `${VAR:-default}`)."""
    rest = volume.removesuffix(":ro")
    source, _, target = rest.rpartition(":")
    return source, target


def mount_target(service: dict[str, Any], source_suffix: str) -> str:
    """The container path of the bind mount whose source ends with `source_suffix`."""
    (target,) = [t for s, t in map(split_volume, service["volumes"]) if s.endswith(source_suffix)]
    return target


class TestBroker:
    def test_the_official_image_of_our_kafka_version(self) -> None:
        assert KAFKA["image"] == f"apache/kafka:{HubSettings(_env_file=None).kafka_version}"  # type: ignore[call-arg]

    def test_clients_get_sasl_ssl_only_and_the_controller_stays_on_loopback(self) -> None:
        listeners = dict(item.split("://", 1) for item in SERVER["listeners"].split(","))
        assert set(listeners) == {"SASL_SSL", "CONTROLLER"}
        assert listeners["CONTROLLER"].startswith("127.0.0.1:")
        assert SERVER["listener.security.protocol.map"] == "SASL_SSL:SASL_SSL,CONTROLLER:SSL"
        assert SERVER["listener.name.controller.ssl.client.auth"] == "required"
        assert SERVER["advertised.listeners"] == "SASL_SSL://127.0.0.1:9092"
        assert "127.0.0.1:9092:9092" in KAFKA["ports"]

    def test_scram_sha_512_for_clients_and_the_broker_itself(self) -> None:
        assert SERVER["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
        assert SERVER["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
        script = (DEPLOY / "docker" / "kafka-secure.sh").read_text()
        assert "--add-scram" in script
        assert "scram-sha-512.sasl.jaas.config" in script
        assert mount_target(KAFKA, "docker/kafka-secure.sh") in KAFKA["entrypoint"]

    def test_certificates_come_from_the_mounted_hub_certs_directory(self) -> None:
        secrets = mount_target(KAFKA, "/kafka")
        assert SERVER["ssl.keystore.location"] == f"{secrets}/tls/broker.pem"
        assert SERVER["ssl.truststore.location"] == f"{secrets}/tls/ca.pem"
        assert KAFKA["environment"]["HUB_KAFKA_SECRETS"] == secrets
        assert any(v.endswith(f":{secrets}:ro") for v in KAFKA["volumes"])

    def test_deny_by_default_with_the_same_super_users_as_the_local_broker(self) -> None:
        assert SERVER["allow.everyone.if.no.acl.found"] == "false"
        assert set(SERVER["super.users"].split(";")) == set(SUPER_USERS)
        assert SERVER["auto.create.topics.enable"] == "false"

    @pytest.mark.parametrize(
        "key",
        [
            "listener.security.protocol.map",
            "sasl.enabled.mechanisms",
            "ssl.keystore.type",
            "ssl.enabled.protocols",
            "ssl.endpoint.identification.algorithm",
            "authorizer.class.name",
            "allow.everyone.if.no.acl.found",
            "transaction.max.timeout.ms",
        ],
    )
    def test_secured_like_the_local_broker(self, key: str) -> None:
        assert SERVER[key] == properties(LOCAL_TEMPLATE.read_text())[key]


class TestHubService:
    def test_runs_hub_run_from_the_hub_image(self) -> None:
        dockerfile = (DEPLOY / "Dockerfile").read_text()
        assert 'ENTRYPOINT ["hub"]' in dockerfile
        assert HUB["command"] == ["run"]
        assert HUB["image"] == "ghcr.io/onderwijs-jeugd/hub:0.1.0"
        assert HUB["build"]["dockerfile"] == "deploy/Dockerfile"
        assert HUB["depends_on"]["kafka"]["condition"] == "service_healthy"

    def test_its_environment_is_valid_secured_hub_settings(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for variable, value in HUB["environment"].items():
            monkeypatch.setenv(variable, str(value).replace("${HUB_TOPIC_PREFIX:-}", ""))
        settings = HubSettings(_env_file=None)  # type: ignore[call-arg]
        assert settings.kafka_security_protocol == "SASL_SSL"
        assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
        assert settings.kafka_bootstrap_servers == SERVER["advertised.listeners"].split("://")[1]
        assert mount_target(HUB, ".hub/keys}") == str(settings.key_dir)
        # The same two principals as the Kubernetes deployment: processors and ingest.
        kubernetes = strimzi.hub_settings()
        assert settings.kafka_sasl_username == kubernetes["HUB_KAFKA_SASL_USERNAME"] == "hub"
        assert settings.kafka_ingest_username == kubernetes["HUB_KAFKA_INGEST_USERNAME"]
        assert settings.kafka_ingest_username == "hub-ingest"

    def test_it_shares_the_brokers_network_so_the_loopback_certificate_fits(self) -> None:
        assert HUB["network_mode"] == "service:kafka"
        assert "127.0.0.1:8080:8080" in KAFKA["ports"]
        assert HUB["read_only"] is True

    def test_the_build_context_holds_no_keys(self) -> None:
        ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        rules = [line for line in ignore if line and not line.startswith("#")]
        assert rules[0] == "**"  # everything out, then only what the image needs back in
        assert {r for r in rules if r.startswith("!")} <= {
            "!pyproject.toml",
            "!constraints.txt",
            "!README.md",
            "!hub/**",
        }
