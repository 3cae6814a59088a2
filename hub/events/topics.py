"""The topic registry: every topic's logical name, key, partitions, cleanup, contents and ACL.

No topic name is spelled anywhere else: code asks this module for names, and
`physical_name` applies `HubSettings.topic_prefix`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from hub.events.registry import event_types, payload_model
from hub.events.vocab import KERNPARTNERS, Partner
from hub.settings import HubSettings

#: One child's events stay on one partition: every topic keyed by pseudonym that the casus
#: processor reads or writes has this many partitions (co-partitioning).
CHILD_PARTITIONS = 12

#: Partitions of a raw topic, and of its adapter runner's state topic (co-partitioned with it).
RAW_PARTITIONS = 3

DAY_MS = 24 * 60 * 60 * 1000
HOUR_MS = 60 * 60 * 1000

#: Compaction bounded in time, so that an erased child's tombstoned records (state, wrapped
#: data key) leave the disk within a day: hourly segments, compaction lag and tombstone
#: retention of at most one day.
ERASURE_BOUNDED: tuple[tuple[str, str], ...] = (
    ("segment.ms", str(HOUR_MS)),
    ("max.compaction.lag.ms", str(DAY_MS)),
    ("delete.retention.ms", str(DAY_MS)),
)

CASUS_UIT = "casus.uit.v1"
CASUS_STATE = "casus.state.v1"
DLQ = "dlq.v1"
AUDIT = "audit.v1"
DATAKEYS = "datakeys.v1"
CASUS_TICK = "casus.tick.v1"
VIEWS_STATE = "views.state.v1"
INGEST_SEEN = "ingest.seen.v1"
INDICATORS = "indicators.v1"

#: How long the transport topics (contract topics, casus output) keep a record: long enough to
#: ride out a long weekend's outage of a processor, short enough that plain facts do not
#: outlive their use; the hub's state and the views carry what must last.
TRANSPORT_RETENTION_MS = 7 * DAY_MS

#: A view topic's retention when the policy grants an audience nothing longer (see
#: `hub.views.retention`, which sets each view topic to the longest grant of its audience).
VIEW_RETENTION_MS = 2 * 366 * DAY_MS

#: Partners with their own contract and raw topic (they run an adapter).
PRODUCING_PARTNERS: tuple[Partner, ...] = KERNPARTNERS

#: The kinds of audience a sharing policy has rules for. `school` is a kind, not one audience:
#: every school board the policy names is an audience `schoolbestuur:<id>` with its own view.
AUDIENCES: tuple[Partner, ...] = (*KERNPARTNERS, Partner.GEMEENTE)

#: Audiences that are one organisation per region, each with a fixed view topic.
FIXED_AUDIENCES: tuple[Partner, ...] = tuple(a for a in AUDIENCES if a is not Partner.SCHOOL)

#: The principals of the hub itself (registry writers and readers besides the partners): its
#: processors (casus, views, the operator's tools) and its HTTP ingest, which writes contract
#: events for the partners it authenticated by token and reads nothing of theirs.
PROCESSORS = Partner.HUB.value
INGEST = "hub-ingest"
#: The signed-in loket: reads the views of the organisations it serves, writes nothing.
LOKET = "hub-loket"

#: A school board's audience: `schoolbestuur:<id>`, the id as the key ring spells it
#: (a DUO bestuursnummer, or another lower-case name).
_BOARD = re.compile(r"^schoolbestuur:([a-z0-9][a-z0-9-]{0,31})$")
_BOARD_VIEW = re.compile(r"^(view|viewkeys)\.schoolbestuur\.([a-z0-9][a-z0-9-]{0,31})\.v1$")


class Cleanup(StrEnum):
    """Kafka `cleanup.policy` of a topic."""

    DELETE = "delete"
    COMPACT = "compact"


@dataclass(frozen=True)
class Topic:
    """One topic of the registry; writers and readers are principals before the region prefix
    (partner names, an audience's reader, `hub` for the processors, `hub-ingest`).

    `producers` are the partners an event on the topic may claim as its `partner`: a principal
    may write for another (the hub's HTTP ingest writes a school's events), but a contract topic
    carries only its partner's events and the casus output only the hub's.
    """

    name: str
    description: str
    key: str
    partitions: int
    cleanup: Cleanup
    retention_ms: int | None
    carries: tuple[str, ...]
    writers: tuple[str, ...]
    readers: tuple[str, ...]
    policy_filtered: bool = False
    producers: tuple[str, ...] = ()
    extra_config: tuple[tuple[str, str], ...] = ()

    def config(self) -> dict[str, str]:
        """The topic configuration to create it with."""
        config = {"cleanup.policy": self.cleanup.value}
        if self.cleanup is Cleanup.DELETE:
            config["retention.ms"] = str(self.retention_ms if self.retention_ms else -1)
        config.update(self.extra_config)
        return config


def contract_topic(partner: Partner | str) -> str:
    """Logical name of the contract topic a partner's adapter writes."""
    return f"contract.{Partner(partner).value}.v1"


def raw_topic(partner: Partner | str) -> str:
    """Logical name of the raw (restricted) input topic of a partner's adapter."""
    return f"raw.{Partner(partner).value}.v1"


def adapter_state_topic(partner: Partner | str) -> str:
    """Logical name of the compacted state topic of a partner's raw-topic adapter runner."""
    return f"adapter.state.{Partner(partner).value}.v1"


def board_audience(bestuur: str) -> str:
    """The audience of school board `bestuur`: `schoolbestuur:<id>`."""
    audience = f"schoolbestuur:{bestuur}"
    if not _BOARD.match(audience):
        raise ValueError(
            f"school board id {bestuur!r} must be lower-case letters, digits and '-' (1-32)"
        )
    return audience


def is_board(audience: str) -> bool:
    """True for a school board's audience (`schoolbestuur:<id>`)."""
    return _BOARD.match(audience) is not None


def audience_partner(audience: str) -> Partner:
    """The partner an audience stands for: a school board is the `school`."""
    return Partner.SCHOOL if is_board(audience) else Partner(audience)


def audience_user(audience: str) -> str:
    """The principal (SCRAM user, before the region prefix) that reads an audience's view."""
    match = _BOARD.match(audience)
    return f"schoolbestuur-{match.group(1)}" if match else Partner(audience).value


def view_topic(audience: Partner | str) -> str:
    """Logical name of the view topic of one audience (a fixed one, or a school board)."""
    match = _BOARD.match(str(audience))
    if match:
        return f"view.schoolbestuur.{match.group(1)}.v1"
    partner = Partner(audience)
    if partner not in FIXED_AUDIENCES:
        raise ValueError(
            f"{partner.value} has no view of its own: each school board reads "
            "view.schoolbestuur.<id>.v1"
        )
    return f"view.{partner.value}.v1"


def view_keys_topic(audience: Partner | str) -> str:
    """Logical name of the compacted key topic of one audience (its sealed child keys)."""
    return "viewkeys." + view_topic(audience).removeprefix("view.")


def physical_name(logical: str, settings: HubSettings | None = None, *, prefix: str = "") -> str:
    """The name on the cluster: `topic_prefix` + the logical name (which must be registered)."""
    topic(logical)
    return (settings.topic_prefix if settings is not None else prefix) + logical


def _types_produced_by(partner: Partner) -> tuple[str, ...]:
    return tuple(t for t in event_types() if partner in payload_model(t).producers)


def _child_changelog(
    name: str, description: str, also: tuple[str, ...] = (), readers: tuple[str, ...] = ()
) -> Topic:
    """A hub-only compacted topic keyed by child, erased within a day of its tombstone."""
    hub = PROCESSORS
    return Topic(
        name=name,
        description=description,
        key="hub pseudonym of the child",
        partitions=CHILD_PARTITIONS,
        cleanup=Cleanup.COMPACT,
        retention_ms=None,
        carries=(),
        writers=(hub, *also),
        readers=(hub, *also, *readers),
        extra_config=ERASURE_BOUNDED,
    )


def _build() -> dict[str, Topic]:
    hub = PROCESSORS
    topics: list[Topic] = []
    for partner in PRODUCING_PARTNERS:
        topics.append(
            Topic(
                name=raw_topic(partner),
                description=(
                    f"Source records for the adapter of {partner.value}, before pseudonymisation "
                    "(identities possible): only that partner's adapter may read or write it "
                    "(ACL), one day retention, never mirrored or projected."
                ),
                key="source record id",
                partitions=RAW_PARTITIONS,
                cleanup=Cleanup.DELETE,
                retention_ms=1 * DAY_MS,
                carries=(),
                writers=(partner.value,),
                readers=(partner.value,),
            )
        )
        topics.append(
            Topic(
                name=adapter_state_topic(partner),
                description=(
                    f"State of the raw-topic adapter runner of {partner.value}: per raw key the "
                    "event ids already produced, so a record sent twice yields its events once. "
                    "The runner works under the partner's own principal: identities on the raw "
                    "topic never reach the hub's."
                ),
                key="source record id (the raw topic's key)",
                partitions=RAW_PARTITIONS,
                cleanup=Cleanup.COMPACT,
                retention_ms=None,
                carries=(),
                writers=(partner.value,),
                readers=(partner.value,),
            )
        )
        topics.append(
            Topic(
                name=contract_topic(partner),
                description=(
                    f"Contract events from the adapter of {partner.value}: its own raw-topic "
                    "runner, or the hub's HTTP ingest after checking the partner's token."
                ),
                key="subject (hub pseudonym of the child)",
                partitions=CHILD_PARTITIONS,
                cleanup=Cleanup.DELETE,
                retention_ms=TRANSPORT_RETENTION_MS,
                carries=_types_produced_by(partner),
                writers=(partner.value, INGEST),
                readers=(hub,),
                producers=(partner.value,),
            )
        )
    casus_types = _types_produced_by(Partner.HUB)
    topics += [
        Topic(
            name=CASUS_UIT,
            description="Casus processor output: case, match, regie, clocks, derived signals.",
            key="subject (hub pseudonym of the child)",
            partitions=CHILD_PARTITIONS,
            cleanup=Cleanup.DELETE,
            retention_ms=TRANSPORT_RETENTION_MS,
            carries=casus_types,
            writers=(hub,),
            readers=(hub,),
            producers=(hub,),
        ),
        _child_changelog(
            CASUS_STATE, "Changelog of the casus state per child; tombstone = erased."
        ),
        _child_changelog(
            DATAKEYS,
            "Wrapped data key per child; a tombstone shreds the child's fields. The projector "
            "is its one writer (the ingest seals notes to the intake key and holds no data key).",
        ),
        Topic(
            name=DLQ,
            description="Dead letters: the error and a pointer to the original record, no PII.",
            key="event id, or source topic-partition-offset",
            partitions=3,
            cleanup=Cleanup.DELETE,
            retention_ms=30 * DAY_MS,
            carries=(),
            # The ingest and the partners' raw-topic runners write their rejects here; only
            # the processors read them.
            writers=(hub, INGEST, *(p.value for p in PRODUCING_PARTNERS)),
            readers=(hub,),
        ),
        Topic(
            name=CASUS_TICK,
            description="Clock ticks the casus runner feeds itself, one per case that is due.",
            key="hub pseudonym of the child (same partition as its events)",
            partitions=CHILD_PARTITIONS,
            cleanup=Cleanup.DELETE,
            retention_ms=DAY_MS,
            carries=(),
            writers=(hub,),
            readers=(hub,),
        ),
        _child_changelog(
            VIEWS_STATE,
            "Changelog of the projector's per-child state (bezwaar, what was shared); the loket "
            "reads who received what.",
            readers=(LOKET,),
        ),
        Topic(
            name=INGEST_SEEN,
            description="Event ids the ingest edge has published: no second event after a restart.",
            key="event id",
            partitions=3,
            cleanup=Cleanup.COMPACT,
            retention_ms=None,
            carries=(),
            writers=(INGEST,),
            readers=(INGEST,),
        ),
        Topic(
            name=INDICATORS,
            description="Figures per school and month without children; small cells suppressed.",
            key="indicator, dimension and period",
            partitions=1,
            cleanup=Cleanup.COMPACT,
            retention_ms=None,
            carries=(),
            writers=(hub,),
            readers=(hub, Partner.GEMEENTE.value, Partner.SWV.value),
        ),
        Topic(
            name=AUDIT,
            description="Every disclosure: who received which event, when, on which basis.",
            key="audience pseudonym of the child",
            partitions=6,
            cleanup=Cleanup.DELETE,
            retention_ms=5 * 366 * DAY_MS,
            carries=(),
            writers=(hub,),
            readers=(hub,),
        ),
    ]
    for audience in FIXED_AUDIENCES:
        topics += [view_spec(audience.value), view_keys_spec(audience.value)]
    return {t.name: t for t in topics}


def view_spec(audience: str) -> Topic:
    """The view topic of one audience: written by the processors, read by that audience only."""
    who = "school board " + audience.partition(":")[2] if is_board(audience) else audience
    return Topic(
        name=view_topic(audience),
        description=(
            f"What {who} may see under the sharing policy, re-keyed to its own audience "
            "pseudonyms."
            + (" Only children enrolled with the board's schools." if is_board(audience) else "")
        ),
        key="subject (audience pseudonym of the child)",
        partitions=6,
        cleanup=Cleanup.DELETE,
        retention_ms=VIEW_RETENTION_MS,
        carries=tuple(event_types()),
        writers=(PROCESSORS,),
        readers=(audience_user(audience), LOKET),
        policy_filtered=True,
        # A view keeps the original producer; the projector's erasure notice is the hub's.
        producers=tuple(p.value for p in Partner),
    )


def view_keys_spec(audience: str) -> Topic:
    """The compacted key topic of one audience: its child keys, sealed to its public key."""
    who = "school board " + audience.partition(":")[2] if is_board(audience) else audience
    return Topic(
        name=view_keys_topic(audience),
        description=(
            f"The child keys of {who}: per child the key of its encrypted fields, sealed to "
            f"{who}'s X25519 public key; a tombstone at erasure, after which no earlier field "
            "of that child opens."
        ),
        key="audience pseudonym of the child",
        partitions=6,
        cleanup=Cleanup.COMPACT,
        retention_ms=None,
        carries=(),
        writers=(PROCESSORS,),
        readers=(audience_user(audience),),
        extra_config=ERASURE_BOUNDED,
    )


def _audience_topic(name: str) -> bool:
    return name.startswith(("view.", "viewkeys."))


def transport_topics() -> frozenset[str]:
    """The topics that carry facts to the processors and do not keep them: the processors
    truncate them to what they committed (DeleteRecords), so they need DELETE there."""
    return frozenset({*(contract_topic(p) for p in PRODUCING_PARTNERS), CASUS_UIT, CASUS_TICK})


def served_registry(audiences: Iterable[str]) -> list[Topic]:
    """The registry as the sharing policy shapes it: every topic, but of the views (and their
    key topics) only those of the `audiences` served (a fixed audience's, or a school board's)."""
    served = list(dict.fromkeys(audiences))
    fixed = [t for t in registry().values() if not _audience_topic(t.name)]
    return fixed + [spec(a) for a in served for spec in (view_spec, view_keys_spec)]


_TOPICS: dict[str, Topic] | None = None


def registry() -> Mapping[str, Topic]:
    """Every topic of the hub by logical name, in a stable order."""
    global _TOPICS
    if _TOPICS is None:
        _TOPICS = _build()
    return MappingProxyType(_TOPICS)


def topic(logical: str) -> Topic:
    """The registered topic `logical`; KeyError with the known names when there is none."""
    found = registry().get(logical)
    if found is not None:
        return found
    board = _BOARD_VIEW.match(logical)
    if board:
        audience = board_audience(board.group(2))
        return view_spec(audience) if board.group(1) == "view" else view_keys_spec(audience)
    raise KeyError(f"topic {logical!r} is not in the registry")


def topics_carrying(event_type: str) -> tuple[Topic, ...]:
    """The topics that carry `event_type` (the policy decides what a view really gets)."""
    return tuple(t for t in registry().values() if event_type in t.carries)


def topic_for_event(event_type: str, partner: Partner | str) -> str:
    """The topic a producer writes an event of `event_type` to."""
    partner = Partner(partner)
    name = CASUS_UIT if partner is Partner.HUB else contract_topic(partner)
    if event_type not in topic(name).carries:
        raise ValueError(f"{partner.value} does not produce {event_type}")
    return name
