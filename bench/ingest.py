"""Ingest: a school's absence CSV through the adapter onto the bus, in events per second."""

from __future__ import annotations

import time
import uuid

from bench import workload
from bench.harness import Figure, Results
from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.settings import HubSettings
from hub.web.ingest import IngestOptions, ingest_service

PARTNER, FEED, CSV = "school", "verzuim", "text/csv"


async def mapped_only(body: bytes) -> tuple[float, int]:
    """Parse, validate, pseudonymise, map and encode, publishing to memory: (rows/s, events)."""
    service = IngestService(
        builtin_registry(), MemoryPublisher(), Context.from_keyring(workload.keyring())
    )
    start = time.perf_counter()
    report = await service.ingest(PARTNER, FEED, body, CSV)
    return len(report.accepted) / (time.perf_counter() - start), len(report.accepted)


async def onto_the_bus(bootstrap: str, body: bytes) -> tuple[float, int]:
    """The whole `hub import` path onto a fresh prefix of the broker: (events/s, events)."""
    run = uuid.uuid4().hex[:8]
    settings = HubSettings(kafka_bootstrap_servers=bootstrap, topic_prefix=f"bench-{run}.")
    options = IngestOptions(transactional_id=f"bench-ingest-{run}")
    async with ingest_service(
        settings, bootstrap=bootstrap, ring=workload.keyring(), options=options
    ) as service:
        start = time.perf_counter()
        report = await service.ingest(PARTNER, FEED, body, CSV)
        elapsed = time.perf_counter() - start
    return len(report.accepted) / elapsed, len(report.accepted)


async def measure(bootstrap: str, results: Results) -> None:
    """Measure the ingest path into `results`, relative to the raw produce ceiling."""
    rows = results.sizes["csv_rows"]
    body = workload.school_csv(rows, max(1, rows // 20))
    rate, accepted = await mapped_only(body)
    results.add(
        Figure("hub.ingest.mapping", rate, "events/s", note=f"adapter only, no bus; {accepted}")
    )
    rate, accepted = await onto_the_bus(bootstrap, body)
    note = f"CSV {len(body) // 1024} KiB, {accepted} events, idempotent transactional publish"
    results.add(Figure("hub.ingest", rate, "events/s", note=note))
    if any(f.name == "raw.produce" for f in results.figures):
        results.relate("hub.ingest", "raw.produce")
