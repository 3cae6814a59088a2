"""ACLs derived from the registry and the sharing policy: what they name and not one grant more."""

from __future__ import annotations

import pytest

from hub.bus.security import APP_ID_PREFIXES, HUB_USER, INGEST_USER, PARTIES
from hub.ops.acl import (
    Acl,
    Operation,
    Pattern,
    Resource,
    TopicAccess,
    bus_users,
    desired_acls,
    diff,
    managed_principals,
    matrix,
    owned_by,
    policy_registry,
)
from hub.views.policy import parse_policy
from tests.unit.views.test_policy import MINIMAL

REGISTRY = policy_registry()
HUB_ONLY = {t.name for t in REGISTRY if t.readers == ("hub",) and t.writers == ("hub",)}
BOARD = "schoolbestuur-41234"


def acl(
    who: str, resource: Resource, name: str, op: Operation, pattern: Pattern = Pattern.LITERAL
) -> Acl:
    return Acl(f"User:{who}", resource, name, pattern, op)


def of(who: str, acls: set[Acl]) -> set[Acl]:
    return {a for a in acls if a.principal == f"User:{who}"}


def topics_of(who: str, acls: set[Acl], op: Operation) -> set[str]:
    return {a.name for a in of(who, acls) if a.resource is Resource.TOPIC and a.operation is op}


