"""The projection: one contract event, as one audience may see it under the policy, or nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub.events.casus import CASUS_GEWIST
from hub.events.days import local_date
from hub.events.envelope import Event, schema_uri
from hub.events.fields import KeyId, Pseudonym
from hub.events.vocab import Partner
from hub.privacy.keyring import INTAKE, KeyRing, KeyRingError, recipient_key_name
from hub.privacy.pseudonyms import audience_pseudonym_for
from hub.views.policy import Grant, Policy

#: Namespace of view event ids: a view id is derived per audience, so two audiences cannot join
#: their views on a shared event id.
VIEW_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://contracts.onderwijsjeugd.nl/views")

#: The source of records the projector makes itself (erasure notices).
PROJECTOR_SOURCE = "/partners/hub/views/projector"

#: The basis of an erasure notice: it is owed to every recipient, whatever the policy.
ERASURE_PURPOSE = "Kennisgeving van wissing aan ontvangers"
ERASURE_BASIS = "AVG, art. 17 en 19 (wissing en kennisgeving aan ontvangers)"


class ViewEvent(BaseModel):
    """A contract event as one audience sees it: its pseudonym, the allowed fields only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="View event id, derived from the audience and the event id.")
    source: str
    type: str
    time: AwareDatetime
    subject: Pseudonym = Field(description="The audience pseudonym of the child.")
    dataschema: str
    partner: Partner = Field(description="The partner that produced the original event.")
    pseudonymkid: KeyId = Field(description="Id of the audience key that made `subject`.")
    audience: str
    policyversion: str
    data: dict[str, Any]


def view_id(audience: str, event_id: str, kind: str = "") -> str:
    """The deterministic id of an event's view for one audience (and kind, for notices)."""
    return str(uuid.uuid5(VIEW_ID_NAMESPACE, f"{audience}\x1f{event_id}\x1f{kind}"))


def _select(value: Any, paths: list[list[str]]) -> Any:
    """Keep only `paths` (each a list of nested names) of a JSON value; lists elementwise."""
    if isinstance(value, list):
        return [_select(item, paths) for item in value]
    if not isinstance(value, dict):
        return value
    whole = {p[0] for p in paths if len(p) == 1}
    out: dict[str, Any] = {}
    for name in dict.fromkeys(p[0] for p in paths):
        if name not in value:
            continue
        if name in whole:
            out[name] = value[name]
        else:
            out[name] = _select(value[name], [p[1:] for p in paths if p[0] == name])
    return out


def project_data(grant: Grant, data: Mapping[str, Any]) -> dict[str, Any]:
    """The data restricted to the grant's plain and encrypted fields (JSON form)."""
    paths = [f.split(".") for f in (*grant.fields, *grant.encrypted)]
    selected: dict[str, Any] = _select(dict(data), paths)
    return selected


def addressed(data: Mapping[str, Any], audience: str) -> bool:
    """Casus outputs that name their `adressaten` go to those partners only."""
    adressaten = data.get("adressaten")
    return adressaten is None or audience in adressaten


def audience_subject(policy: Policy, audience: str, hub: str, ring: KeyRing) -> tuple[str, str]:
    """The audience pseudonym of hub pseudonym `hub`, and the kid of the key that made it."""
    key_audience = policy.key_audience(audience)
    return (
        audience_pseudonym_for(key_audience, hub, ring),
        ring.audience_key(key_audience).kid,
    )


def missing_keys(policy: Policy, ring: KeyRing) -> list[str]:
    """The audiences of `policy` whose key the ring lacks, as one line each (no key material).

    An audience granted an encrypted field also needs its X25519 public key (`recipient-*`),
    and then the hub needs its intake key to open the notes it re-encrypts.
    """
    missing = []
    encrypting = False
    for audience in policy.audiences():
        key_audience = policy.key_audience(audience)
        try:
            ring.audience_key(key_audience)
        except KeyRingError:
            missing.append(
                f"audiences.{audience}: no key for {key_audience!r} in the key ring (add it with "
                f"`hub keys rotate --kind audience --audience {key_audience}`)"
            )
        if any(g.encrypted for g in policy.grants.get(audience, {}).values()):
            encrypting = True
            try:
                ring.recipient_key(key_audience)
            except KeyRingError:
                missing.append(
                    f"audiences.{audience}: no public key {recipient_key_name(key_audience)!r} "
                    f"in the key ring (add it with `hub keys rotate --kind recipient "
                    f"--audience {key_audience}`)"
                )
    if encrypting:
        try:
            ring.current(INTAKE)
        except KeyRingError:
            missing.append("no intake key in the key ring (`hub keys rotate --kind intake`)")
    return missing


def project(policy: Policy, audience: str, event: Event[Any], ring: KeyRing) -> ViewEvent | None:
    """What `audience` may see of `event` under `policy`, or None when nothing may be shared."""
    grant = policy.grant(audience, event.type)
    if grant is None:
        return None
    data = event.data.model_dump(mode="json", exclude_none=True)
    if not grant.admits(data) or not addressed(data, policy.partner_of(audience)):
        return None
    subject, kid = audience_subject(policy, audience, event.subject, ring)
    return ViewEvent(
        id=view_id(audience, event.id),
        source=event.source,
        type=event.type,
        time=event.time,
        subject=subject,
        dataschema=event.dataschema,
        partner=event.partner,
        pseudonymkid=kid,
        audience=audience,
        policyversion=policy.version,
        data=project_data(grant, data),
    )


def erasure_notice(
    policy: Policy,
    audience: str,
    hub: str,
    ring: KeyRing,
    *,
    trigger_id: str,
    when: dt.datetime,
    reden: str = "verwijderingsverzoek",
) -> ViewEvent:
    """The marker that tells an audience the child was erased (`casus.gewist.v1`)."""
    subject, kid = audience_subject(policy, audience, hub, ring)
    return ViewEvent(
        id=view_id(audience, trigger_id, "gewist"),
        source=PROJECTOR_SOURCE,
        type=CASUS_GEWIST,
        time=when,
        subject=subject,
        dataschema=schema_uri(CASUS_GEWIST),
        partner=Partner.HUB,
        pseudonymkid=kid,
        audience=audience,
        policyversion=policy.version,
        data={"datum": local_date(when).isoformat(), "reden": reden},
    )


def project_all(
    policy: Policy, event: Event[Any], ring: KeyRing, exclude: Iterable[str] = ()
) -> list[ViewEvent]:
    """The views of `event` for every audience of the policy except `exclude`."""
    skip = set(exclude)
    views = [project(policy, a, event, ring) for a in policy.audiences() if a not in skip]
    return [v for v in views if v is not None]
