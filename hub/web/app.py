"""The hub's HTTP side: partner ingest, health, readiness and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.registry import Collector

from hub.adapters.report import IngestReport, Outcome
from hub.web.ratelimit import RateLimiter
from hub.web.tokens import PartnerTokens

log = structlog.get_logger(__name__)

#: Publishes one partner's feed body through its adapter; the edge never parses content itself.
Ingestor = Callable[[str, str, bytes, str], Awaitable[IngestReport]]
#: Answers whether the bus is reachable (readiness).
ReadyCheck = Callable[[], Awaitable[bool]]
#: Renders the loket page (HTML) from the current casus state.
LoketPage = Callable[[], Awaitable[str]]

MAX_BODY_BYTES = 10 * 1024 * 1024

#: The HTTP status of an ingest: all taken, partly taken (207 Multi-Status: the per-row report
#: says which), nothing taken. A LAS script must not read a mostly good file as a failure.
OUTCOME_STATUS: dict[Outcome, int] = {"accepted": 202, "partly_accepted": 207, "rejected": 422}


class BodyTooLarge(Exception):
    """The request body is over the limit."""


@dataclass
class WebConfig:
    """What the HTTP side needs, injected so tests run without a broker where they may."""

    tokens: PartnerTokens
    ingest: Ingestor | None = None
    ready: ReadyCheck | None = None
    loket: LoketPage | None = None
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(rate=20.0, burst=40))
    max_body_bytes: int = MAX_BODY_BYTES
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


def create_app(config: WebConfig) -> FastAPI:
    """Build the FastAPI application around injected services."""
    app = FastAPI(title="onderwijs–jeugd hub", version="1", docs_url="/docs", redoc_url=None)
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
        """Readiness: the bus answers."""
        ready = config.ready is not None and await config.ready()
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    @app.get("/loket")
    async def loket() -> Response:
        """The loket: one row per case, refreshed every few seconds."""
        if config.loket is None:
            return _problem(503, "the loket is not configured on this hub")
        return HTMLResponse(await config.loket())

    @app.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics."""
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/ingest/{partner}/{feed}")
    async def ingest(partner: str, feed: str, request: Request) -> Response:
        """Accept a partner's records: 202 all taken, 207 partly (per-row report), 422 none."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            requests.labels(partner="-", status="401").inc()
            return _problem(401, "missing bearer token")
        owner = config.tokens.partner_of(token.strip())
        if owner is None:
            requests.labels(partner="-", status="401").inc()
            log.warning("ingest refused", reason="unknown token")
            return _problem(401, "unknown token")
        if owner != partner:
            requests.labels(partner=owner, status="403").inc()
            log.warning("ingest refused", reason="posted as another partner", partner=owner)
            return _problem(403, f"this token belongs to '{owner}', not to '{partner}'")
        wait = config.limiter.allow(owner)
        if wait > 0:
            requests.labels(partner=owner, status="429").inc()
            response = _problem(429, "too many requests for this partner; slow down")
            response.headers["Retry-After"] = str(max(1, round(wait)))
            return response
        try:
            body = await read_limited(request, config.max_body_bytes)
        except BodyTooLarge:
            requests.labels(partner=owner, status="413").inc()
            return _problem(413, f"body over {config.max_body_bytes} bytes; split the file")
        if config.ingest is None:
            return _problem(503, "ingest is not configured on this hub")
        started = time.perf_counter()
        try:
            report = await config.ingest(
                partner, feed, body, request.headers.get("content-type", "")
            )
        except LookupError as exc:
            requests.labels(partner=owner, status="404").inc()
            return _problem(404, str(exc))
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

    return app
