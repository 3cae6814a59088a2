"""Who may do what on which topic: ACLs derived from the topic registry, as pure data."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol

from hub.bus.security import (
    APP_ID_PREFIXES,
    HUB_USER,
    HUB_USERS,
    PARTIES,
    all_users,
    scoped_user,
)
from hub.events.topics import transport_topics

if TYPE_CHECKING:
    from hub.views.policy import Policy


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
    """A topic as plain data: its logical name, who writes it and who reads it (principal
    names before the region prefix: a party, an audience's reader, `hub`, `hub-ingest`)."""

    name: str
    writers: tuple[str, ...]
    readers: tuple[str, ...]


def principal(user: str, prefix: str = "") -> str:
    """The Kafka principal of a SCRAM user, scoped to the region with topic prefix `prefix`."""
    return f"User:{scoped_user(user, prefix)}"


def group_prefix(party: str, prefix: str = "") -> str:
    """The consumer-group prefix a party owns: `<prefix><party>.`."""
    return f"{prefix}{party}."


#: What a principal name may look like before its region prefix: the hub's own, a partner or
#: fixed audience, or a school board. `hub acl apply` owns exactly these names of its region.
_NAMES = "|".join(map(re.escape, (*HUB_USERS, *PARTIES)))
_OWNED = re.compile(rf"^({_NAMES}|schoolbestuur-[a-z0-9][a-z0-9-]{{0,31}})$")


def owned_by(principal_name: str, prefix: str = "") -> bool:
    """True when `principal_name` (User:...) is one of the region's own principals: the
    region prefix followed by a hub, partner, audience or school-board name."""
    user = principal_name.removeprefix("User:")
    return (
        principal_name.startswith("User:")
        and user.startswith(prefix)
        and _OWNED.match(user[len(prefix) :]) is not None
    )


def desired_acls(registry: Iterable[TopicLike], *, prefix: str = "") -> set[Acl]:
    """Every ACL the bus should hold for one region: what the registry says, not one grant more.

    `registry` is the registry as the sharing policy shapes it (hub.events.topics.served_registry
    via `policy_registry`): a view topic is in it only when the policy serves its audience.
    Principals, topic names, groups and transactional ids all get the region's `prefix`.

    A party may write the topics that name it as writer and read those that name it as reader,
    with consumer groups `<prefix><party>.*` (and transactional ids there when it both reads and
    writes: its raw-topic adapter runner). The hub's own principals (the processors `hub`, the
    ingest `hub-ingest`; not super users) read and write where the registry names them, may
    create and describe the topics they use (the processors: every topic), and own the groups
    and transactional ids of their app ids (hub.bus.security.APP_ID_PREFIXES).
    """
    acls: set[Acl] = set()
    group_readers: set[str] = set()
    party_writers: set[str] = set()
    used: dict[str, set[str]] = {user: set() for user in HUB_USERS}
    hub_ops = (Operation.CREATE, Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS)

    def allow(user: str, resource: Resource, name: str, pattern: Pattern, *ops: Operation) -> None:
        acls.update(Acl(principal(user, prefix), resource, name, pattern, op) for op in ops)

    topics = list(registry)
    for topic in topics:
        name = prefix + topic.name
        for writer in map(str, topic.writers):
            if writer in used:
                used[writer].add(name)
            else:
                party_writers.add(writer)
            allow(writer, Resource.TOPIC, name, Pattern.LITERAL, *_WRITE)
        for reader in map(str, topic.readers):
            if reader in used:
                used[reader].add(name)
            else:
                group_readers.add(reader)
            allow(reader, Resource.TOPIC, name, Pattern.LITERAL, *_READ)
    # The processors create the registry's topics (the ingest those it uses); creating grants
    # no read or write.
    if used[HUB_USER]:
        used[HUB_USER] |= {prefix + t.name for t in topics}
    for user, names in used.items():
        if not APP_ID_PREFIXES[user]:
            continue  # the loket only reads: it creates nothing
        for name in names:
            allow(user, Resource.TOPIC, name, Pattern.LITERAL, *hub_ops)
    # The processors truncate the transport topics to what they committed (Hub.sweep_transport).
    if used[HUB_USER]:
        for topic in topics:
            if topic.name in transport_topics():
                allow(
                    HUB_USER, Resource.TOPIC, prefix + topic.name, Pattern.LITERAL, Operation.DELETE
                )
    for party in group_readers:
        allow(party, Resource.GROUP, group_prefix(party, prefix), Pattern.PREFIXED, *_READ)
    # A party that both reads and writes runs a processor (its raw-topic adapter runner):
    # exactly-once needs transactional ids, under its own prefix like its groups.
    for party in group_readers & party_writers:
        allow(
            party, Resource.TRANSACTIONAL_ID, group_prefix(party, prefix), Pattern.PREFIXED, *_WRITE
        )
    for user, names in used.items():
        if not names:
            continue
        for app_id in APP_ID_PREFIXES[user]:
            if user == HUB_USER:  # the ingest reads with assigned partitions, in no group
                allow(user, Resource.GROUP, prefix + app_id, Pattern.PREFIXED, *_READ)
            allow(user, Resource.TRANSACTIONAL_ID, prefix + app_id, Pattern.PREFIXED, *_WRITE)
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


def diff(current: Iterable[Acl], desired: Iterable[Acl], managed: Container[str]) -> AclDiff:
    """Create what is missing; delete what is not desired, for `managed` principals only.

    ACLs of other principals (another region's, a monitoring user an operator added by hand)
    are left alone.
    """
    have, want = set(current), set(desired)
    return AclDiff(
        add=frozenset(want - have),
        remove=frozenset(a for a in have - want if a.principal in managed),
    )


@dataclass(frozen=True)
class RegionPrincipals:
    """The principals `hub acl apply` owns for the region with topic prefix `prefix`: the
    region prefix followed by a hub, partner, audience or school-board name. A school board
    the policy dropped is still among them (so it loses its ACLs); another region's principals
    and one an operator added by hand are not."""

    prefix: str = ""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and owned_by(item, self.prefix)


def managed_principals(prefix: str = "") -> RegionPrincipals:
    """The principals whose ACLs `hub acl apply` for the region `prefix` manages."""
    return RegionPrincipals(prefix)


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


def policy_registry(policy: Policy | None = None) -> list[TopicLike]:
    """The registry as the sharing policy (default: the shipped one) shapes it: the view
    topics of the audiences it serves, and no other view."""
    from hub.events.topics import served_registry
    from hub.views.policy import load_policy

    return list(served_registry((policy or load_policy()).audiences()))


def bus_users(policy: Policy | None = None, prefix: str = "") -> tuple[str, ...]:
    """Every SCRAM user a region needs: broker, admin, and every principal its registry names."""
    named = {str(p) for t in policy_registry(policy) for p in (*t.writers, *t.readers)}
    return all_users(tuple(sorted(named - {*HUB_USERS, *PARTIES})), prefix)
