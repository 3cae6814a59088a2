"""The Kubernetes manifests are generated from the registry, parse, fit together, never drift."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from hub.bus.security import ADMIN_USER, HUB_USER, INGEST_USER, PARTIES
from hub.cli.deploy import STRIMZI_DIR, strimzi_files
from hub.events.topics import CHILD_PARTITIONS
from hub.ops import strimzi
from hub.ops.acl import policy_registry
from hub.settings import HubSettings

TOPICS = policy_registry()
BOARDS = ("schoolbestuur-41234", "schoolbestuur-52345")
FILES = ("kafka-cluster.yaml", "kafka-topics.yaml", "kafka-users.yaml", "hub.yaml")


def load(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((STRIMZI_DIR / name).read_text()) if d is not None]


def one(name: str, kind: str) -> dict[str, Any]:
    (found,) = [d for d in load(name) if d["kind"] == kind]
    return found


def container() -> dict[str, Any]:
    spec = one("hub.yaml", "Deployment")["spec"]["template"]["spec"]
    (hub,) = spec["containers"]
    return dict(hub)


def volumes() -> dict[str, dict[str, Any]]:
    spec = one("hub.yaml", "Deployment")["spec"]["template"]["spec"]
    return {v["name"]: v for v in spec["volumes"]}


def mounted(path: str) -> dict[str, Any]:
    """The volume whose mount holds `path` (the longest matching mount path)."""
    mounts = [m for m in container()["volumeMounts"] if path.startswith(m["mountPath"] + "/")]
    best = max(mounts, key=lambda m: len(m["mountPath"]))
    return volumes()[best["name"]]


class TestGeneration:
    def test_committed_files_equal_the_generated_ones(self) -> None:
        generated = strimzi_files()
        assert set(generated) == set(FILES)
        for name, text in generated.items():
            assert (STRIMZI_DIR / name).read_text() == text, f"run `hub deploy strimzi` ({name})"

    @pytest.mark.parametrize("name", FILES)
    def test_every_file_parses_into_named_kubernetes_objects(self, name: str) -> None:
        docs = load(name)
        assert docs
        for doc in docs:
            assert {"apiVersion", "kind", "metadata"} <= set(doc)
            assert doc["metadata"]["name"]

    def test_a_region_prefix_reaches_the_hub_settings(self) -> None:
        files = strimzi.manifests(prefix="regio-utrecht.")
        config = next(d for d in yaml.safe_load_all(files["hub.yaml"]) if d["kind"] == "ConfigMap")
        assert config["data"]["HUB_TOPIC_PREFIX"] == "regio-utrecht."
        assert config["data"]["HUB_KAFKA_SASL_USERNAME"] == "regio-utrecht.hub"
        assert config["data"]["HUB_KAFKA_INGEST_USERNAME"] == "regio-utrecht.hub-ingest"
        assert "regio-utrecht.raw.school.v1" in files["kafka-topics.yaml"]
        users = [d for d in yaml.safe_load_all(files["kafka-users.yaml"]) if d]
        assert "regio-utrecht.schoolbestuur-41234" in {u["metadata"]["name"] for u in users}

    def test_a_prefix_that_cannot_name_kafka_users_is_refused(self) -> None:
        with pytest.raises(ValueError, match="cannot name KafkaUsers"):
            strimzi.manifests(prefix="Regio_Utrecht.")


class TestRegistry:
    def test_every_registry_topic_has_a_kafka_topic(self) -> None:
        names = {d["spec"]["topicName"] for d in load("kafka-topics.yaml")}
        assert names == {t.name for t in TOPICS}

    def test_every_principal_has_a_kafka_user_of_the_cluster(self) -> None:
        users = {d["metadata"]["name"] for d in load("kafka-users.yaml")}
        assert users == {ADMIN_USER, HUB_USER, INGEST_USER, "hub-loket", *PARTIES, *BOARDS}
        cluster = one("kafka-cluster.yaml", "Kafka")["metadata"]["name"]
        for name in ("kafka-topics.yaml", "kafka-users.yaml", "kafka-cluster.yaml"):
            for doc in load(name):
                if doc["kind"] != "Kafka":
                    assert doc["metadata"]["labels"]["strimzi.io/cluster"] == cluster

    def test_the_hub_user_may_run_the_processors_groups_and_transactions(self) -> None:
        from hub.casus.runner import APP_ID as CASUS
        from hub.views.runner import APP_ID as VIEWS

        (hub,) = [d for d in load("kafka-users.yaml") if d["metadata"]["name"] == HUB_USER]
        prefixes = {
            (rule["resource"]["type"], rule["resource"]["name"])
            for rule in hub["spec"]["authorization"]["acls"]
            if rule["resource"].get("patternType") == "prefix"
        }
        for app_id in (CASUS, VIEWS):
            for kind in ("group", "transactionalId"):
                assert any(k == kind and app_id.startswith(n) for k, n in prefixes), (kind, app_id)


class TestKafkaCluster:
    def test_kraft_with_a_dual_role_node_pool_of_three(self) -> None:
        kafka = one("kafka-cluster.yaml", "Kafka")
        pool = one("kafka-cluster.yaml", "KafkaNodePool")
        assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
        assert kafka["metadata"]["annotations"]["strimzi.io/node-pools"] == "enabled"
        assert pool["spec"]["replicas"] == 3
        assert set(pool["spec"]["roles"]) == {"controller", "broker"}

    def test_one_listener_tls_with_scram_and_simple_authorization(self) -> None:
        spec = one("kafka-cluster.yaml", "Kafka")["spec"]["kafka"]
        (listener,) = spec["listeners"]
        assert listener["tls"] is True
        assert listener["type"] == "internal"
        assert listener["authentication"] == {"type": "scram-sha-512"}
        assert spec["authorization"] == {"type": "simple", "superUsers": [ADMIN_USER]}
        assert spec["config"]["allow.everyone.if.no.acl.found"] is False

    def test_replicated_for_production_transaction_log_included(self) -> None:
        config = one("kafka-cluster.yaml", "Kafka")["spec"]["kafka"]["config"]
        assert config["default.replication.factor"] == 3
        assert config["offsets.topic.replication.factor"] == 3
        assert config["transaction.state.log.replication.factor"] == 3
        assert config["min.insync.replicas"] == 2
        assert config["transaction.state.log.min.isr"] == 2
        assert config["auto.create.topics.enable"] is False
        topics = load("kafka-topics.yaml")
        assert {
            (t["spec"]["replicas"], t["spec"]["config"]["min.insync.replicas"]) for t in topics
        } == {(3, "2")}


class TestHubDeployment:
    def test_the_settings_are_valid_hub_settings_pointing_at_the_mounts(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        data = one("hub.yaml", "ConfigMap")["data"]
        for variable, value in data.items():
            monkeypatch.setenv(variable, value)
        settings = HubSettings(_env_file=None)  # type: ignore[call-arg]
        kafka = one("kafka-cluster.yaml", "Kafka")
        (listener,) = kafka["spec"]["kafka"]["listeners"]
        bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
        assert settings.kafka_bootstrap_servers == bootstrap
        assert settings.kafka_security_protocol == "SASL_SSL"
        assert settings.kafka_sasl_username == HUB_USER
        assert settings.kafka_ingest_username == INGEST_USER
        assert (
            mounted(str(settings.key_dir) + "/pseudonym.v1")["secret"]["secretName"] == "hub-keys"
        )
        password = mounted(str(settings.kafka_sasl_password_file))["secret"]
        assert password["secretName"] == HUB_USER  # the User Operator's Secret of the KafkaUser
        assert password["items"] == [{"key": "password", "path": "password"}]
        ingest = mounted(str(settings.kafka_ingest_password_file))["secret"]
        assert ingest["secretName"] == INGEST_USER
        assert ingest["items"] == [{"key": "password", "path": "password"}]
        ca = mounted(str(settings.kafka_ssl_cafile))["secret"]
        assert ca["secretName"] == f"{kafka['metadata']['name']}-cluster-ca-cert"
        tokens = mounted(str(settings.state_dir / "ingest-tokens" / "ingest-tokens.json"))
        assert tokens["secret"]["secretName"] == "hub-ingest-tokens"
        assert data["HUB_HTTP_HOST"] == "0.0.0.0"

    def test_runs_hub_run_with_probes_on_health_and_readiness(self) -> None:
        hub = container()
        assert hub["image"] == "ghcr.io/onderwijs-jeugd/hub:0.1.0"
        assert [*hub["command"], *hub["args"]] == ["hub", "run"]
        assert hub["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert hub["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert hub["envFrom"] == [{"configMapRef": {"name": "hub-config"}}]
        assert hub["resources"]["requests"]
        assert hub["resources"]["limits"]["memory"]

    def test_scraped_by_prometheus_on_metrics(self) -> None:
        template = one("hub.yaml", "Deployment")["spec"]["template"]
        notes = template["metadata"]["annotations"]
        assert notes["prometheus.io/scrape"] == "true"
        assert notes["prometheus.io/path"] == "/metrics"
        assert int(notes["prometheus.io/port"]) == container()["ports"][0]["containerPort"]

    def test_non_root_read_only_no_capabilities_secrets_read_only(self) -> None:
        spec = one("hub.yaml", "Deployment")["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
        assert spec["automountServiceAccountToken"] is False
        context = container()["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        for volume in volumes().values():
            if "secret" in volume:
                assert volume["secret"]["defaultMode"] & 0o222 == 0

    def test_service_and_disruption_budget_select_the_pods(self) -> None:
        labels = one("hub.yaml", "Deployment")["spec"]["template"]["metadata"]["labels"]
        assert one("hub.yaml", "Service")["spec"]["selector"] == labels
        budget = one("hub.yaml", "PodDisruptionBudget")["spec"]
        assert budget["selector"]["matchLabels"] == labels
        assert budget["maxUnavailable"] == 1

    def test_replicas_fit_the_partitions_they_share(self) -> None:
        replicas = one("hub.yaml", "Deployment")["spec"]["replicas"]
        assert 2 <= replicas <= CHILD_PARTITIONS
