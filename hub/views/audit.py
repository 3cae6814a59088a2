"""The audit trail: one record per disclosure, naming the event, audience, basis and policy."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub.events.fields import Pseudonym
from hub.views.policy import Grant, Policy
from hub.views.project import ERASURE_BASIS, ERASURE_PURPOSE, ViewEvent

AUDIT_SCHEMA = "hub.audit.v1"


class AuditKind(StrEnum):
    """What was disclosed: an event's view, or the notice that the child was erased."""

    VERSTREKKING = "verstrekking"
    WISBERICHT = "wisbericht"


class AuditRecord(BaseModel):
    """One disclosure; keyed on the audit topic by the audience pseudonym, never the hub's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal["hub.audit.v1"] = "hub.audit.v1"
    kind: AuditKind
    audience: str
    subject: Pseudonym = Field(
        description="The audience pseudonym the audience knows the child by."
    )
    view_id: str = Field(description="Id of the view record the audience received.")
    view_topic: str = Field(description="Logical name of the view topic.")
    event_id: str = Field(description="Id of the original event (or of the erasure request).")
    event_type: str
    event_time: AwareDatetime
    producer: str = Field(description="The partner that produced the original event.")
    fields: tuple[str, ...] = Field(description="The plain fields disclosed.")
    encrypted: tuple[str, ...] = Field(description="The encrypted fields disclosed.")
    purpose: str
    legal_basis: str
    retention_days: int
    policy_version: str
    policy_sha256: str
    disclosed_at: AwareDatetime


def disclosure(
    view: ViewEvent,
    *,
    event_id: str,
    grant: Grant,
    policy: Policy,
    view_topic: str,
    now: dt.datetime,
) -> AuditRecord:
    """The audit record of one view of one event."""
    return AuditRecord(
        kind=AuditKind.VERSTREKKING,
        audience=view.audience,
        subject=view.subject,
        view_id=view.id,
        view_topic=view_topic,
        event_id=event_id,
        event_type=view.type,
        event_time=view.time,
        producer=view.partner.value,
        fields=tuple(f for f in grant.fields if f.split(".")[0] in view.data),
        encrypted=tuple(f for f in grant.encrypted if f in view.data),
        purpose=grant.purpose,
        legal_basis=grant.legal_basis,
        retention_days=grant.retention_days,
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        disclosed_at=now,
    )


def erasure(
    view: ViewEvent, *, request_id: str, policy: Policy, view_topic: str, now: dt.datetime
) -> AuditRecord:
    """The audit record of an erasure notice to one audience."""
    return AuditRecord(
        kind=AuditKind.WISBERICHT,
        audience=view.audience,
        subject=view.subject,
        view_id=view.id,
        view_topic=view_topic,
        event_id=request_id,
        event_type=view.type,
        event_time=view.time,
        producer=view.partner.value,
        fields=tuple(view.data),
        encrypted=(),
        purpose=ERASURE_PURPOSE,
        legal_basis=ERASURE_BASIS,
        retention_days=max(
            (g.retention_days for g in policy.grants.get(view.audience, {}).values()), default=365
        ),
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        disclosed_at=now,
    )
