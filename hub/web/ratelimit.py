"""Token buckets per partner (requests, bytes, rows, work in flight) and per client address.

One flooding partner must not starve the others nor the hub's health: every limit is decided
before the body is read or parsed, so a refusal costs the hub almost nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Allow `rate` units per second per key with bursts up to `burst` units."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def _refill(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def wait(self, key: str, cost: float = 1.0) -> float:
        """The seconds until `cost` units would be allowed for `key`, taking nothing."""
        bucket = self._refill(key)
        # A cost over the burst waits for a full bucket, not forever.
        need = min(cost, float(self.burst))
        return 0.0 if bucket.tokens >= need else (need - bucket.tokens) / self.rate

    def allow(self, key: str, cost: float = 1.0) -> float:
        """0.0 when `cost` units may pass now (and takes them), else the seconds to wait."""
        wait = self.wait(key, cost)
        if wait == 0.0:
            self._buckets[key].tokens -= cost
        return wait

    def charge(self, key: str, cost: float) -> None:
        """Take `cost` units that were already spent; the bucket may go into debt."""
        self._refill(key).tokens -= cost


@dataclass(frozen=True)
class Refusal:
    """Why a partner's request is refused now, and after how many seconds to try again."""

    reason: str
    retry_after: float


@dataclass
class PartnerLimits:
    """A partner's requests, body bytes and records per second, and its ingests in flight.

    Rows are known only after parsing, so they are charged afterwards: a partner in debt
    is refused until the debt is paid off at `rows_per_second`.
    """

    requests_per_second: float = 20.0
    request_burst: float = 40.0
    bytes_per_second: float = 4 * 1024 * 1024
    byte_burst: float = 32 * 1024 * 1024
    rows_per_second: float = 10_000.0
    row_burst: float = 100_000.0
    in_flight: int = 2
    clock: Callable[[], float] = time.monotonic
    _busy: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.requests = RateLimiter(self.requests_per_second, self.request_burst, self.clock)
        self.bytes = RateLimiter(self.bytes_per_second, self.byte_burst, self.clock)
        self.rows = RateLimiter(self.rows_per_second, self.row_burst, self.clock)

    def admit(self, partner: str, size: int | None) -> Refusal | None:
        """None when the request may start (its request and declared bytes are taken)."""
        if self._busy.get(partner, 0) >= self.in_flight:
            return Refusal("ingests in flight", 1.0)
        checks = (
            ("records", self.rows.wait(partner, 1.0)),
            ("bytes", self.bytes.wait(partner, float(size or 0))),
            ("requests", self.requests.wait(partner)),
        )
        for reason, wait in checks:
            if wait > 0:
                return Refusal(reason, wait)
        self.requests.allow(partner)
        if size:
            self.bytes.charge(partner, float(size))
        return None

    @contextmanager
    def working(self, partner: str) -> Iterator[None]:
        """Count one ingest of `partner` in flight while the block runs."""
        self._busy[partner] = self._busy.get(partner, 0) + 1
        try:
            yield
        finally:
            self._busy[partner] -= 1
