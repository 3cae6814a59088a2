"""The hub's HTTP side: partner ingest, health, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from secrets import compare_digest

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.registry import Collector

from hub.adapters.report import IngestReport, Outcome
from hub.web.failures import FailedAttempts
from hub.web.loket_security import install_loket
from hub.web.pages import LoketServices
from hub.web.ratelimit import PartnerLimits, Refusal
from hub.web.tokens import TokenCheck

log = structlog.get_logger(__name__)

#: Publishes one partner's feed body through its adapter; the edge never parses content itself.
Ingestor = Callable[[str, str, bytes, str], Awaitable[IngestReport]]
#: Answers whether the bus is reachable (readiness).
ReadyCheck = Callable[[], Awaitable[bool]]

MAX_BODY_BYTES = 10 * 1024 * 1024

#: The HTTP status of an ingest: all taken, partly taken (207 Multi-Status: the per-row report
#: says which), nothing taken. A LAS script must not read a mostly good file as a failure.
OUTCOME_STATUS: dict[Outcome, int] = {"accepted": 202, "partly_accepted": 207, "rejected": 422}


class BodyTooLarge(Exception):
    """The request body is over the limit."""


@dataclass
class WebConfig:
    """What the HTTP side needs, injected so tests run without a broker where they may."""

    tokens: TokenCheck
    ingest: Ingestor | None = None
    ready: ReadyCheck | None = None
    #: The signed-in loket (pages, actions, stream); None serves no loket.
    loket: LoketServices | None = None
    #: Bearer token for /metrics; None means /metrics is refused (never public).
    metrics_token: str | None = None
    limits: PartnerLimits = field(default_factory=PartnerLimits)
    failures: FailedAttempts = field(default_factory=FailedAttempts)
    max_body_bytes: int = MAX_BODY_BYTES
    #: Seconds a readiness answer is reused; /readyz never waits for the bus after the first.
    ready_ttl: float = 5.0
    #: Extra Prometheus collectors on /metrics (the processors' series in `hub run`).
    collectors: Sequence[Collector] = ()


async def read_limited(request: Request, limit: int) -> bytes:
    """Read the body, refusing more than `limit` bytes even without a Content-Length."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _problem(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _too_many(message: str, wait: float) -> JSONResponse:
    response = _problem(429, message)
    response.headers["Retry-After"] = str(max(1, round(wait + 0.49)))
    return response