class TestPartnerGrants:
    def test_the_school_writes_raw_and_contract_and_reads_no_view(self) -> None:
        school = of("school", desired_acls(REGISTRY))
        read_write = (Operation.READ, Operation.WRITE, Operation.DESCRIBE)
        expected = {
            acl("school", Resource.TOPIC, topic, op)
            for topic, ops in (
                ("raw.school.v1", read_write),
                # Its raw-topic adapter runner: own state, contract events, dead letters.
                ("adapter.state.school.v1", read_write),
                ("contract.school.v1", (Operation.WRITE, Operation.DESCRIBE)),
                ("dlq.v1", (Operation.WRITE, Operation.DESCRIBE)),
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

    def test_each_school_board_reads_its_own_view_only(self) -> None:
        acls = desired_acls(REGISTRY)
        assert topics_of(BOARD, acls, Operation.READ) == {
            "view.schoolbestuur.41234.v1",
            "viewkeys.schoolbestuur.41234.v1",
        }
        assert topics_of("schoolbestuur-52345", acls, Operation.READ) == {
            "view.schoolbestuur.52345.v1",
            "viewkeys.schoolbestuur.52345.v1",
        }
        assert not topics_of(BOARD, acls, Operation.WRITE)
        assert {a.name for a in of(BOARD, acls) if a.resource is Resource.GROUP} == {f"{BOARD}."}

    @pytest.mark.parametrize("party", [*PARTIES, BOARD])
    def test_no_partner_touches_hub_topics_or_other_parties_topics(self, party: str) -> None:
        mine = of(party, desired_acls(REGISTRY))
        topics = {a.name for a in mine if a.resource is Resource.TOPIC}
        assert not topics & HUB_ONLY
        # Besides its own topics: the shared figures (read) and the dead letters (write only).
        own = party.replace("-", ".")
        assert all(f".{own}." in name for name in topics - {"indicators.v1", "dlq.v1"})
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
        school = of("school", desired_acls(REGISTRY))
        assert acl("school", Resource.TOPIC, "contract.school.v1", Operation.READ) not in school

    def test_an_audience_the_policy_does_not_serve_reads_no_view(self) -> None:
        only_leerplicht = policy_registry(parse_policy(MINIMAL.encode()))
        acls = desired_acls(only_leerplicht)
        assert topics_of("leerplicht", acls, Operation.READ) == {
            "raw.leerplicht.v1",
            "adapter.state.leerplicht.v1",
            "view.leerplicht.v1",
            "viewkeys.leerplicht.v1",
        }
        assert topics_of("jgz", acls, Operation.READ) == {"raw.jgz.v1", "adapter.state.jgz.v1"}
        assert not topics_of("gemeente", acls, Operation.READ) - {"indicators.v1"}
        assert not of(BOARD, acls)

    def test_the_gemeente_reads_figures_only(self) -> None:
        gemeente = of("gemeente", desired_acls(REGISTRY))
        assert {a.name for a in gemeente if a.resource is Resource.TOPIC} == {
            "view.gemeente.v1",
            "viewkeys.gemeente.v1",
            "indicators.v1",
        }
        assert Operation.WRITE not in {a.operation for a in gemeente}


class TestRegionPrefix:
    def test_principals_topics_and_groups_get_the_region_prefix(self) -> None:
        acls = desired_acls(REGISTRY, prefix="regio-utrecht.")
        assert all(a.principal.startswith("User:regio-utrecht.") for a in acls)
        raw = acl(
            "regio-utrecht.school", Resource.TOPIC, "regio-utrecht.raw.school.v1", Operation.WRITE
        )
        assert raw in acls
        groups = {a.name for a in acls if a.resource is Resource.GROUP}
        readers = {p for p in PARTIES if p != "school"} | {BOARD, "schoolbestuur-52345", "school"}
        assert groups == {f"regio-utrecht.{p}." for p in readers} | {
            "regio-utrecht.hub-casus",
            "regio-utrecht.hub-views",
        }

    def test_a_region_owns_its_own_name_space_only(self) -> None:
        assert owned_by("User:hub")
        assert owned_by("User:schoolbestuur-99999")  # a board the policy dropped: its ACLs go
        assert not owned_by("User:regio-b.hub")
        assert not owned_by("User:monitoring")
        assert owned_by("User:regio-b.hub", "regio-b.")
        assert owned_by("User:regio-b.hub-ingest", "regio-b.")
        assert not owned_by("User:hub", "regio-b.")
        assert not owned_by("User:regio-a.jgz", "regio-b.")

    def test_applying_one_region_never_removes_another_regions_acls(self) -> None:
        region_a = desired_acls(REGISTRY, prefix="regio-a.")
        region_b = desired_acls(REGISTRY, prefix="regio-b.")
        default = desired_acls(REGISTRY)
        change = diff(region_a | region_b | default, region_a, managed_principals("regio-a."))
        assert not change.add
        assert not change.remove
        assert diff(region_b | default, default, managed_principals()).remove == set()

    def test_the_bus_users_of_a_region(self) -> None:
        users = bus_users(prefix="regio-a.")
        assert users[:2] == ("broker", "admin")
        assert {"regio-a.hub", "regio-a.hub-ingest", "regio-a.school", f"regio-a.{BOARD}"} <= set(
            users
        )


class TestHubGrants:
    def test_the_processors_create_every_topic_but_never_read_raw_identities(self) -> None:
        hub = of(HUB_USER, desired_acls(REGISTRY))
        for topic in REGISTRY:
            assert acl("hub", Resource.TOPIC, topic.name, Operation.CREATE) in hub
        assert acl("hub", Resource.TOPIC, "raw.school.v1", Operation.READ) not in hub
        assert acl("hub", Resource.TOPIC, "contract.school.v1", Operation.READ) in hub
        view = "view.schoolbestuur.41234.v1"
        assert acl("hub", Resource.TOPIC, view, Operation.WRITE) in hub
        assert acl("hub", Resource.TOPIC, view, Operation.READ) not in hub

    def test_the_processors_may_truncate_the_transport_topics_only(self) -> None:
        hub = of(HUB_USER, desired_acls(REGISTRY))
        deletable = {a.name for a in hub if a.operation is Operation.DELETE}
        assert deletable == {
            *(f"contract.{p}.v1" for p in ("school", "leerplicht", "jgz", "buurtteam", "swv")),
            "casus.uit.v1",
            "casus.tick.v1",
        }
        assert not {a for a in desired_acls(REGISTRY) if a.operation is Operation.DELETE} - hub

    def test_the_processors_do_not_write_contract_topics(self) -> None:
        hub = of(HUB_USER, desired_acls(REGISTRY))
        assert not {n for n in topics_of(HUB_USER, hub, Operation.WRITE) if ".school." in n} - {
            "view.schoolbestuur.41234.v1",
            "view.schoolbestuur.52345.v1",
        }
        assert acl("hub", Resource.TOPIC, "ingest.seen.v1", Operation.READ) not in hub

    def test_the_ingest_writes_contracts_and_dead_letters_and_reads_nothing_of_theirs(
        self,
    ) -> None:
        ingest = of(INGEST_USER, desired_acls(REGISTRY))
        writes = topics_of(INGEST_USER, ingest, Operation.WRITE)
        assert {f"contract.{p}.v1" for p in ("school", "jgz", "swv")} <= writes
        assert writes - {n for n in writes if n.startswith("contract.")} == {
            "dlq.v1",
            "ingest.seen.v1",
        }
        assert topics_of(INGEST_USER, ingest, Operation.READ) == {"ingest.seen.v1"}
        assert not {a for a in ingest if a.resource is Resource.GROUP}
        txn = {a.name for a in ingest if a.resource is Resource.TRANSACTIONAL_ID}
        assert txn == {"hub-ingest"}
        creates = topics_of(INGEST_USER, ingest, Operation.CREATE)
        assert "casus.uit.v1" not in creates
        assert "contract.school.v1" in creates

    def test_the_loket_reads_views_and_who_received_what_and_writes_nothing(self) -> None:
        loket = of("hub-loket", desired_acls(REGISTRY))
        reads = topics_of("hub-loket", loket, Operation.READ)
        assert "view.jgz.v1" in reads
        assert "view.schoolbestuur.41234.v1" in reads
        assert reads - {n for n in reads if n.startswith("view.")} == {"views.state.v1"}
        assert not topics_of("hub-loket", loket, Operation.WRITE)
        assert not topics_of("hub-loket", loket, Operation.CREATE)
        assert not {a for a in loket if a.resource is not Resource.TOPIC}

    def test_the_hub_principals_are_not_super_users(self) -> None:
        acls = desired_acls(REGISTRY)
        for user in (HUB_USER, INGEST_USER):
            mine = of(user, acls)
            assert not {a for a in mine if a.resource is Resource.CLUSTER}
            assert {a.pattern for a in mine if a.resource is Resource.TOPIC} == {Pattern.LITERAL}
        txn = {a.name for a in of(HUB_USER, acls) if a.resource is Resource.TRANSACTIONAL_ID}
        assert txn == {"hub-casus", "hub-views"}

    def test_the_app_ids_are_those_the_processors_use(self) -> None:
        from hub.casus.runner import APP_ID as CASUS
        from hub.views.runner import APP_ID as VIEWS

        assert APP_ID_PREFIXES[HUB_USER] == (CASUS, VIEWS)

    def test_an_empty_registry_grants_nothing(self) -> None:
        assert desired_acls([]) == set()


class TestDiff:
    def test_applying_twice_changes_nothing(self) -> None:
        wanted = desired_acls(REGISTRY)
        assert diff(wanted, wanted, managed_principals()).empty

    def test_stale_managed_acls_go_and_foreign_ones_stay(self) -> None:
        wanted = desired_acls(REGISTRY)
        stale = acl("school", Resource.TOPIC, "view.leerplicht.v1", Operation.READ)
        dropped = acl("schoolbestuur-99999", Resource.TOPIC, "view.x.v1", Operation.READ)
        foreign = acl("monitoring", Resource.TOPIC, "view.leerplicht.v1", Operation.DESCRIBE)
        change = diff(wanted | {stale, dropped, foreign}, wanted, managed_principals())
        assert change.remove == {stale, dropped}
        assert not change.add

    def test_missing_acls_are_added(self) -> None:
        wanted = desired_acls(REGISTRY)
        missing = acl("jgz", Resource.TOPIC, "raw.jgz.v1", Operation.WRITE)
        assert diff(wanted - {missing}, wanted, managed_principals()).add == {missing}


class TestRegistryShape:
    def test_every_principal_of_the_registry_is_a_bus_user(self) -> None:
        named = {str(p) for t in REGISTRY for p in (*t.writers, *t.readers)}
        assert named == {*PARTIES, HUB_USER, INGEST_USER, "hub-loket", BOARD, "schoolbestuur-52345"}
        assert named <= set(bus_users())
        assert {"view.schoolbestuur.41234.v1", "audit.v1", "datakeys.v1"} <= {
            t.name for t in REGISTRY
        }
        assert "view.school.v1" not in {t.name for t in REGISTRY}

    def test_plain_data_is_enough(self) -> None:
        topic = TopicAccess("x.v1", ("school",), ("hub",))
        acls = desired_acls([topic])
        assert acl("school", Resource.TOPIC, "x.v1", Operation.WRITE) in acls
        assert acl("hub", Resource.TOPIC, "x.v1", Operation.READ) in acls

    def test_matrix_groups_operations_per_principal_and_resource(self) -> None:
        table = matrix(desired_acls(REGISTRY))
        assert table["User:school"]["topic:contract.school.v1"] == {
            Operation.WRITE,
            Operation.DESCRIBE,
        }
        assert table["User:school"]["group:school.*"] == {Operation.READ, Operation.DESCRIBE}
        assert str(acl("school", Resource.GROUP, "school.", Operation.READ, Pattern.PREFIXED)) == (
            "ALLOW User:school READ GROUP:school.*"
        )
