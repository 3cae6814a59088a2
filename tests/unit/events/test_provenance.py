"""The forged-producer check every consumer runs first: the registry knows who speaks where."""

from __future__ import annotations

import pytest

from hub.events.casus import CASUS_GEWIST, MATCH_GEVONDEN
from hub.events.jgz import MAZL_CONSULT_GEHOUDEN
from hub.events.privacy import BEZWAAR_INGEDIEND
from hub.events.provenance import claim, forged_problem
from hub.events.registry import event_types, payload_model
from hub.events.school import ZORGSIGNAAL_AFGEGEVEN
from hub.events.topics import CASUS_UIT, DLQ, PRODUCING_PARTNERS, contract_topic, view_topic


def test_every_type_is_believed_where_its_producers_write_it() -> None:
    for event_type in event_types():
        for partner in payload_model(event_type).producers:
            topic = CASUS_UIT if partner.value == "hub" else contract_topic(partner)
            assert forged_problem("p." + topic, event_type, partner.value, prefix="p.") is None


@pytest.mark.parametrize(
    ("topic", "event_type", "partner"),
    [
        # The three forgeries seen: the hub's erasure, the hub's escalation, JGZ at the school.
        (contract_topic("school"), CASUS_GEWIST, "hub"),
        (
            contract_topic("leerplicht"),
            "nl.onderwijsjeugd.casus.thuiszitter_termijn.verstreken.v1",
            "hub",
        ),
        (contract_topic("school"), MAZL_CONSULT_GEHOUDEN, "jgz"),
        # A request of parents the hub emits is believed only from the hub's own topic.
        (contract_topic("swv"), BEZWAAR_INGEDIEND, "hub"),
        # A partner's event on the casus output, or a type its producer may not make.
        (CASUS_UIT, ZORGSIGNAAL_AFGEGEVEN, "school"),
        (CASUS_UIT, ZORGSIGNAAL_AFGEGEVEN, "hub"),
        (contract_topic("jgz"), ZORGSIGNAAL_AFGEGEVEN, "jgz"),
        # Topics that carry no events, and names outside the registry.
        (DLQ, MATCH_GEVONDEN, "hub"),
        ("contract.elders.v1", ZORGSIGNAAL_AFGEGEVEN, "school"),
    ],
)
def test_a_producer_its_topic_does_not_speak_for_is_forged(
    topic: str, event_type: str, partner: str
) -> None:
    problem = forged_problem("p." + topic, event_type, partner, prefix="p.")
    assert problem is not None
    assert topic in problem or event_type in problem


def test_parents_requests_are_believed_from_every_receiver() -> None:
    for partner in PRODUCING_PARTNERS:
        assert forged_problem(contract_topic(partner), BEZWAAR_INGEDIEND, partner.value) is None
    assert forged_problem(CASUS_UIT, BEZWAAR_INGEDIEND, "hub") is None


def test_a_view_keeps_its_original_producer() -> None:
    assert forged_problem(view_topic("schoolbestuur:41234"), MAZL_CONSULT_GEHOUDEN, "jgz") is None
    assert forged_problem(view_topic("schoolbestuur:41234"), CASUS_GEWIST, "hub") is None
    assert (
        forged_problem(view_topic("schoolbestuur:41234"), MAZL_CONSULT_GEHOUDEN, "school")
        is not None
    )


def test_the_claim_is_read_in_any_spelling_and_conflicts_are_forged() -> None:
    assert claim([("ce_type", b"t"), ("ce_partner", b"school")]) == ("t", "school")
    assert claim([("CE_PARTNER", b"hub"), ("ce_type", b"t")]) == ("t", "hub")
    assert claim([("traceparent", b"x")]) == (None, None)
    _, partner = claim([("ce_partner", b"school"), ("Ce_Partner", b"hub")])
    assert partner not in ("school", "hub")
    assert forged_problem(contract_topic("school"), ZORGSIGNAAL_AFGEGEVEN, partner) is not None


def test_an_incomplete_claim_is_left_to_the_decoder() -> None:
    assert forged_problem(contract_topic("school"), None, "school") is None
    assert forged_problem(contract_topic("school"), ZORGSIGNAAL_AFGEGEVEN, None) is None
    unknown = "nl.onderwijsjeugd.school.onbekend.v1"
    assert forged_problem(contract_topic("school"), unknown, "school") is None
