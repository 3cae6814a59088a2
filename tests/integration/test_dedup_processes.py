"""Dedup across ingest processes on the real broker: `hub import` next to a running hub."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.bus.scan import read_to_end
from hub.privacy.keyring import init_keyring, load_keyring
from hub.settings import HubSettings
from hub.views.policy import key_audiences, load_policy
from hub.web.ingest import IngestOptions, ingest_service
from tests.data.school import csv_bytes, rows

pytestmark = pytest.mark.integration


def hub_import(env: dict[str, str], path: Path) -> tuple[int, dict[str, int]]:
    """Run `hub import school verzuim PATH` as its own process; its exit code and counts."""
    result = subprocess.run(
        [sys.executable, "-m", "hub", "import", "school", "verzuim", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = result.stdout + result.stderr
    counts = {
        name: int(m.group(1))
        for name in ("accepted", "duplicates", "rejected")
        if (m := re.search(rf"│ {name}\s+│ (\d+)", out))
    }
    assert counts.keys() == {"accepted", "duplicates", "rejected"}, out
    return result.returncode, counts


async def test_a_running_hub_and_two_import_processes_publish_each_row_once(
    bootstrap: str, unique: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    init_keyring(keys, key_audiences(load_policy()))
    prefix = f"dd{unique}."
    settings = HubSettings(
        kafka_bootstrap_servers=bootstrap,
        key_dir=keys,
        state_dir=tmp_path / "state",
        topic_prefix=prefix,
    )
    env = os.environ | {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "HUB_KEY_DIR": str(keys),
        "HUB_STATE_DIR": str(tmp_path / "state"),
        "HUB_TOPIC_PREFIX": prefix,
    }
    body = list(rows(60))
    first, more = tmp_path / "week1.csv", tmp_path / "week1-2.csv"
    first.write_bytes(csv_bytes(body[:40]))
    more.write_bytes(csv_bytes(body))
    ring = load_keyring(settings)
    # The running hub's ingest side (what `hub run` and `hub serve` hold), started first.
    running = ingest_service(
        settings, ring=ring, options=IngestOptions(transactional_id=f"{prefix}running")
    )
    async with running as hub:
        # Process 2 imports the file while the hub runs.
        code, counts = await asyncio.to_thread(hub_import, env, first)
        assert (code, counts) == (0, {"accepted": 40, "duplicates": 0, "rejected": 0})
        # The same file posted to the running hub: all duplicates, nothing republished.
        report = await hub.ingest("school", "verzuim", first.read_bytes(), "text/csv")
        assert (len(report.accepted), len(report.duplicates)) == (0, 40)
        # The hub takes 20 new rows; process 3 imports the whole file: nothing new.
        report = await hub.ingest("school", "verzuim", more.read_bytes(), "text/csv")
        assert (len(report.accepted), len(report.duplicates)) == (20, 40)
        code, counts = await asyncio.to_thread(hub_import, env, more)
        assert (code, counts) == (0, {"accepted": 0, "duplicates": 60, "rejected": 0})
        # A correction of row 3 through another process is refused as a conflict, visibly.
        changed = [list(r) for r in body]
        changed[2][8] = "3,5"
        more.write_bytes(csv_bytes(changed))
        code, counts = await asyncio.to_thread(hub_import, env, more)
        assert (code, counts) == (3, {"accepted": 0, "duplicates": 59, "rejected": 1})
        report = await hub.ingest("school", "verzuim", more.read_bytes(), "text/csv")
        assert [(r.record, r.reason) for r in report.rejected] == [(3, "conflicting_duplicate")]
    # A restarted hub knows them all too.
    async with ingest_service(settings, ring=ring) as restarted:
        report = await restarted.ingest("school", "verzuim", csv_bytes(body), "text/csv")
        assert (len(report.accepted), len(report.duplicates)) == (0, 60)
    events = [r async for r in read_to_end(bootstrap, [f"{prefix}contract.school.v1"], timeout=60)]
    assert len(events) == 60
    assert len({r.headers for r in events}) == 60  # 60 distinct events, each once
