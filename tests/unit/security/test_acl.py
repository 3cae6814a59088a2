"""ACLs derived from the registry: what it names and not one grant more."""

from __future__ import annotations

import pytest

from hub.bus.security import PARTIES
from hub.ops.acl import (
    Acl,
    Operation,
    Pattern,
    Resource,
    TopicAccess,
    desired_acls,
    diff,
    managed_principals,
    matrix,
    registry_and_audiences,
)

REGISTRY, AUDIENCES = registry_and_audiences()
HUB_ONLY = {t.name for t in REGISTRY if t.readers == ("hub",) and t.writers == ("hub",)}


def acl(
    who: str, resource: Resource, name: str, op: Operation, pattern: Pattern = Pattern.LITERAL
) -> Acl:
    return Acl(f"User:{who}", resource, name, pattern, op)


def of(who: str, acls: set[Acl]) -> set[Acl]:
    return {a for a in acls if a.principal == f"User:{who}"}


class TestPartnerGrants:
    def test_a_partner_writes_raw_and_contract_reads_raw_and_its_view(self) -> None:
        school = of("school", desired_acls(REGISTRY, PARTIES))
        read_write = (Operation.READ, Operation.WRITE, Operation.DESCRIBE)
        expected = {
            acl("school", Resource.TOPIC, topic, op)
            for topic, ops in (
                ("raw.school.v1", read_write),
                # Its raw-topic adapter runner: own state, contract events, dead letters.
                ("adapter.state.school.v1", read_write),
                ("contract.school.v1", (Operation.WRITE, Operation.DESCRIBE)),
                ("dlq.v1", (Operation.WRITE, Operation.DESCRIBE)),
                ("view.school.v1", (Operation.READ, Operation.DESCRIBE)),
                ("viewkeys.school.v1", (Operation.READ, Operation.DESCRIBE)),
            )
            for op in ops
        }
        expected |= {
            acl("school", Resource.GROUP, "school.", op, Pattern.PREFIXED)
            for op in (Operation.READ, Operation.DESCRIBE)
        }
        expected |= {
            acl("school", Resource.TRANSACTIONAL_ID, "school.", op, Pattern.PREFIXED)
            for op in (Operation.WRITE, Operation.DESCRIBE)
        }
        assert school == expected

    @pytest.mark.parametrize("party", PARTIES)
    def test_no_partner_touches_hub_topics_or_other_parties_topics(self, party: str) -> None:
        mine = of(party, desired_acls(REGISTRY, PARTIES))
        topics = {a.name for a in mine if a.resource is Resource.TOPIC}
        assert not topics & HUB_ONLY
        # Besides its own topics: the shared figures (read) and the dead letters (write only).
        assert all(f".{party}." in name for name in topics - {"indicators.v1", "dlq.v1"})
        assert {a.operation for a in mine if a.name == "dlq.v1"} <= {
            Operation.WRITE,
            Operation.DESCRIBE,
        }
        if "indicators.v1" in topics:
            assert party in {"gemeente", "swv"}
        assert all(a.pattern is Pattern.LITERAL for a in mine if a.resource is Resource.TOPIC)
        assert not {a for a in mine if a.resource is Resource.CLUSTER}
        assert all(a.name == f"{party}." for a in mine if a.resource is Resource.TRANSACTIONAL_ID)

    def test_a_partner_cannot_read_its_own_contract_topic(self) -> None:
        school = of("school", desired_acls(REGISTRY, PARTIES))
        assert acl("school", Resource.TOPIC, "contract.school.v1", Operation.READ) not in school

    def test_an_audience_the_policy_does_not_serve_reads_no_view(self) -> None:
        jgz = of("jgz", desired_acls(REGISTRY, ["school"]))
        assert not {a for a in jgz if a.name == "view.jgz.v1"}
        assert acl("jgz", Resource.TOPIC, "raw.jgz.v1", Operation.READ) in jgz

    def test_the_gemeente_reads_figures_only(self) -> None:
        gemeente = of("gemeente", desired_acls(REGISTRY, PARTIES))
        assert {a.name for a in gemeente if a.resource is Resource.TOPIC} == {
            "view.gemeente.v1",
            "viewkeys.gemeente.v1",
            "indicators.v1",
        }
        assert Operation.WRITE not in {a.operation for a in gemeente}

    def test_topic_and_group_names_get_the_topic_prefix(self) -> None:
        acls = desired_acls(REGISTRY, PARTIES, prefix="regio-utrecht.")
        assert acl("school", Resource.TOPIC, "regio-utrecht.raw.school.v1", Operation.WRITE) in acls
        groups = {a.name for a in acls if a.resource is Resource.GROUP}
        assert groups == {f"regio-utrecht.{p}." for p in PARTIES} | {"regio-utrecht.hub"}


