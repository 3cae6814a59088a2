"""The hub's HTTP side: partner ingest, health, readiness and Prometheus metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from secrets import compare_digest

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.registry import Collector

from hub.adapters.report import IngestReport
from hub.web.loket_security import install_loket
from hub.web.pages import LoketServices
from hub.web.ratelimit import RateLimiter
from hub.web.tokens import PartnerTokens

log = structlog.get_logger(__name__)

#: Publishes one partner's feed body through its adapter; the edge never parses content itself.
Ingestor = Callable[[str, str, bytes, str], Awaitable[IngestReport]]
#: Answers whether the bus is reachable (readiness).
ReadyCheck = Callable[[], Awaitable[bool]]

MAX_BODY_BYTES = 10 * 1024 * 1024


class BodyTooLarge(Exception):
    """The request body is over the limit."""


@dataclass
class WebConfig:
    """What the HTTP side needs, injected so tests run without a broker where they may."""

    tokens: PartnerTokens
    ingest: Ingestor | None = None
    ready: ReadyCheck | None = None
    #: The signed-in loket (pages, actions, stream); None serves no loket.
    loket: LoketServices | None = None
    #: Bearer token for /metrics; None means /metrics is refused (never public).
    metrics_token: str | None = None
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
    # No public API documentation: the contracts are published in contracts/ (AsyncAPI).
    app = FastAPI(
        title="onderwijs–jeugd hub", version="1", docs_url=None, redoc_url=None, openapi_url=None
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
        """Readiness: the bus answers."""
        ready = config.ready is not None and await config.ready()
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
        """Accept a partner's records: 202 with event ids, or 422 with the reasons per record."""
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
        status = 202 if report.ok else 422
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
