"""The projector's pure transition: (state, event) -> (state, view, audit and erasure records)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hub.events.casus import CASUS_GEWIST
from hub.events.days import local_date
from hub.events.envelope import Event
from hub.events.privacy import (
    BEZWAAR_INGEDIEND,
    TOESTEMMING_GEGEVEN,
    TOESTEMMING_INGETROKKEN,
    VERWIJDERING_VERZOCHT,
)
from hub.events.school import (
    HERSTELMELDING_GEDAAN,
    INSCHRIJVING_GEREGISTREERD,
    UITSCHRIJVING_GEREGISTREERD,
    VERZUIM_GEREGISTREERD,
    VERZUIMMELDING_GEDAAN,
    ZIEKMELDING_GEDAAN,
    ZORGSIGNAAL_AFGEGEVEN,
)
from hub.events.topics import (
    AUDIT,
    DATAKEYS,
    VIEWS_STATE,
    physical_name,
    view_keys_topic,
    view_topic,
)
from hub.events.vocab import Partner
from hub.privacy.keyring import KeyRing
from hub.views import audit
from hub.views.policy import Grant, Policy
from hub.views.project import ViewEvent, erasure_notice, project
from hub.views.reencrypt import ViewCrypto
from hub.views.state import ChildViews, Toestemming
from hub.views.wire import Headers, encode_audit, encode_view

#: The parents' consents: a grant whose legal basis is consent shares only while one is in force.
CONSENT_TYPES = frozenset({TOESTEMMING_GEGEVEN, TOESTEMMING_INGETROKKEN})

#: Types that end a child's views: the erasure request, or the casus saying it erased the case.
ERASING_TYPES = frozenset({VERWIJDERING_VERZOCHT, CASUS_GEWIST})

#: What a school itself sends about a child it has: its BRIN links the child to that school's
#: board, whose view then carries the child. An uitschrijving ends the link for that school.
ENROLLING_TYPES = frozenset(
    {
        INSCHRIJVING_GEREGISTREERD,
        VERZUIM_GEREGISTREERD,
        VERZUIMMELDING_GEDAAN,
        ZIEKMELDING_GEDAAN,
        HERSTELMELDING_GEDAAN,
        ZORGSIGNAAL_AFGEGEVEN,
    }
)


@dataclass(frozen=True)
class ViewTopics:
    """Physical names of what the projector writes, under one topic prefix."""

    prefix: str = ""

    def view(self, audience: str) -> str:
        """The view topic of `audience`."""
        return physical_name(view_topic(audience), prefix=self.prefix)

    def keys(self, audience: str) -> str:
        """The compacted key topic of `audience` (its audience child keys, sealed to it)."""
        return physical_name(view_keys_topic(audience), prefix=self.prefix)

    @property
    def audit(self) -> str:
        """The audit topic."""
        return physical_name(AUDIT, prefix=self.prefix)

    @property
    def datakeys(self) -> str:
        """The compacted data-key topic (a tombstone shreds a child)."""
        return physical_name(DATAKEYS, prefix=self.prefix)

    @property
    def state(self) -> str:
        """The projector's own state topic."""
        return self.prefix + VIEWS_STATE


@dataclass(frozen=True, slots=True)
class Record:
    """One record to write: topic, key, value (None = tombstone) and headers."""

    topic: str
    key: bytes
    value: bytes | None
    headers: Headers = ()


def _write(topic: str, encoded: tuple[bytes, bytes, Headers]) -> Record:
    key, value, headers = encoded
    return Record(topic, key, value, headers)


def relevant_types(policy: Policy) -> frozenset[str]:
    """The event types that can change a view: granted to some audience, bezwaar, consent,
    erasure."""
    granted = {t for grants in policy.grants.values() for t in grants}
    enrolling = {*ENROLLING_TYPES, UITSCHRIJVING_GEREGISTREERD} if policy.boards else set()
    return frozenset({*granted, *enrolling, BEZWAAR_INGEDIEND, *CONSENT_TYPES, *ERASING_TYPES})


def enrolment(state: ChildViews, event: Event[Any]) -> ChildViews:
    """The state with the school that sent `event` (its own report, with a BRIN) linked or, on
    an uitschrijving, unlinked; only the school's own events count."""
    brin = getattr(event.data, "brin", None)
    if brin is None or event.partner is not Partner.SCHOOL:
        return state
    if event.type in ENROLLING_TYPES:
        return state.with_school(str(brin), enrolled=True)
    if event.type == UITSCHRIJVING_GEREGISTREERD:
        return state.with_school(str(brin), enrolled=False)
    return state


def _consent(state: ChildViews, event: Event[Any]) -> ChildViews:
    """The state after the parents gave or withdrew a consent."""
    data = event.data
    if event.type == TOESTEMMING_INGETROKKEN:
        return state.without_toestemming(data.doel)
    partners = tuple(p.value for p in data.partners)
    given = Toestemming(
        doel=data.doel, partners=partners, sinds=data.datum, geldig_tot=data.geldig_tot
    )
    return state.with_toestemming(given)


