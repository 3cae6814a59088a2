"""Consent is checked, not only named: a grant whose legal basis is toestemming shares only while
a consent for its purpose, covering the audience, is in force; a withdrawal stops it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.events.jgz import MAZL_CONSULT_GEHOUDEN
from hub.events.privacy import TOESTEMMING_GEGEVEN, TOESTEMMING_INGETROKKEN, Doel
from hub.events.school import INSCHRIJVING_GEREGISTREERD as INSCHRIJVING
from hub.events.school import ZORGSIGNAAL_AFGEGEVEN
from hub.views.policy import PolicyError, load_policy, parse_policy
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics, transition
from tests.unit.views.stream import BSNS, hub_pseudonym, keyring_for_tests, make_event

RING = keyring_for_tests()
POLICY = load_policy()
TOPICS = ViewTopics("t.")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
CHILD = hub_pseudonym(BSNS[0], RING)
DELEN = Doel.DELEN_MET_PARTNERS.value


def _views(events: list[Any], now: dt.datetime = NOW) -> tuple[ChildViews | None, set[str]]:
    """Run the transition; return the state and the view topics written."""
    state: ChildViews | None = None
    topics: set[str] = set()
    for event in events:
        state, records = transition(POLICY, RING, TOPICS, state, event, now)
        topics |= {r.topic for r in records if r.topic.startswith("t.view.")}
    return state, topics


def gezondheid(record: str) -> Any:
    data = {"domein": "gezondheid"}
    return make_event(ZORGSIGNAAL_AFGEGEVEN, CHILD, RING, record=record, data=data)


def consent(record: str, doel: str = DELEN, **data: Any) -> Any:
    base = {"doel": doel, "partners": ["jgz", "school"], "geldig_tot": None}
    return make_event(TOESTEMMING_GEGEVEN, CHILD, RING, record=record, data=base | data)


def withdrawal(record: str, doel: str = DELEN) -> Any:
    return make_event(TOESTEMMING_INGETROKKEN, CHILD, RING, record=record, data={"doel": doel})


def test_the_default_policy_names_consent_where_its_basis_is_consent() -> None:
    jgz = POLICY.grant("jgz", ZORGSIGNAAL_AFGEGEVEN)
    school = POLICY.grant("schoolbestuur:41234", MAZL_CONSULT_GEHOUDEN)
    assert jgz is not None
    assert school is not None
    assert jgz.toestemming is school.toestemming is Doel.DELEN_MET_PARTNERS
    for grants in POLICY.grants.values():
        for grant in grants.values():
            assert (grant.toestemming is not None) == ("toestemming" in grant.legal_basis)


def test_without_consent_nothing_is_shared_on_a_consent_basis() -> None:
    _, topics = _views([gezondheid("zs-1")])
    assert "t.view.jgz.v1" not in topics
    _, topics = _views([make_event(MAZL_CONSULT_GEHOUDEN, CHILD, RING, record="mz-1")])
    assert "t.view.schoolbestuur.41234.v1" not in topics


def test_grants_on_another_basis_do_not_wait_for_consent() -> None:
    opvoeden = make_event(
        ZORGSIGNAAL_AFGEGEVEN, CHILD, RING, record="zs-o", data={"domein": "gezin"}
    )
    _, topics = _views([opvoeden])
    assert topics == {"t.view.buurtteam.v1"}


def test_consent_shares_and_its_withdrawal_stops_sharing() -> None:
    state, topics = _views([consent("ts-1"), gezondheid("zs-1")])
    assert "t.view.jgz.v1" in topics
    assert state is not None
    assert state.consented(Doel.DELEN_MET_PARTNERS, "jgz", NOW.date())
    gehouden = make_event(MAZL_CONSULT_GEHOUDEN, CHILD, RING, record="mz-1")
    # The school board of 12AB sees the child once its school reported it (the inschrijving).
    inschrijving = make_event(INSCHRIJVING, CHILD, RING, record="in-1")
    _, topics = _views([inschrijving, consent("ts-1"), gehouden])
    assert "t.view.schoolbestuur.41234.v1" in topics
    state, topics = _views([consent("ts-1"), withdrawal("ti-1"), gezondheid("zs-2")])
    assert "t.view.jgz.v1" not in topics
    assert state is not None
    assert state.toestemmingen == ()


@pytest.mark.parametrize(
    "given",
    [
        {"doel": Doel.MULTIDISCIPLINAIR_OVERLEG.value},  # another purpose
        {"partners": ["school"]},  # not for JGZ
        {"geldig_tot": "2026-11-22"},  # expired the day before (Amsterdam calendar)
    ],
)
def test_a_consent_that_does_not_cover_the_grant_shares_nothing(given: dict[str, Any]) -> None:
    _, topics = _views([consent("ts-x", **given), gezondheid("zs-x")])
    assert "t.view.jgz.v1" not in topics


def test_a_consent_runs_to_the_end_of_its_last_amsterdam_day() -> None:
    # 23:30 UTC on the 22nd is already the 23rd in Amsterdam: a consent until the 22nd is over.
    late = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    _, topics = _views([consent("ts-e", geldig_tot="2026-11-22"), gezondheid("zs-e")], late)
    assert "t.view.jgz.v1" not in topics
    before = dt.datetime(2026, 11, 22, 22, 30, tzinfo=dt.UTC)
    _, topics = _views([consent("ts-e", geldig_tot="2026-11-22"), gezondheid("zs-e")], before)
    assert "t.view.jgz.v1" in topics


def test_withdrawing_one_purpose_keeps_another() -> None:
    events = [
        consent("ts-1"),
        consent("ts-2", doel=Doel.MULTIDISCIPLINAIR_OVERLEG.value),
        withdrawal("ti-2", doel=Doel.MULTIDISCIPLINAIR_OVERLEG.value),
        gezondheid("zs-3"),
    ]
    _, topics = _views(events)
    assert "t.view.jgz.v1" in topics


POLICY_TEXT = """
version: "t1"
title: Test policy
audiences:
  jgz:
    purpose: Jeugdgezondheidszorg
    legal_basis: {basis}
    retention_days: 30
    events:
      jgz.mazl_consult.aangevraagd.v1:
        fields: [datum]
{consent}"""


def test_a_consent_basis_without_its_purpose_is_refused() -> None:
    text = POLICY_TEXT.format(basis="Wpg art. 5, met toestemming van de ouders", consent="")
    with pytest.raises(PolicyError) as caught:
        parse_policy(text.encode())
    assert "name its purpose with `toestemming: <doel>`" in caught.value.problems[0]


def test_a_purpose_without_a_consent_basis_is_refused() -> None:
    consent_line = "        toestemming: delen_met_partners\n"
    text = POLICY_TEXT.format(basis="Wpg art. 5", consent=consent_line)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text.encode())
    assert "the legal basis must say consent" in caught.value.problems[0]
    both = POLICY_TEXT.format(basis="Wpg art. 5, met toestemming", consent=consent_line)
    grant = parse_policy(both.encode()).grant(
        "jgz", "nl.onderwijsjeugd.jgz.mazl_consult.aangevraagd.v1"
    )
    assert grant is not None
    assert grant.toestemming is Doel.DELEN_MET_PARTNERS
