"""The projector's bus handler: a forged producer is a dead letter before anything else."""

from __future__ import annotations

import pytest

from hub.bus import cloudevents
from hub.bus.handler import BadInput
from hub.bus.records import InRecord
from hub.events.casus import CASUS_GEWIST
from hub.events.jgz import MAZL_CONSULT_GEHOUDEN
from hub.events.school import VERZUIM_GEREGISTREERD, ZORGSIGNAAL_AFGEGEVEN
from hub.events.topics import contract_topic
from hub.views.handler import ProjectorHandler
from hub.views.reload import PolicyHolder
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics
from tests.unit.views.stream import BSNS, hub_pseudonym, keyring_for_tests, make_event

RING = keyring_for_tests()
HANDLER = ProjectorHandler(PolicyHolder(None, RING), RING, ViewTopics("t."))
CHILD = hub_pseudonym(BSNS[0], RING)


def on(topic: str, event_type: str, data: dict[str, str] | None = None) -> InRecord:
    rec = cloudevents.encode(make_event(event_type, CHILD, RING, record="h-1", data=data))
    return InRecord("t." + topic, 0, 0, rec.key, rec.value, rec.headers)


@pytest.mark.parametrize(
    ("topic", "event_type"),
    [
        (contract_topic("school"), CASUS_GEWIST),  # the hub's erasure, written by the school
        (contract_topic("school"), MAZL_CONSULT_GEHOUDEN),  # JGZ's event on the school's topic
        (contract_topic("jgz"), VERZUIM_GEREGISTREERD),  # no audience: still refused, not skipped
    ],
)
def test_a_forged_producer_is_refused_with_its_reason(topic: str, event_type: str) -> None:
    with pytest.raises(BadInput) as caught:
        HANDLER(ChildViews(ontvangers=("buurtteam",)), on(topic, event_type))
    assert caught.value.reason == "forged_producer"


def test_the_genuine_event_is_projected() -> None:
    state, outputs = HANDLER(
        None, on(contract_topic("school"), ZORGSIGNAAL_AFGEGEVEN, {"domein": "gezin"})
    )
    assert state is not None
    assert "t.view.buurtteam.v1" in {o.topic for o in outputs}