def transition(
    policy: Policy,
    ring: KeyRing,
    topics: ViewTopics,
    state: ChildViews | None,
    event: Event[Any],
    now: dt.datetime,
    crypto: ViewCrypto | None = None,
) -> tuple[ChildViews | None, list[Record]]:
    """Apply one contract or casus event to a child's view state; return the records to write.

    Without `crypto` no note is shared (an intake ciphertext is never forwarded as it is).
    """
    current = state or ChildViews()
    if event.type == BEZWAAR_INGEDIEND:
        audiences = tuple(p.value for p in event.data.partners)
        return current.with_bezwaar(audiences, event.data.datum), []
    if event.type in CONSENT_TYPES:
        return _consent(current, event), []
    if event.type in ERASING_TYPES:
        return None, _erase(policy, ring, topics, current, event, now, crypto)
    if policy.boards:
        current = enrolment(current, event)
    records: list[Record] = []
    received: set[str] = set()
    keyed: set[str] = set()
    notes: dict[str, str] | None = None
    today = local_date(now)
    for audience in policy.audiences():
        if current.objected(policy.partner_of(audience)):
            continue
        if not policy.enrolled(audience, current.scholen):
            continue  # a school board sees only the children its own schools reported
        grant = policy.grant(audience, event.type)
        if grant is None:
            continue
        if grant.toestemming is not None and not current.consented(
            grant.toestemming, policy.partner_of(audience), today
        ):
            continue  # the legal basis is consent, and none is in force for this purpose
        view = project(policy, audience, event, ring)
        if view is None:
            continue
        if grant.encrypted and any(name in view.data for name in grant.encrypted):
            if notes is None:
                notes = crypto.notes(event) if crypto is not None else {}
            view, key = _encrypted(policy, grant, view, notes, event, crypto, current, topics)
            if key is not None:
                records.append(key)
                keyed.add(audience)
        topic = topics.view(audience)
        entry = audit.disclosure(
            view,
            event_id=event.id,
            grant=grant,
            policy=policy,
            view_topic=view_topic(audience),
            now=now,
        )
        records += [_write(topic, encode_view(view)), _write(topics.audit, encode_audit(entry))]
        received.add(audience)
    if crypto is not None:
        # New data keys go out in the same transaction as the ciphertexts made with them.
        records[:0] = [Record(topics.datakeys, k, v) for k, v in crypto.drain()]
    return current.with_ontvangers(received).with_sleutels(keyed), records


def _encrypted(
    policy: Policy,
    grant: Grant,
    view: ViewEvent,
    notes: dict[str, str],
    event: Event[Any],
    crypto: ViewCrypto | None,
    state: ChildViews,
    topics: ViewTopics,
) -> tuple[ViewEvent, Record | None]:
    """The view with its granted notes under the audience child key (without crypto: none),
    and the audience's sealed key record the first time it receives one."""
    if crypto is None:
        kept = {k: v for k, v in view.data.items() if k not in grant.encrypted}
        return view.model_copy(update={"data": kept}), None
    view = crypto.reencrypt(view, grant, notes, event.subject)
    if view.audience in state.sleutels or not any(n in view.data for n in grant.encrypted):
        return view, None
    sealed = crypto.sealed_key(
        event.subject, view.audience, policy.key_audience(view.audience), view.subject
    )
    return view, Record(
        topics.keys(view.audience), view.subject.encode(), sealed.model_dump_json().encode()
    )


def _erase(
    policy: Policy,
    ring: KeyRing,
    topics: ViewTopics,
    state: ChildViews,
    event: Event[Any],
    now: dt.datetime,
    crypto: ViewCrypto | None = None,
) -> list[Record]:
    """Shred the child's data key and audience keys; tell every audience that received something."""
    if crypto is not None:
        crypto.erase(event.subject)
        records = [Record(topics.datakeys, k, v) for k, v in crypto.drain()]
    else:
        records = [Record(topics.datakeys, event.subject.encode(), None)]
    reden = "verwijderingsverzoek"
    if event.type == CASUS_GEWIST:
        reden = str(event.data.reden)
    for audience in state.ontvangers:
        if audience not in policy.grants:
            continue  # an audience the current policy dropped has no key mapping left
        notice = erasure_notice(
            policy, audience, event.subject, ring, trigger_id=event.id, when=now, reden=reden
        )
        entry = audit.erasure(
            notice,
            request_id=event.id,
            policy=policy,
            view_topic=view_topic(audience),
            now=now,
        )
        records += [
            # The audience's sealed child key goes: no earlier ciphertext of the child opens.
            Record(topics.keys(audience), notice.subject.encode(), None),
            _write(topics.view(audience), encode_view(notice)),
            _write(topics.audit, encode_audit(entry)),
        ]
    return records
