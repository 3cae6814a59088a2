"""The benchmark runs end to end at tiny sizes (it asserts figures exist, never how fast)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: One figure of every measurement: each module must keep producing its figures.
EXPECTED = {
    "micro.cloudevents.decode",
    "micro.casus.transition",
    "micro.views.handler",
    "hub.privacy.share",
    "raw.passthrough",
    "raw.latency.p99",
    "raw.latency.transactional2.p99",
    "hub.ingest",
    "hub.fullpath",
    "hub.latency.p99",
    "hub.replicas.fullpath",
    "hub.replicas.latency.p99",
    "replay.restore",
    "replay.reprocess",
    "flood.other.flooded.p95",
    "flood.healthz.flooded.p95",
    "cli.start.help",
    "cmd.import",
    "cmd.pii_scan",
    "cmd.casus_show",
}


class TestBenchSmoke:
    def test_smoke_run_produces_figures(self, bootstrap: str) -> None:
        root = Path(__file__).resolve().parents[2]
        result = subprocess.run(
            [sys.executable, "-m", "bench", "--smoke"],
            cwd=root,
            env=os.environ | {"KAFKA_BOOTSTRAP_SERVERS": bootstrap},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        figures = json.loads((root / "bench" / "results" / "smoke.json").read_text())["figures"]
        names = {f["name"] for f in figures}
        assert names >= EXPECTED, sorted(EXPECTED - names)
        unmeasured = [f"{f['name']}: {f['note']}" for f in figures if f["value"] <= 0]
        assert not unmeasured
