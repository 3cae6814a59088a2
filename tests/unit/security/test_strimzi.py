"""Strimzi manifests are generated from the registry, parse, match the ACLs, and never drift."""

from __future__ import annotations

import re
from typing import Any

import yaml

from hub.cli.deploy import STRIMZI_DIR, strimzi_files
from hub.ops import strimzi
from hub.ops.acl import Acl, Operation, desired_acls, policy_registry

TOPICS = policy_registry()
_RESOURCE = {v: k for k, v in strimzi._RESOURCE.items()}
_PATTERN = {v: k for k, v in strimzi._PATTERN.items()}


def documents(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all((STRIMZI_DIR / name).read_text()))


def acls_of(user: dict[str, Any]) -> set[Acl]:
    """The ACLs a KafkaUser's simple authorization grants, back in the hub's model."""
    found = set()
    who = f"User:{user['metadata']['name']}"
    for rule in user["spec"].get("authorization", {}).get("acls", []):
        res = rule["resource"]
        for op in rule["operations"]:
            operation = Operation(re.sub(r"(?<!^)([A-Z])", r"_\1", op).upper())
            found.add(
                Acl(
                    who,
                    _RESOURCE[res["type"]],
                    res["name"],
                    _PATTERN[res["patternType"]],
                    operation,
                )
            )
    return found


class TestGeneratedManifests:
    def test_committed_files_match_the_registry(self) -> None:
        for name, text in strimzi_files().items():
            assert (STRIMZI_DIR / name).read_text() == text, f"run `hub deploy strimzi` ({name})"

    def test_every_document_is_a_strimzi_resource_of_our_cluster(self) -> None:
        for name in ("kafka-users.yaml", "kafka-topics.yaml"):
            for doc in documents(name):
                assert doc["apiVersion"] == "kafka.strimzi.io/v1beta2"
                assert doc["metadata"]["labels"] == {"strimzi.io/cluster": "hub"}
                assert re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", doc["metadata"]["name"])

    def test_users_grant_exactly_the_derived_acls(self) -> None:
        users = {d["metadata"]["name"]: d for d in documents("kafka-users.yaml")}
        granted = set().union(*(acls_of(u) for u in users.values()))
        assert granted == desired_acls(TOPICS)
        assert all(u["spec"]["authentication"] == {"type": "scram-sha-512"} for u in users.values())
        assert "authorization" not in users["admin"]["spec"]

    def test_topics_are_the_registry_replicated(self) -> None:
        topics = {d["spec"]["topicName"]: d["spec"] for d in documents("kafka-topics.yaml")}
        assert set(topics) == {t.name for t in TOPICS}
        school = topics["raw.school.v1"]
        assert school["replicas"] == 3
        assert school["config"]["min.insync.replicas"] == "2"
        assert school["config"]["retention.ms"] == "86400000"

    def test_a_region_prefix_reaches_topics_groups_and_object_names(self) -> None:
        users = strimzi.kafka_users(TOPICS, prefix="regio-utrecht.")
        topics = strimzi.kafka_topics(TOPICS, prefix="regio-utrecht.")
        names = {r["resource"].get("name") for u in users for r in _rules(u)}
        assert "regio-utrecht.raw.school.v1" in names
        assert "regio-utrecht.school." in names
        assert {u["metadata"]["name"] for u in users} >= {"regio-utrecht.hub", "regio-utrecht.jgz"}
        assert topics[0]["metadata"]["name"].startswith("regio-utrecht.")
        assert topics[0]["spec"]["topicName"].startswith("regio-utrecht.")


def _rules(user: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = user["spec"].get("authorization", {}).get("acls", [])
    return rules