class Readiness:
    """The last answer of the ready check, refreshed in the background when older than `ttl`.

    A probe gets the cached answer at once: a slow bus or a busy ingest never makes
    /readyz slow. Only the very first probe waits for the first check.
    """

    def __init__(self, check: ReadyCheck | None, ttl: float) -> None:
        self.check = check
        self.ttl = ttl
        self._value: bool | None = None
        self._at = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _refresh(self) -> None:
        assert self.check is not None
        try:
            self._value = await self.check()
        except Exception:  # a failing check means not ready, never a failing probe
            self._value = False
        self._at = time.monotonic()

    def refresh(self) -> asyncio.Task[None] | None:
        """Start a check unless one runs or the answer is fresh; the running check."""
        if self.check is None:
            return None
        stale = time.monotonic() - self._at >= self.ttl
        if (self._task is None or self._task.done()) and (self._value is None or stale):
            self._task = asyncio.create_task(self._refresh())
        return self._task

    async def current(self) -> bool:
        """The cached answer; the first call waits for the first check."""
        task = self.refresh()
        if self._value is None and task is not None:
            await asyncio.shield(task)
        return bool(self._value)

    async def close(self) -> None:
        """Stop a check in flight."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def create_app(config: WebConfig) -> FastAPI:
    """Build the FastAPI application around injected services."""
    readiness = Readiness(config.ready, config.ready_ttl)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        readiness.refresh()
        flusher = asyncio.create_task(_flush_failures(config.failures))
        try:
            yield
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            config.failures.flush()
            await readiness.close()

    # No public API documentation: the contracts are published in contracts/ (AsyncAPI).
    app = FastAPI(
        title="onderwijs–jeugd hub",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    registry = CollectorRegistry()
    requests = Counter(
        "hub_http_ingest_requests",
        "Ingest requests by partner and status",
        ["partner", "status"],
        registry=registry,
    )
    records = Counter(
        "hub_http_ingest_records",
        "Ingested records by partner, feed and outcome",
        ["partner", "feed", "outcome"],
        registry=registry,
    )
    for collector in config.collectors:
        registry.register(collector)
    app.state.metrics_registry = registry

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process serves requests."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> Response:
        """Readiness: the bus answered its last check (at most `ready_ttl` seconds ago)."""
        ready = await readiness.current()
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    install_loket(app, config.loket)

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        """Prometheus metrics, for a scraper with the metrics token only."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expected = config.metrics_token
        if expected is None or scheme.lower() != "bearer" or not compare_digest(token, expected):
            return _problem(401, "metrics need the bearer token (HUB_LOKET_METRICS_TOKEN)")
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/ingest/{partner}/{feed}")
    async def ingest(partner: str, feed: str, request: Request) -> Response:
        """Accept a partner's records: 202 all taken, 207 partly (per-row report), 422 none."""
        address = request.client.host if request.client else "-"
        wait = config.failures.blocked(address)
        if wait > 0:
            requests.labels(partner="-", status="429").inc()
            return _too_many("too many failed token attempts from this address", wait)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            requests.labels(partner="-", status="401").inc()
            config.failures.failed(address, "missing")
            return _problem(401, "missing bearer token")
        owner = config.tokens.partner_of(token.strip())
        if owner is None:
            requests.labels(partner="-", status="401").inc()
            config.failures.failed(address, "unknown")
            return _problem(401, "unknown token")
        if owner != partner:
            requests.labels(partner=owner, status="403").inc()
            config.failures.failed(address, "other_partner")
            return _problem(403, f"this token belongs to '{owner}', not to '{partner}'")
        declared = request.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else None
        if size is not None and size > config.max_body_bytes:
            requests.labels(partner=owner, status="413").inc()
            return _problem(413, f"body over {config.max_body_bytes} bytes; split the file")
        refusal = config.limits.admit(owner, size)
        if refusal is not None:
            return _refused(owner, refusal)
        if config.ingest is None:
            return _problem(503, "ingest is not configured on this hub")
        with config.limits.working(owner):
            try:
                body = await read_limited(request, config.max_body_bytes)
            except BodyTooLarge:
                requests.labels(partner=owner, status="413").inc()
                return _problem(413, f"body over {config.max_body_bytes} bytes; split the file")
            if size is None:
                config.limits.bytes.charge(owner, float(len(body)))
            started = time.perf_counter()
            try:
                report = await config.ingest(
                    partner, feed, body, request.headers.get("content-type", "")
                )
            except LookupError as exc:
                requests.labels(partner=owner, status="404").inc()
                return _problem(404, str(exc))
        rows = len(report.accepted) + len(report.duplicates) + len(report.rejected)
        config.limits.rows.charge(owner, float(rows))
        status = OUTCOME_STATUS[report.status]
        requests.labels(partner=owner, status=str(status)).inc()
        for outcome, count in (
            ("accepted", len(report.accepted)),
            ("duplicate", len(report.duplicates)),
            ("rejected", len(report.rejected)),
        ):
            records.labels(partner=owner, feed=feed, outcome=outcome).inc(count)
        log.info(
            "ingest",
            partner=owner,
            feed=feed,
            accepted=len(report.accepted),
            duplicates=len(report.duplicates),
            rejected=len(report.rejected),
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return JSONResponse(report.model_dump(mode="json"), status_code=status)

    def _refused(owner: str, refusal: Refusal) -> JSONResponse:
        requests.labels(partner=owner, status="429").inc()
        return _too_many(
            f"too many {refusal.reason} for this partner; slow down", refusal.retry_after
        )

    return app


async def _flush_failures(failures: FailedAttempts) -> None:
    """Log the failed token attempts once per interval, also when no new one comes in."""
    while True:
        await asyncio.sleep(failures.interval)
        failures.flush()
