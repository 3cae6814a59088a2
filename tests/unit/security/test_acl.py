"""ACLs derived from the registry: least privilege for partners, explicit grants for the hub."""

from __future__ import annotations

import pytest

from hub.bus.acl import (
    Acl,
    Operation,
    Pattern,
    Resource,
    TopicAccess,
    desired_acls,
    diff,
    managed_principals,
    matrix,
    minimal_registry,
)
from hub.bus.security import PARTIES

REGISTRY = minimal_registry()
INTERNAL = {t.name for t in REGISTRY if t.kind == "internal"}


def acl(
    who: str, resource: Resource, name: str, op: Operation, pattern: Pattern = Pattern.LITERAL
) -> Acl:
    return Acl(f"User:{who}", resource, name, pattern, op)


class TestPartnerGrants:
    def test_a_partner_writes_its_ingest_and_reads_its_view_with_its_own_groups(self) -> None:
        school = {a for a in desired_acls(REGISTRY, PARTIES) if a.principal == "User:school"}
        assert school == {
            acl("school", Resource.TOPIC, "raw.school", Operation.WRITE),
            acl("school", Resource.TOPIC, "raw.school", Operation.DESCRIBE),
            acl("school", Resource.TOPIC, "view.school", Operation.READ),
            acl("school", Resource.TOPIC, "view.school", Operation.DESCRIBE),
            acl("school", Resource.GROUP, "school.", Operation.READ, Pattern.PREFIXED),
            acl("school", Resource.GROUP, "school.", Operation.DESCRIBE, Pattern.PREFIXED),
        }

    @pytest.mark.parametrize("party", PARTIES)
    def test_no_partner_touches_internal_or_other_parties_topics(self, party: str) -> None:
        mine = {a for a in desired_acls(REGISTRY, PARTIES) if a.principal == f"User:{party}"}
        topics = {a.name for a in mine if a.resource is Resource.TOPIC}
        assert not topics & INTERNAL
        assert topics <= {f"raw.{party}", f"view.{party}"}
        assert all(a.pattern is Pattern.LITERAL for a in mine if a.resource is Resource.TOPIC)
        assert not {a for a in mine if a.resource in (Resource.CLUSTER, Resource.TRANSACTIONAL_ID)}

    def test_an_audience_the_policy_does_not_serve_reads_nothing(self) -> None:
        acls = desired_acls(REGISTRY, ["school"])
        jgz = {a for a in acls if a.principal == "User:jgz"}
        assert {a.operation for a in jgz} == {Operation.WRITE, Operation.DESCRIBE}
        assert all(a.name == "raw.jgz" for a in jgz)

    def test_group_prefix_follows_the_topic_prefix(self) -> None:
        acls = desired_acls(minimal_registry("regio-utrecht."), PARTIES, prefix="regio-utrecht.")
        groups = {a.name for a in acls if a.resource is Resource.GROUP}
        assert "regio-utrecht.school." in groups
        assert "regio-utrecht.hub" in groups


class TestHubGrants:
    def test_the_hub_has_explicit_literal_grants_on_every_registry_topic(self) -> None:
        hub = {a for a in desired_acls(REGISTRY, PARTIES) if a.principal == "User:hub"}
        for topic in REGISTRY:
            ops = {a.operation for a in hub if a.name == topic.name}
            assert {Operation.READ, Operation.WRITE, Operation.CREATE} <= ops
        topic_patterns = {a.pattern for a in hub if a.resource is Resource.TOPIC}
        assert topic_patterns == {Pattern.LITERAL}
        assert not {a for a in hub if a.resource is Resource.CLUSTER}
        assert (
            acl("hub", Resource.TRANSACTIONAL_ID, "hub", Operation.WRITE, Pattern.PREFIXED) in hub
        )

    def test_an_empty_registry_grants_nothing(self) -> None:
        assert desired_acls([], PARTIES) == set()


class TestDiff:
    def test_applying_twice_changes_nothing(self) -> None:
        wanted = desired_acls(REGISTRY, PARTIES)
        assert diff(wanted, wanted, managed_principals()).empty

    def test_stale_managed_acls_go_and_foreign_ones_stay(self) -> None:
        wanted = desired_acls(REGISTRY, PARTIES)
        stale = acl("school", Resource.TOPIC, "view.leerplicht", Operation.READ)
        foreign = acl("monitoring", Resource.TOPIC, "view.leerplicht", Operation.DESCRIBE)
        change = diff(wanted | {stale, foreign}, wanted, managed_principals())
        assert change.remove == {stale}
        assert not change.add

    def test_missing_acls_are_added(self) -> None:
        wanted = desired_acls(REGISTRY, PARTIES)
        missing = acl("jgz", Resource.TOPIC, "raw.jgz", Operation.WRITE)
        assert diff(wanted - {missing}, wanted, managed_principals()).add == {missing}


class TestRegistryShape:
    def test_ingest_and_view_topics_name_their_party(self) -> None:
        with pytest.raises(ValueError, match="name their party"):
            TopicAccess("raw.school", "ingest")
        with pytest.raises(ValueError, match="name their party"):
            TopicAccess("audit.disclosures", "internal", "school")

    def test_the_gemeente_gets_figures_only(self) -> None:
        kinds = {t.kind for t in REGISTRY if t.party == "gemeente"}
        assert kinds == {"view"}

    def test_matrix_groups_operations_per_principal_and_resource(self) -> None:
        table = matrix(desired_acls(REGISTRY, PARTIES))
        assert table["User:school"]["topic:raw.school"] == {Operation.WRITE, Operation.DESCRIBE}
        assert table["User:school"]["group:school.*"] == {Operation.READ, Operation.DESCRIBE}
        assert str(acl("school", Resource.GROUP, "school.", Operation.READ, Pattern.PREFIXED)) == (
            "ALLOW User:school READ GROUP:school.*"
        )
