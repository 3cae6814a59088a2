"""Floods: what one partner's flood of posts does to another partner and to /healthz (p95).

On loopback: the hub's HTTP side with its real ingest stack on the bench broker. First quiet
(the other partner posts small bodies, a probe asks /healthz), then the same while the school
posts large bodies and a burst of small ones at once. Bounded: a fixed number of posts.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import uvicorn

from bench import workload
from bench.harness import Figure, Results, percentiles
from hub.privacy.keyring import init_keyring, read_keyring
from hub.settings import HubSettings
from hub.web.app import WebConfig, create_app
from hub.web.ingest import IngestOptions, bus_ready, ingest_service, ingestor
from hub.web.listen import bind_http
from hub.web.tokens import PartnerTokens

EXAMPLES = Path(__file__).resolve().parent.parent / "contracts" / "sources" / "examples"
OTHER, OTHER_FEED = "jgz", "betrokkenheid-gestart"
JSONL = "application/x-ndjson"


def _bearer(token: str, kind: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "content-type": kind}


async def _timed(http: httpx.AsyncClient, method: str, url: str, **kw: object) -> tuple[float, int]:
    start = time.perf_counter()
    response = await http.request(method, url, **kw)  # type: ignore[arg-type]
    return (time.perf_counter() - start) * 1000, response.status_code


async def _probe(
    http: httpx.AsyncClient, other: str, body: bytes, until: asyncio.Event, limit: int
) -> tuple[list[float], list[float]]:
    """The other partner's posts and /healthz, every 100 ms, until `until` or `limit` rounds."""
    posts: list[float] = []
    health: list[float] = []
    for _ in range(limit):
        ms, _ = await _timed(
            http,
            "POST",
            f"/ingest/{OTHER}/{OTHER_FEED}",
            content=body,
            headers=_bearer(other, JSONL),
        )
        posts.append(ms)
        ms, _ = await _timed(http, "GET", "/healthz")
        health.append(ms)
        if until.is_set():
            break
        await asyncio.sleep(0.1)
    return posts, health


async def measure(bootstrap: str, results: Results) -> None:
    """One partner floods; the other partner's and /healthz's p95, quiet and flooded."""
    sizes = results.sizes
    run = uuid.uuid4().hex[:8]
    settings = HubSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=f"flood-{run}.")
    options = IngestOptions(transactional_id=f"bench-flood-{run}")
    tokens = PartnerTokens()
    school, other = tokens.issue("school"), tokens.issue(OTHER)
    small = (EXAMPLES / f"{OTHER}.{OTHER_FEED}.jsonl").read_bytes()
    large = workload.school_csv(sizes["flood_rows"], max(1, sizes["flood_rows"] // 10))
    tiny = workload.school_csv(1, 1)
    with tempfile.TemporaryDirectory(prefix="hub-bench-flood-") as keys:
        init_keyring(Path(keys))  # the development ring `hub keys init` makes
        ring = read_keyring(Path(keys), {})
    async with ingest_service(settings, bootstrap=bootstrap, ring=ring, options=options) as service:
        config = WebConfig(tokens=tokens, ingest=ingestor(service), ready=bus_ready(bootstrap))
        listening = bind_http("127.0.0.1", 0)
        port = listening.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(create_app(config), log_config=None, log_level="warning")
        )
        serving = asyncio.create_task(server.serve(sockets=[listening]))
        try:
            limits = httpx.Limits(max_connections=200)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=600, limits=limits
            ) as http:
                while not server.started:  # noqa: ASYNC110 - uvicorn offers no event
                    await asyncio.sleep(0.05)
                never = asyncio.Event()
                quiet_posts, quiet_health = await _probe(http, other, small, never, 20)
                flooding = asyncio.Event()
                bodies = [
                    _timed(http, "POST", "/ingest/school/verzuim", content=large,
                           headers=_bearer(school, "text/csv"))
                    for _ in range(sizes["flood_bodies"])
                ] + [
                    _timed(http, "POST", "/ingest/school/verzuim", content=tiny,
                           headers=_bearer(school, "text/csv"))
                    for _ in range(sizes["flood_small"])
                ]  # fmt: skip

                async def flood() -> list[tuple[float, int]]:
                    try:
                        return list(await asyncio.gather(*bodies))
                    finally:
                        flooding.set()

                flood_task = asyncio.create_task(flood())
                await asyncio.sleep(0.05)
                posts, health = await _probe(http, other, small, flooding, 600)
                answers = await flood_task
        finally:
            server.should_exit = True
            await serving
    refused = sum(1 for _, status in answers if status == 429)
    quiet_p95 = percentiles(quiet_posts)["p95"]
    for name, samples in (
        ("flood.other.quiet.p95", quiet_posts),
        ("flood.other.flooded.p95", posts),
        ("flood.healthz.quiet.p95", quiet_health),
        ("flood.healthz.flooded.p95", health),
    ):
        results.add(Figure(name, percentiles(samples)["p95"], "ms", note=f"{len(samples)} samples"))
    results.relate("flood.other.flooded.p95", "flood.other.quiet.p95", lower_is_better=True)
    results.relate("flood.healthz.flooded.p95", "flood.healthz.quiet.p95", lower_is_better=True)
    note = (
        f"{sizes['flood_bodies']} bodies of {sizes['flood_rows']} rows + "
        f"{sizes['flood_small']} small posts at once; quiet p95 {quiet_p95:.0f} ms"
    )
    results.add(Figure("flood.school.refused", float(refused), "429s", note=note))
    results.add(
        Figure(
            "flood.healthz.flooded.max", max(health), "ms", note="slowest /healthz during the flood"
        )
    )
