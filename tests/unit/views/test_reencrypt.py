"""The projector re-encrypts each granted note per audience; each audience opens only its own."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from hub.events.privacy import VERWIJDERING_VERZOCHT
from hub.events.school import ZORGSIGNAAL_AFGEGEVEN
from hub.privacy.audiencecrypt import AudienceKey, open_field
from hub.views.policy import load_policy
from hub.views.state import ChildViews
from hub.views.transition import Record, ViewTopics, transition
from tests.unit.views.stream import (
    BSNS,
    NOTE,
    consent,
    crypto_for_tests,
    hub_pseudonym,
    keyring_for_tests,
    make_event,
    recipient_private_for_tests,
)

RING = keyring_for_tests()
POLICY = load_policy()
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TOPICS = ViewTopics()
CHILD = hub_pseudonym(BSNS[0], RING)


def _signal(domein: str, record: str = "zs") -> Any:
    return make_event(ZORGSIGNAAL_AFGEGEVEN, CHILD, RING, record=record, data={"domein": domein})


def _views(records: list[Record], audience: str) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records if r.topic == TOPICS.view(audience) and r.value]


def _key(records: list[Record], audience: str) -> AudienceKey | None:
    found = [r for r in records if r.topic == TOPICS.keys(audience)]
    return AudienceKey.model_validate_json(found[-1].value) if found and found[-1].value else None


def _privates(audience: str) -> dict[str, bytes]:
    return {RING.recipient_key(audience).kid: recipient_private_for_tests(audience)}


def _open(
    records: list[Record], audience: str, key: AudienceKey | None, field: str = "toelichting"
):
    (view,) = [r for r in records if r.topic == TOPICS.view(audience)]
    headers = dict(view.headers)
    return open_field(
        json.loads(view.value)[field],
        key,
        _privates(audience),
        audience=audience,
        subject=view.key.decode(),
        view_id=headers["ce_id"].decode(),
        field=field,
    )


class TestReencryption:
    def test_the_granted_audience_opens_its_note(self) -> None:
        crypto = crypto_for_tests(RING)
        state, records = transition(POLICY, RING, TOPICS, None, _signal("gezin"), NOW, crypto)
        opened = _open(records, "buurtteam", _key(records, "buurtteam"))
        assert opened.outcome == "open"
        assert opened.text == f"{NOTE} (toelichting)"
        assert state is not None
        assert "buurtteam" in state.sleutels
        # One new data key, written in the same batch as the ciphertexts.
        assert [r.value is not None for r in records if r.topic == TOPICS.datakeys] == [True]

    def test_the_note_is_not_forwarded_as_sealed_to_the_hub(self) -> None:
        crypto = crypto_for_tests(RING)
        _, records = transition(POLICY, RING, TOPICS, None, _signal("gezin"), NOW, crypto)
        (view,) = _views(records, "buurtteam")
        assert view["toelichting"]["alg"] == "A256GCM"
        assert view["toelichting"]["kid"].startswith("ak.")
        assert "epk" not in view["toelichting"]

    def test_another_audience_cannot_open_it(self) -> None:
        crypto = crypto_for_tests(RING)
        _, records = transition(POLICY, RING, TOPICS, None, _signal("gezin"), NOW, crypto)
        key = _key(records, "buurtteam")
        (view,) = [r for r in records if r.topic == TOPICS.view("buurtteam")]
        opened = open_field(
            json.loads(view.value)["toelichting"],
            key,
            _privates("jgz"),
            audience="jgz",
            subject=view.key.decode(),
            view_id=dict(view.headers)["ce_id"].decode(),
            field="toelichting",
        )
        assert opened.outcome == "niet voor deze ontvanger"
        assert opened.text is None

    def test_a_tampered_ciphertext_is_beschadigd_without_partial_text(self) -> None:
        crypto = crypto_for_tests(RING)
        _, records = transition(POLICY, RING, TOPICS, None, _signal("gezin"), NOW, crypto)
        key = _key(records, "buurtteam")
        (view,) = [r for r in records if r.topic == TOPICS.view("buurtteam")]
        field = json.loads(view.value)["toelichting"]
        ct = field["ct"]
        field["ct"] = ("A" if ct[0] != "A" else "B") + ct[1:]
        opened = open_field(
            field,
            key,
            _privates("buurtteam"),
            audience="buurtteam",
            subject=view.key.decode(),
            view_id=dict(view.headers)["ce_id"].decode(),
            field="toelichting",
        )
        assert (opened.outcome, opened.text) == ("beschadigd", None)
        assert (
            open_field(
                "nonsense", key, {}, audience="x", subject="y", view_id="z", field="f"
            ).outcome
            == "beschadigd"
        )

    def test_after_erasure_the_note_is_gewist(self) -> None:
        crypto = crypto_for_tests(RING)
        state, records = transition(POLICY, RING, TOPICS, None, _signal("gezin"), NOW, crypto)
        erase = make_event(VERWIJDERING_VERZOCHT, CHILD, RING, record="vw")
        state2, erased = transition(POLICY, RING, TOPICS, state, erase, NOW, crypto)
        assert state2 is None
        tombstones = {r.topic for r in erased if r.value is None}
        assert {TOPICS.datakeys, TOPICS.keys("buurtteam")} <= tombstones
        assert _open(records, "buurtteam", _key(erased, "buurtteam")).outcome == "gewist"
        # A new key after erasure never opens the old ciphertexts.
        _, again = transition(POLICY, RING, TOPICS, None, _signal("gezin", "zs2"), NOW, crypto)
        assert _open(records, "buurtteam", _key(again, "buurtteam")).outcome == "gewist"

    def test_the_key_goes_out_once_per_audience(self) -> None:
        crypto = crypto_for_tests(RING)
        state, _ = transition(POLICY, RING, TOPICS, None, _signal("gezin"), NOW, crypto)
        _, records = transition(POLICY, RING, TOPICS, state, _signal("gezin", "zs2"), NOW, crypto)
        assert _key(records, "buurtteam") is None
        assert not [r for r in records if r.topic == TOPICS.datakeys]

    def test_two_audiences_share_no_value_of_8_bytes(self) -> None:
        crypto = crypto_for_tests(RING)
        # `opvoeden` reaches JGZ (with the parents' consent) and buurtteam, both with the note.
        given, _ = transition(POLICY, RING, TOPICS, None, consent(CHILD, RING, "ts"), NOW)
        _, records = transition(POLICY, RING, TOPICS, given, _signal("opvoeden"), NOW, crypto)
        per: dict[str, set[str]] = {}
        for audience in ("jgz", "buurtteam"):
            mine = [r for r in records if r.topic in (TOPICS.view(audience), TOPICS.keys(audience))]
            assert mine
            values: set[str] = set()
            for r in mine:
                values.add(r.key.decode())
                values |= {v.decode() for _, v in r.headers}
                _strings(json.loads(r.value), values)
            per[audience] = {v for v in values if len(v.encode()) >= 8}
        shared = per["jgz"] & per["buurtteam"]
        assert not [v for v in shared if not _vocabulary(v)]

    def test_without_crypto_no_note_is_shared(self) -> None:
        _, records = transition(POLICY, RING, TOPICS, ChildViews(), _signal("gezin"), NOW)
        (view,) = _views(records, "buurtteam")
        assert "toelichting" not in view


def _strings(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)
    else:
        out.add(str(value))


def _vocabulary(value: str) -> bool:
    """Public vocabulary: types, schema URIs, sources, enum words, dates, the policy version."""
    return (
        value.startswith(("nl.onderwijsjeugd.", "https://", "/partners/", "application/"))
        or re.fullmatch(r"[a-z_]+|\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?", value)
        is not None
        or value == POLICY.version
    )
