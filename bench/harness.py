"""What every benchmark shares: a broker, topics, percentiles and the results file."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hub.bus import client
from hub.ops.launcher import LocalKafka
from hub.settings import HubSettings

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One measured figure, with its ratio to the raw-Kafka ceiling of the same run."""

    name: str
    value: float
    unit: str
    ceiling: str | None = None
    ratio: float | None = None
    note: str = ""


@dataclass
class Results:
    """All figures of one run plus the facts needed to compare runs."""

    started: str
    machine: dict[str, Any]
    sizes: dict[str, int]
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        """Record a figure and return it."""
        self.figures.append(figure)
        return figure

    def get(self, name: str) -> Figure:
        """The figure called `name`."""
        return next(f for f in self.figures if f.name == name)

    def relate(self, name: str, ceiling: str, *, lower_is_better: bool = False) -> None:
        """Set the ratio of figure `name` to figure `ceiling` (1.0 = as good as raw Kafka)."""
        fig, top = self.get(name), self.get(ceiling)
        fig.ceiling = ceiling
        if fig.value and top.value:
            fig.ratio = top.value / fig.value if lower_is_better else fig.value / top.value

    def write(self, stem: str) -> Path:
        """Write the results as JSON under bench/results/."""
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{stem}.json"
        path.write_text(json.dumps(asdict(self), indent=2, default=str) + "\n")
        return path


def machine() -> dict[str, Any]:
    """The facts about this machine that make figures comparable."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@contextlib.contextmanager
def broker() -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS when set, else a fresh local broker on free ports for this run."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        local = LocalKafka.ephemeral(Path(tmp), HubSettings(), heap="1g")
        status = local.up(timeout=120)
        try:
            assert status.bootstrap is not None
            yield status.bootstrap
        finally:
            local.down()


async def fresh_topics(bootstrap: str, partitions: int, *names: str) -> list[str]:
    """Create uniquely named topics for one measurement; return their names."""
    run = uuid.uuid4().hex[:8]
    topics = [f"bench.{name}.{run}" for name in names]
    await client.create_topics(bootstrap, [(t, partitions, {}) for t in topics])
    return topics


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of `samples` (milliseconds in, milliseconds out)."""
    if len(samples) < 2:
        only = samples[0] if samples else 0.0
        return {"p50": only, "p95": only, "p99": only}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


@contextlib.asynccontextmanager
async def stopwatch() -> AsyncIterator[dict[str, float]]:
    """Measure the seconds spent inside the block into `elapsed`."""
    timing = {"elapsed": 0.0}
    start = time.perf_counter()
    try:
        yield timing
    finally:
        timing["elapsed"] = time.perf_counter() - start
