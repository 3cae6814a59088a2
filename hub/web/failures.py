"""Failed token attempts: limited per client address and logged as counts, not per attempt."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from hub.web.ratelimit import RateLimiter

log = structlog.get_logger(__name__)


@dataclass
class FailedAttempts:
    """Per client address, `burst` failed attempts and then one per `1/rate` seconds.

    An address over its allowance is answered 429 before its token is even looked at, so
    guessing tokens is slow. The log gets one line per `interval` with the counts (by
    reason, and how many addresses), never one line per attempt.
    """

    rate: float = 0.2
    burst: float = 10.0
    interval: float = 60.0
    clock: Callable[[], float] = time.monotonic
    counts: Counter[str] = field(default_factory=Counter)
    addresses: set[str] = field(default_factory=set)
    _since: float | None = None

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.rate, self.burst, self.clock)

    def blocked(self, address: str) -> float:
        """The seconds `address` must wait before it may try a token again (0.0: it may)."""
        wait = self.limiter.wait(address)
        if wait > 0:
            self._count("blocked", address)
        return wait

    def failed(self, address: str, reason: str) -> None:
        """Count one failed attempt of `address` against its allowance."""
        self.limiter.charge(address, 1.0)
        self._count(reason, address)

    def _count(self, reason: str, address: str) -> None:
        if self._since is None:
            self._since = self.clock()
        self.counts[reason] += 1
        self.addresses.add(address)
        if self.clock() - self._since >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Log the counts since the last flush in one line (nothing when there were none)."""
        if self.counts:
            log.warning(
                "ingest.token_failures",
                attempts=sum(self.counts.values()),
                addresses=len(self.addresses),
                seconds=round(self.clock() - (self._since or self.clock()), 1),
                **{reason.replace(" ", "_"): n for reason, n in sorted(self.counts.items())},
            )
        self.counts.clear()
        self.addresses.clear()
        self._since = None
