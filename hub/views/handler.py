"""The projector as a bus handler: decode the CloudEvent, apply the transition, emit records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from hub.bus import cloudevents
from hub.bus.handler import BadInput
from hub.bus.records import InRecord, Output
from hub.events.errors import ContractError
from hub.events.provenance import FORGED_PRODUCER, claim, forged_problem
from hub.privacy.keyring import KeyRing
from hub.views.reencrypt import ViewCrypto
from hub.views.reload import PolicyHolder
from hub.views.state import ChildViews
from hub.views.transition import ViewTopics, relevant_types, transition


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ProjectorHandler:
    """`(state, record) -> (state, outputs)` for the TransactionalProcessor."""

    def __init__(
        self,
        policies: PolicyHolder,
        ring: KeyRing,
        topics: ViewTopics,
        clock: Callable[[], dt.datetime] = _utcnow,
        crypto: ViewCrypto | None = None,
    ) -> None:
        self.policies = policies
        self.crypto = crypto
        self.ring = ring
        self.topics = topics
        self.clock = clock
        self._relevant: tuple[str, frozenset[str]] = ("", frozenset())

    def _relevant_types(self) -> frozenset[str]:
        policy = self.policies.current
        if self._relevant[0] != policy.sha256:
            self._relevant = (policy.sha256, relevant_types(policy))
        return self._relevant[1]

    def __call__(
        self, state: ChildViews | None, record: InRecord, /
    ) -> tuple[ChildViews | None, Sequence[Output]]:
        """Project one input record for every audience under the policy in force."""
        kind, partner = claim(record.headers)
        problem = forged_problem(record.topic, kind, partner, prefix=self.topics.prefix)
        if problem is not None:
            raise BadInput(FORGED_PRODUCER, problem)
        # Most records (absence registrations) reach no audience: skip them before decoding.
        if kind is not None and kind not in self._relevant_types():
            return state, []
        try:
            event = cloudevents.decode(record.key, record.value, record.headers)
        except ContractError as exc:
            raise BadInput("contract", "; ".join(exc.problems)) from None
        new_state, records = transition(
            self.policies.current, self.ring, self.topics, state, event, self.clock(), self.crypto
        )
        return new_state, [Output(r.topic, r.key, r.value, r.headers) for r in records]