class TestHubGrants:
    def test_the_hub_creates_every_topic_but_never_reads_raw_identities(self) -> None:
        hub = of("hub", desired_acls(REGISTRY, PARTIES))
        for topic in REGISTRY:
            assert acl("hub", Resource.TOPIC, topic.name, Operation.CREATE) in hub
        assert acl("hub", Resource.TOPIC, "raw.school.v1", Operation.READ) not in hub
        assert acl("hub", Resource.TOPIC, "contract.school.v1", Operation.READ) in hub
        assert acl("hub", Resource.TOPIC, "view.school.v1", Operation.WRITE) in hub
        assert acl("hub", Resource.TOPIC, "view.school.v1", Operation.READ) not in hub

    def test_the_hub_is_not_a_super_user(self) -> None:
        hub = of("hub", desired_acls(REGISTRY, PARTIES))
        assert not {a for a in hub if a.resource is Resource.CLUSTER}
        assert {a.pattern for a in hub if a.resource is Resource.TOPIC} == {Pattern.LITERAL}
        txn = acl("hub", Resource.TRANSACTIONAL_ID, "hub", Operation.WRITE, Pattern.PREFIXED)
        assert txn in hub

    def test_an_empty_registry_grants_nothing(self) -> None:
        assert desired_acls([], PARTIES) == set()


class TestDiff:
    def test_applying_twice_changes_nothing(self) -> None:
        wanted = desired_acls(REGISTRY, PARTIES)
        assert diff(wanted, wanted, managed_principals()).empty

    def test_stale_managed_acls_go_and_foreign_ones_stay(self) -> None:
        wanted = desired_acls(REGISTRY, PARTIES)
        stale = acl("school", Resource.TOPIC, "view.leerplicht.v1", Operation.READ)
        foreign = acl("monitoring", Resource.TOPIC, "view.leerplicht.v1", Operation.DESCRIBE)
        change = diff(wanted | {stale, foreign}, wanted, managed_principals())
        assert change.remove == {stale}
        assert not change.add

    def test_missing_acls_are_added(self) -> None:
        wanted = desired_acls(REGISTRY, PARTIES)
        missing = acl("jgz", Resource.TOPIC, "raw.jgz.v1", Operation.WRITE)
        assert diff(wanted - {missing}, wanted, managed_principals()).add == {missing}


class TestRegistryShape:
    def test_every_party_of_the_registry_has_a_bus_user(self) -> None:
        named = {str(p) for t in REGISTRY for p in (*t.writers, *t.readers)}
        assert named == {*PARTIES, "hub"}
        assert set(AUDIENCES) == set(PARTIES)
        assert {"view.school.v1", "audit.v1", "datakeys.v1"} <= {t.name for t in REGISTRY}

    def test_plain_data_is_enough(self) -> None:
        topic = TopicAccess("x.v1", ("school",), ("hub",))
        acls = desired_acls([topic], [])
        assert acl("school", Resource.TOPIC, "x.v1", Operation.WRITE) in acls
        assert acl("hub", Resource.TOPIC, "x.v1", Operation.READ) in acls

    def test_matrix_groups_operations_per_principal_and_resource(self) -> None:
        table = matrix(desired_acls(REGISTRY, PARTIES))
        assert table["User:school"]["topic:contract.school.v1"] == {
            Operation.WRITE,
            Operation.DESCRIBE,
        }
        assert table["User:school"]["group:school.*"] == {Operation.READ, Operation.DESCRIBE}
        assert str(acl("school", Resource.GROUP, "school.", Operation.READ, Pattern.PREFIXED)) == (
            "ALLOW User:school READ GROUP:school.*"
        )
