"""Who may do what on which topic: ACLs derived from the topic registry, as pure data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

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


class TopicLike(Protocol):
    """What the ACLs need of a registry topic (hub.events.topics.Topic has these fields)."""

    @property
    def name(self) -> str: ...

    @property
    def writers(self) -> tuple[str, ...]: ...

    @property
    def readers(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class TopicAccess:
    """A topic as plain data: its logical name, who writes it and who reads it (party names or
    `hub`); `policy_filtered` marks an audience view that only a served audience may read."""

    name: str
    writers: tuple[str, ...]
    readers: tuple[str, ...]
    policy_filtered: bool = False


def principal(user: str) -> str:
    """The Kafka principal of a SCRAM user."""
    return f"User:{user}"


def group_prefix(party: str, prefix: str = "") -> str:
    """The consumer-group prefix a party owns: `<prefix><party>.`."""
    return f"{prefix}{party}."


def desired_acls(
    registry: Iterable[TopicLike],
    audiences: Iterable[str],
    *,
    hub_user: str = HUB_USER,
    prefix: str = "",
) -> set[Acl]:
    """Every ACL the bus should hold: what the registry says, and not one grant more.

    A party may write the topics that name it as writer and read those that name it as reader
    (a policy-filtered view only when its audience is in `audiences`, i.e. the sharing policy
    serves it), with consumer groups `<prefix><party>.*`. The hub's processors (`hub_user`, not
    a super user) read and write where the registry says so, may create and describe every
    registry topic, and own the consumer groups and transactional ids starting `<prefix>hub`.
    Topic names get `prefix` (HubSettings.topic_prefix), as on the cluster.
    """
    served = {str(a) for a in audiences}
    acls: set[Acl] = set()
    group_readers: set[str] = set()
    party_writers: set[str] = set()
    hub_reads = hub_writes = False

    def allow(user: str, resource: Resource, name: str, pattern: Pattern, *ops: Operation) -> None:
        acls.update(Acl(principal(user), resource, name, pattern, op) for op in ops)

    for topic in registry:
        name = prefix + topic.name
        filtered = bool(getattr(topic, "policy_filtered", False))
        for writer in map(str, topic.writers):
            hub_writes |= writer == hub_user
            if writer != hub_user:
                party_writers.add(writer)
            allow(writer, Resource.TOPIC, name, Pattern.LITERAL, *_WRITE)
        for reader in map(str, topic.readers):
            if reader == hub_user:
                hub_reads = True
            elif filtered and reader not in served:
                continue
            else:
                group_readers.add(reader)
            allow(reader, Resource.TOPIC, name, Pattern.LITERAL, *_READ)
        # The hub creates the registry's topics; creating grants no read or write.
        hub_ops = (Operation.CREATE, Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS)
        allow(hub_user, Resource.TOPIC, name, Pattern.LITERAL, *hub_ops)
    for party in group_readers:
        allow(party, Resource.GROUP, group_prefix(party, prefix), Pattern.PREFIXED, *_READ)
    # A party that both reads and writes runs a processor (its raw-topic adapter runner):
    # exactly-once needs transactional ids, under its own prefix like its groups.
    for party in group_readers & party_writers:
        allow(
            party, Resource.TRANSACTIONAL_ID, group_prefix(party, prefix), Pattern.PREFIXED, *_WRITE
        )
    own = f"{prefix}{hub_user}"  # hub.casus, hub-views...: every group the processors name
    if hub_reads:
        allow(hub_user, Resource.GROUP, own, Pattern.PREFIXED, *_READ)
    if hub_writes:
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


def registry_and_audiences() -> tuple[list[TopicLike], list[str]]:
    """The contract registry's topics and the audiences with a view (hub.events.topics).

    Every audience counts as served until the sharing policy says which are.
    """
    from hub.events.topics import AUDIENCES, registry

    return list(registry().values()), [a.value for a in AUDIENCES]
