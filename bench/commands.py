"""Commands as an operator runs them: start-up, `hub import`, `hub pii scan`, `hub casus show`.

Each command runs as a subprocess against the bench broker (its own topic prefix, its own key
ring), and the figure is the wall time the operator waits, start-up included.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import workload
from bench.harness import Figure, Results
from hub.bus import client
from hub.bus.batching import send_batched
from hub.bus.records import Output
from hub.casus.state import Betrokkenheid, CasusState, Status
from hub.casus.topics import CasusTopics
from hub.events.vocab import ContactRol, Domein, Partner

#: The commands whose start is measured: the help of each is a start and nothing more.
STARTS = {
    "cli.start.python": [sys.executable, "-c", "pass"],
    "cli.start.help": [sys.executable, "-m", "hub", "--help"],
    "cli.start.kafka_up": [sys.executable, "-m", "hub", "kafka", "up", "--help"],
    "cli.start.import": [sys.executable, "-m", "hub", "import", "--help"],
    "cli.start.casus_show": [sys.executable, "-m", "hub", "casus", "show", "--help"],
    "cli.start.pii_scan": [sys.executable, "-m", "hub", "pii", "scan", "--help"],
}


def _wall(command: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds `command` takes, start to exit (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True, timeout=3600)
    return time.perf_counter() - start


def _state(n: int) -> tuple[bytes, bytes]:
    """A plausible open case for made-up child `n`: (key, value) of the casus state topic."""
    kind = hashlib.sha256(f"bench-kind-{n}".encode()).hexdigest()
    day = dt.date(2026, 9, 1) + dt.timedelta(days=n % 90)
    state = CasusState(
        kind=kind,
        pseudonymkid="pseudonym.v1",
        status=Status.OPEN,
        geopend=day,
        brin="12AB",
        betrokkenheden=(
            Betrokkenheid(
                partner=Partner.LEERPLICHT,
                domein=Domein.VERZUIM,
                contactrol=ContactRol.LEERPLICHTAMBTENAAR,
                sinds=day,
            ),
        ),
    )
    return kind.encode(), state.model_dump_json().encode()


async def _write_states(bootstrap: str, topic: str, count: int) -> None:
    await client.create_topics(bootstrap, [(topic, 12, {"cleanup.policy": "compact"})])
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        step = 10_000
        for first in range(0, count, step):
            outputs = [
                Output(topic=topic, key=k, value=v)
                for k, v in (_state(n) for n in range(first, min(count, first + step)))
            ]
            await asyncio.gather(*await send_batched(producer, outputs))
    finally:
        await producer.stop()


async def measure(bootstrap: str, results: Results) -> None:
    """Start-up of the commands, then import, scan and show at `command_records` records."""
    for name, command in STARTS.items():
        best = min(_wall(command) for _ in range(3))
        results.add(Figure(name, best * 1000, "ms", note=" ".join(command[2:]) or "bare python"))
        if name != "cli.start.python":
            results.relate(name, "cli.start.python", lower_is_better=True)
    count = results.sizes["command_records"]
    prefix = f"cmd-{uuid.uuid4().hex[:8]}."
    with tempfile.TemporaryDirectory(prefix="hub-bench-cmd-") as tmp:
        env = os.environ | {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "HUB_TOPIC_PREFIX": prefix,
            "HUB_KEY_DIR": str(Path(tmp) / "keys"),
            "HUB_STATE_DIR": str(Path(tmp) / "state"),
            "HUB_LOG_LEVEL": "warning",
        }
        hub = [sys.executable, "-m", "hub"]
        _wall([*hub, "keys", "init"], env)
        export = Path(tmp) / "verzuim.csv"
        export.write_bytes(workload.school_csv(count, max(1, count // 20)))
        seconds = _wall([*hub, "import", "school", "verzuim", str(export)], env)
        note = f"{count:,} rows onto the bus, start-up and connecting included ({seconds:.1f} s)"
        results.add(Figure("cmd.import", count / seconds, "records/s", note=note))
        scanned = [f"{prefix}contract.school.v1", f"{prefix}ingest.seen.v1"]
        args = [a for t in scanned for a in ("--topic", t)]
        seconds = _wall([*hub, "pii", "scan", *args], env)
        note = f"{2 * count:,} records (events and seen ids), start-up included ({seconds:.1f} s)"
        results.add(Figure("cmd.pii_scan", 2 * count / seconds, "records/s", note=note))
        topic = CasusTopics.with_prefix(prefix).state
        await _write_states(bootstrap, topic, count)
        seconds = _wall([*hub, "casus", "show", "--limit", "50"], env)
        note = f"{count:,} cases on the state topic, the oldest 50 shown"
        results.add(Figure("cmd.casus_show", seconds, "s", note=note))
        kind = _state(count // 2)[0].decode()[:10]
        seconds = _wall([*hub, "casus", "show", "--kind", kind], env)
        results.add(Figure("cmd.casus_show.kind", seconds, "s", note=f"one case of {count:,}"))
