"""Micro-benchmarks of the pure core, one core: serialisation, validation, casus, views, privacy."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import time
from collections.abc import Callable
from typing import Any

from bench import bench_privacy, workload
from bench.harness import Figure, Results
from hub.bus import cloudevents
from hub.bus.handler import PydanticCodec
from hub.bus.records import InRecord
from hub.casus.config import CasusConfig
from hub.casus.handler import CasusHandler
from hub.casus.state import CasusState
from hub.casus.topics import CasusTopics
from hub.casus.transition import transition
from hub.events.registry import parse_event

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def rate(run: Callable[[], int], repeats: int = 3) -> float:
    """Operations per second: the best of `repeats` runs of `run` (which returns its count)."""
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        count = run()
        best = max(best, count / (time.perf_counter() - start))
    return best


def serialisation(n: int) -> dict[str, float]:
    """CloudEvents binary encode and decode, and pydantic validation alone, of stream events."""
    stream = workload.Stream(workload.children(max(1, n // 20), workload.keyring()))
    events = [stream.event(i) for i in range(n)]
    records = [cloudevents.encode(e) for e in events]
    structured = [e.model_dump(mode="json") for e in events]

    def encode() -> int:
        for e in events:
            cloudevents.encode(e)
        return n

    def decode() -> int:
        for r in records:
            cloudevents.decode(r.key, r.value, r.headers)
        return n

    def validate() -> int:
        for s in structured:
            parse_event(s)
        return n

    def json_only() -> int:
        for r in records:
            json.loads(r.value)
        return n

    return {
        "micro.cloudevents.encode": rate(encode),
        "micro.cloudevents.decode": rate(decode),
        "micro.pydantic.validate": rate(validate),
        "micro.json.loads": rate(json_only),
    }


def casus(n: int) -> dict[str, float]:
    """The pure casus transition, and the whole handler (decode + transition + encode + state)."""
    kids = workload.children(max(1, n // 20), workload.keyring())
    stream = workload.Stream(kids)
    events = [stream.event(i) for i in range(n)]
    records = [cloudevents.encode(e) for e in events]
    config = CasusConfig()
    topics = CasusTopics.with_prefix("bench.")
    handler = CasusHandler(config, topics)
    codec = PydanticCodec(CasusState)
    inputs = [
        InRecord(topics.inputs[0], 0, i, r.key, r.value, r.headers) for i, r in enumerate(records)
    ]
    outputs = 0

    def pure() -> int:
        nonlocal outputs
        states: dict[str, CasusState | None] = {}
        outputs = 0
        for e in events:
            new, uit = transition(states.get(e.subject), e, config)
            states[e.subject] = new
            outputs += len(uit)
        return n

    def whole() -> int:
        states: dict[bytes | None, Any] = {}
        for r in inputs:
            new, _ = handler(states.get(r.key), r)
            if new is not None:
                codec.encode(new)  # what the processor's changelog pays per changed key
            states[r.key] = new
        return n

    figures = {
        "micro.casus.transition": rate(pure),
        "micro.casus.handler": rate(whole),
    }
    figures["micro.casus.outputs_per_event"] = outputs / n
    return figures


def views(n: int) -> dict[str, float]:
    """The projector handler: decode, policy, audience pseudonyms, view and audit records."""
    from hub.views.handler import ProjectorHandler
    from hub.views.reload import PolicyHolder
    from hub.views.transition import ViewTopics

    ring = workload.keyring()
    stream = workload.Stream(workload.children(max(1, n // 20), ring))
    records = [cloudevents.encode(stream.event(i)) for i in range(n)]
    handler = ProjectorHandler(PolicyHolder(None, ring), ring, ViewTopics("bench."), lambda: NOW)
    inputs = [
        InRecord("bench.contract.school.v1", 0, i, r.key, r.value, r.headers)
        for i, r in enumerate(records)
    ]

    def run() -> int:
        states: dict[bytes | None, Any] = {}
        for r in inputs:
            states[r.key], _ = handler(states.get(r.key), r)
        return n

    return {"micro.views.handler": rate(run)}


def privacy() -> dict[str, float]:
    """The privacy core's own micro-benchmark (bench/bench_privacy.py), quietly."""
    with contextlib.redirect_stdout(io.StringIO()):
        rates = bench_privacy.main()
    wanted = (
        "pseudonymisations_per_s",
        "audience_pseudonyms_per_s",
        "field_encryptions_per_s",
        "field_decryptions_per_s",
    )
    return {f"micro.privacy.{k.removesuffix('_per_s')}": rates[k] for k in wanted}


PARTS: dict[str, Callable[[int], dict[str, float]]] = {
    "serialisation": serialisation,
    "casus": casus,
    "views": views,
}


async def measure(bootstrap: str, results: Results) -> None:
    """Run every micro-benchmark (no broker needed) into `results`."""
    n = results.sizes["micro"]
    for name, part in PARTS.items():
        try:
            figures = part(n)
        except Exception as exc:  # a piece still under construction on its branch
            results.add(Figure(f"micro.{name}", 0.0, "ops/s", note=f"not measured: {exc!r}"[:120]))
            continue
        for key, value in figures.items():
            unit = "outputs/event" if key.endswith("per_event") else "ops/s"
            results.add(Figure(key, value, unit, note="one core"))
    if not results.sizes.get("smoke"):
        for key, value in privacy().items():
            results.add(Figure(key, value, "ops/s", note="one core, bench_privacy"))
