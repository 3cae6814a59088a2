"""The full path on two hub replicas: two processes, each running the casus and the projector.

A deployed hub scales by replicas (docs/deploy.md): every replica runs both processors and the
consumer groups spread the 12 partitions over them. `hub.fullpath` runs one replica inside the
benchmark's process, like the raw passthrough it is compared with; this runs two, each in its
own process, so the hub gets the machine's second core (which it shares with the broker and
the benchmark's producer). Same workload, same throughput and latency method.

A replica is `python -m bench.replicas --bootstrap B --prefix P`: it prints `ready` once both
processors own their partitions, answers each `stats` line on stdin with its counters as one
JSON line, and stops when stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bench import fullpath, workload
from bench.harness import Results
from hub.bus import cloudevents
from hub.log import configure_logging

REPLICAS = 2


async def serve(bootstrap: str, prefix: str, options: dict[str, Any] | None) -> None:
    """One replica: run casus and views until stdin closes, answering `stats` requests."""
    async with fullpath.running(bootstrap, prefix, options) as hub:
        print("ready", flush=True)
        reader = asyncio.StreamReader()
        await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
        )
        while line := await reader.readline():
            if line.strip() == b"stats":
                c, v = hub.casus.processor.stats, hub.views.stats
                counters = {"c": c.processed, "co": c.outputs, "v": v.processed, "vo": v.outputs}
                counters["tx"] = c.transactions + v.transactions
                print(json.dumps(counters), flush=True)


@dataclass
class Replica:
    """A replica process and its pipes."""

    process: asyncio.subprocess.Process

    async def stats(self) -> dict[str, int]:
        """The replica's counters now."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(b"stats\n")
        await self.process.stdin.drain()
        answer: dict[str, int] = json.loads(await self.process.stdout.readline())
        return answer


@asynccontextmanager
async def replicas(
    bootstrap: str, prefix: str, count: int, fast_start: bool
) -> AsyncIterator[list[Replica]]:
    """Start `count` replica processes on `prefix`; stop them afterwards."""
    args = ["--bootstrap", bootstrap, "--prefix", prefix, *(["--fast-start"] if fast_start else [])]
    started: list[Replica] = []
    try:
        for _ in range(count):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.replicas",
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            started.append(Replica(process))
        for replica in started:
            assert replica.process.stdout is not None
            line = await asyncio.wait_for(replica.process.stdout.readline(), 120)
            if line.strip() != b"ready":
                raise RuntimeError(f"a replica did not start (exit {replica.process.returncode})")
        yield started
    finally:
        for replica in started:
            if replica.process.stdin is not None:
                replica.process.stdin.close()
        for replica in started:
            try:
                await asyncio.wait_for(replica.process.wait(), 30)
            except TimeoutError:
                replica.process.kill()
                await replica.process.wait()


async def totals(group: list[Replica]) -> dict[str, int]:
    """The counters of all replicas added up."""
    summed: dict[str, int] = {}
    for answer in await asyncio.gather(*(r.stats() for r in group)):
        for name, value in answer.items():
            summed[name] = summed.get(name, 0) + value
    return summed


async def settle(group: list[Replica], sent: int, base: dict[str, int], timeout: float) -> None:
    """Wait until the replicas took `sent` events past `base` and all casus outputs."""
    async with asyncio.timeout(timeout):
        # Polling: the counters live in other processes; 20 ms is below any figure.
        while not fullpath.taken(await totals(group), base, sent):  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def throughput(
    bootstrap: str, topic: str, group: list[Replica], records: list[cloudevents.KafkaRecord]
) -> dict[str, float]:
    """Events per second through two replicas, from the first send until all were taken."""
    base = await totals(group)
    start = time.perf_counter()
    await fullpath.produce(bootstrap, topic, records)
    await settle(group, len(records), base, timeout=max(120.0, len(records) / 200))
    elapsed = time.perf_counter() - start
    end = await totals(group)
    return {
        "rate": len(records) / elapsed,
        "casus_outputs": end["co"] - base["co"],
        "view_outputs": end["vo"] - base["vo"],
        "transactions": end["tx"] - base["tx"],
    }


async def measure(bootstrap: str, results: Results) -> None:
    """Throughput and latency of the full path on two replicas, relative to raw Kafka."""
    sizes = results.sizes
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    await fullpath.create(bootstrap, prefix)
    async with replicas(bootstrap, prefix, REPLICAS, bool(sizes["fast_start"])) as group:
        # Both replicas joined: wait out the rebalance the second one brought.
        await asyncio.sleep(0 if sizes["smoke"] else fullpath.SETTLE_SECONDS)
        school = fullpath.school_topic(prefix)
        lat = await fullpath.offered_latency(
            bootstrap,
            prefix,
            sizes["rate"],
            sizes["latency_seconds"],
            max(1, sizes["children"] // 5),
            settled=lambda sent, base: settle(group, sent, base, timeout=120),
            counters=lambda: totals(group),
        )
        stream = workload.Stream(workload.children(sizes["children"], workload.keyring()))
        tp = await throughput(bootstrap, school, group, list(stream.records(sizes["events"])))
    fullpath.report(results, "hub.replicas", tp, lat, f"{REPLICAS} processes, casus+views each")


def main() -> None:
    """Run one replica (the child side)."""
    parser = argparse.ArgumentParser(prog="python -m bench.replicas")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--fast-start", action="store_true")
    args = parser.parse_args()
    configure_logging("console", "warning")
    options = fullpath.FAST_START if args.fast_start else None
    asyncio.run(serve(args.bootstrap, args.prefix, options))


if __name__ == "__main__":
    main()
