"""Who may do what on which topic: ACLs derived from the topic registry, as pure data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from hub.bus.security import HUB_USER, PARTIES


class Resource(StrEnum):
    """Kafka resource types the hub grants on."""

    TOPIC = "TOPIC"
    GROUP = "GROUP"
    CLUSTER = "CLUSTER"
    TRANSACTIONAL_ID = "TRANSACTIONAL_ID"


class Pattern(StrEnum):
    """LITERAL names one resource; PREFIXED every resource whose name starts with it."""

    LITERAL = "LITERAL"
    PREFIXED = "PREFIXED"


class Operation(StrEnum):
    """Kafka operations the hub grants."""

    READ = "READ"
    WRITE = "WRITE"
    CREATE = "CREATE"
    DESCRIBE = "DESCRIBE"
    DESCRIBE_CONFIGS = "DESCRIBE_CONFIGS"
    IDEMPOTENT_WRITE = "IDEMPOTENT_WRITE"
    DELETE = "DELETE"
    ALTER = "ALTER"
    ALTER_CONFIGS = "ALTER_CONFIGS"
    CLUSTER_ACTION = "CLUSTER_ACTION"
    ALL = "ALL"


_READ = (Operation.READ, Operation.DESCRIBE)
_WRITE = (Operation.WRITE, Operation.DESCRIBE)


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule: `principal` may `operation` on the resource, from any host."""

    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation
    permission: Literal["ALLOW", "DENY"] = "ALLOW"
    host: str = "*"

    def __str__(self) -> str:
        star = "*" if self.pattern is Pattern.PREFIXED else ""
        return (
            f"{self.permission} {self.principal} {self.operation.value} "
            f"{self.resource.value}:{self.name}{star}"
        )


TopicKind = Literal["ingest", "view", "internal"]


@dataclass(frozen=True)
class TopicAccess:
    """A registry topic as the ACLs see it: a partner's ingest topic, an audience's view, or
    internal to the hub (contract events, casus state, audit, data keys, dead letters)."""

    name: str
    kind: TopicKind
    party: str | None = None

    def __post_init__(self) -> None:
        if (self.kind == "internal") != (self.party is None):
            raise ValueError(f"topic {self.name}: ingest and view topics name their party")


def principal(user: str) -> str:
    """The Kafka principal of a SCRAM user."""
    return f"User:{user}"


def group_prefix(party: str, prefix: str = "") -> str:
    """The consumer-group (and transactional-id) prefix a party owns: `<prefix><party>.`."""
    return f"{prefix}{party}."


def desired_acls(
    registry: Iterable[TopicAccess],
    audiences: Iterable[str],
    *,
    hub_user: str = HUB_USER,
    prefix: str = "",
) -> set[Acl]:
    """Every ACL the bus should hold: least privilege for partners, explicit grants for the hub.

    A partner may write its own ingest topics, read the view of its own audience (only when that
    audience is in `audiences`, i.e. the sharing policy serves it) with consumer groups named
    `<prefix><party>.*`, and nothing else. The hub's processors (`hub_user`, not a super user)
    may read, write, create and describe every registry topic, and own the consumer groups and
    transactional ids that start with `<prefix>hub`.
    """
    topics = list(registry)
    served = set(audiences)
    acls: set[Acl] = set()

    def allow(user: str, resource: Resource, name: str, pattern: Pattern, *ops: Operation) -> None:
        acls.update(Acl(principal(user), resource, name, pattern, op) for op in ops)

    for topic in topics:
        if topic.kind == "ingest" and topic.party is not None:
            allow(topic.party, Resource.TOPIC, topic.name, Pattern.LITERAL, *_WRITE)
        elif topic.kind == "view" and topic.party is not None and topic.party in served:
            allow(topic.party, Resource.TOPIC, topic.name, Pattern.LITERAL, *_READ)
            group = group_prefix(topic.party, prefix)
            allow(topic.party, Resource.GROUP, group, Pattern.PREFIXED, *_READ)
        hub_ops = (*_READ, *_WRITE, Operation.CREATE, Operation.DESCRIBE_CONFIGS)
        allow(hub_user, Resource.TOPIC, topic.name, Pattern.LITERAL, *hub_ops)
    if topics:
        own = f"{prefix}{hub_user}"  # hub.casus, hub-views...: every group the processors name
        allow(hub_user, Resource.GROUP, own, Pattern.PREFIXED, *_READ)
        allow(hub_user, Resource.TRANSACTIONAL_ID, own, Pattern.PREFIXED, *_WRITE)
    return acls


@dataclass(frozen=True)
class AclDiff:
    """What `apply` changes: ACLs to create and ACLs to delete."""

    add: frozenset[Acl]
    remove: frozenset[Acl]

    @property
    def empty(self) -> bool:
        """True when the bus already holds exactly the desired ACLs."""
        return not self.add and not self.remove


def diff(current: Iterable[Acl], desired: Iterable[Acl], managed: Iterable[str]) -> AclDiff:
    """Create what is missing; delete what is not desired, for `managed` principals only.

    ACLs of other principals (a monitoring user an operator added by hand) are left alone.
    """
    have, want, ours = set(current), set(desired), set(managed)
    return AclDiff(
        add=frozenset(want - have),
        remove=frozenset(a for a in have - want if a.principal in ours),
    )


def managed_principals(hub_user: str = HUB_USER, parties: Iterable[str] = PARTIES) -> set[str]:
    """The principals `hub acl apply` owns the ACLs of."""
    return {principal(hub_user), *(principal(p) for p in parties)}


def matrix(acls: Iterable[Acl]) -> dict[str, dict[str, set[Operation]]]:
    """principal -> resource label -> operations; the shape `hub acl show` prints."""
    table: dict[str, dict[str, set[Operation]]] = {}
    for acl in acls:
        if acl.permission != "ALLOW":
            continue
        label = f"{acl.resource.value.lower()}:{acl.name}" + (
            "*" if acl.pattern is Pattern.PREFIXED else ""
        )
        table.setdefault(acl.principal, {}).setdefault(label, set()).add(acl.operation)
    return table


def minimal_registry(prefix: str = "", parties: Iterable[str] = PARTIES) -> list[TopicAccess]:
    """The topics the ACLs cover until the contract registry (hub/events) provides them.

    Ingest `<prefix>raw.<party>` for each sending partner (the gemeente only receives figures),
    a view `<prefix>view.<audience>` per audience, and the hub's internal topics.
    """
    parties = tuple(parties)
    topics = [TopicAccess(f"{prefix}raw.{p}", "ingest", p) for p in parties if p != "gemeente"]
    topics += [TopicAccess(f"{prefix}view.{p}", "view", p) for p in parties]
    topics += [
        TopicAccess(f"{prefix}{name}", "internal")
        for name in (
            "contract.events",
            "casus.state",
            "audit.disclosures",
            "datakeys.v1",
            "hub.dlq",
        )
    ]
    return topics
