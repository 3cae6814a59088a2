"""The topic registry: names, keys, cleanup, contents and who writes and reads."""

from __future__ import annotations

import re

import pytest

from hub.events.registry import event_types, payload_model
from hub.events.school import VERZUIM_GEREGISTREERD
from hub.events.topics import (
    AUDIT,
    CASUS_STATE,
    CASUS_UIT,
    CHILD_PARTITIONS,
    DATAKEYS,
    DLQ,
    Cleanup,
    contract_topic,
    physical_name,
    raw_topic,
    registry,
    topic,
    topic_for_event,
    topics_carrying,
    view_topic,
)
from hub.events.vocab import Partner
from hub.settings import HubSettings


class TestRegistry:
    def test_expected_topics(self) -> None:
        names = set(registry())
        assert {CASUS_UIT, CASUS_STATE, DLQ, AUDIT, DATAKEYS} <= names
        assert {
            contract_topic(p) for p in ("school", "leerplicht", "jgz", "buurtteam", "swv")
        } <= names
        assert {raw_topic("school"), view_topic("gemeente"), view_topic("jgz")} <= names
        assert all(re.fullmatch(r"[a-z]+(\.[a-z]+)*\.v[0-9]+", n) for n in names)

    def test_every_type_has_a_topic_for_every_producer(self) -> None:
        for event_type in event_types():
            for partner in payload_model(event_type).producers:
                name = topic_for_event(event_type, partner)
                assert event_type in topic(name).carries
                assert partner.value in topic(name).writers

    def test_partner_cannot_write_foreign_type(self) -> None:
        with pytest.raises(ValueError, match="does not produce"):
            topic_for_event(VERZUIM_GEREGISTREERD, Partner.JGZ)

    def test_child_topics_are_copartitioned(self) -> None:
        child = [t for t in registry().values() if t.name.startswith(("contract.", "casus."))]
        assert {t.partitions for t in child} == {CHILD_PARTITIONS}
        assert topic(DATAKEYS).partitions == CHILD_PARTITIONS

    def test_state_topics_are_compacted(self) -> None:
        assert topic(CASUS_STATE).config()["cleanup.policy"] == "compact"
        # Erased children's tombstoned state and keys leave the disk within a day.
        for name in (CASUS_STATE, DATAKEYS):
            config = topic(name).config()
            assert int(config["max.compaction.lag.ms"]) <= 86400000
            assert int(config["delete.retention.ms"]) <= 86400000
        assert topic(DATAKEYS).cleanup is Cleanup.COMPACT
        assert topic(DLQ).config() == {
            "cleanup.policy": "delete",
            "retention.ms": str(30 * 86400000),
        }
        # Transport topics keep a week, never forever: plain facts do not outlive their use.
        assert topic(contract_topic("school")).config()["retention.ms"] == str(7 * 86400000)
        assert topic(CASUS_UIT).config()["retention.ms"] == str(7 * 86400000)
        assert all(t.config().get("retention.ms") != "-1" for t in registry().values())

    def test_views_are_read_only_by_their_audience(self) -> None:
        for audience in ("leerplicht", "jgz", "buurtteam", "swv", "gemeente"):
            view = topic(view_topic(audience))
            # The audience itself, and the hub's loket that shows it to its organisation.
            assert view.readers == (audience, "hub-loket")
            assert view.writers == ("hub",)
            assert view.policy_filtered

    def test_each_school_board_has_a_view_of_its_own_and_the_school_none(self) -> None:
        board = topic("view.schoolbestuur.41234.v1")
        assert board.name == view_topic("schoolbestuur:41234")
        assert board.readers == ("schoolbestuur-41234", "hub-loket")
        assert board.writers == ("hub",)
        assert board.config() == topic(view_topic("jgz")).config()
        assert "view.school.v1" not in registry()
        with pytest.raises(ValueError, match="each school board reads"):
            view_topic("school")
        with pytest.raises(KeyError):
            topic("view.schoolbestuur.Not-Valid.v1")

    def test_only_the_hub_ingest_writes_contracts_for_partners_and_reads_nothing_of_theirs(
        self,
    ) -> None:
        contract = topic(contract_topic("jgz"))
        assert contract.writers == ("jgz", "hub-ingest")
        assert contract.readers == ("hub",)
        ingest_reads = {t.name for t in registry().values() if "hub-ingest" in t.readers}
        assert ingest_reads == {"ingest.seen.v1"}

    def test_raw_topics_stay_with_their_partner(self) -> None:
        raw = topic(raw_topic("jgz"))
        assert raw.readers == raw.writers == ("jgz",)
        assert raw.carries == ()

    def test_topics_carrying(self) -> None:
        names = {t.name for t in topics_carrying(VERZUIM_GEREGISTREERD)}
        assert contract_topic("school") in names
        assert CASUS_UIT not in names


class TestPhysicalName:
    def test_prefix_from_settings(self) -> None:
        settings = HubSettings(topic_prefix="utrecht.")
        assert physical_name(CASUS_UIT, settings) == "utrecht.casus.uit.v1"
        assert physical_name(DLQ) == "dlq.v1"

    def test_unknown_topic_refused(self) -> None:
        with pytest.raises(KeyError, match="not in the registry"):
            physical_name("casus.in.v9")
