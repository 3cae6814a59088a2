"""`hub adapters run school` as a process: one raw record in, its event out, SIGTERM stops it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

from hub.adapters.runner import FEED_HEADER
from hub.bus import client, cloudevents
from hub.bus.scan import read_to_end
from hub.events.school import ZIEKMELDING_GEDAAN
from hub.events.topics import DLQ, contract_topic, raw_topic, topic
from hub.privacy.keyring import init_keyring, load_keyring
from hub.privacy.pseudonyms import pseudonymise_raw
from hub.settings import HubSettings
from hub.views.policy import key_audiences, load_policy
from tests.pii import PLANTED_PREFIX, assert_no_pii

BSN = "123456782"


async def _line(stream: asyncio.StreamReader, wanted: str, seconds: float) -> str:
    """The first line of `stream` containing `wanted`, within `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(f"the process ended before printing {wanted!r}")
            if wanted in line:
                return line


async def _records(bootstrap: str, name: str, expected: int, seconds: float) -> list[object]:
    """The committed records of `name` once there are `expected`, within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = [r async for r in read_to_end(bootstrap, [name], timeout=30)]
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


class TestAdaptersRun:
    async def test_one_raw_record_becomes_an_event_and_sigterm_stops_it(
        self, bootstrap: str, unique: str, tmp_path: Path
    ) -> None:
        # Every topic of this process holds at most a planted identity (the raw record), so it
        # lives under the prefix the session-end scan skips; its outputs are scanned below.
        prefix = f"{PLANTED_PREFIX}{unique}."
        keys = tmp_path / "keys"
        init_keyring(keys, key_audiences(load_policy()))
        raw = topic(raw_topic("school"))
        await client.create_topics(bootstrap, [(prefix + raw.name, raw.partitions, raw.config())])
        env = os.environ | {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "HUB_KEY_DIR": str(keys),
            "HUB_STATE_DIR": str(tmp_path / "state"),
            "HUB_TOPIC_PREFIX": prefix,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub",
            "adapters",
            "run",
            "school",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        try:
            await _line(process.stderr, "adapters school: running", 120)
            producer = client.producer(bootstrap)
            await producer.start()
            try:
                record = {
                    "record_id": "Z-1",
                    "bsn": BSN,
                    "ziek_vanaf": "16-11-2026",
                    "brin": "12AB",
                }
                await producer.send_and_wait(
                    prefix + raw.name,
                    json.dumps(record).encode(),
                    key=b"Z-1",
                    headers=[(FEED_HEADER, b"ziekmelding")],
                )
            finally:
                await producer.stop()
            contract = await _records(bootstrap, prefix + contract_topic("school"), 1, 60)
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            stopped = await _line(process.stderr, "adapters school: stopped", 15)
            async with asyncio.timeout(15):
                code = await process.wait()
            seconds = time.monotonic() - started
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        print(f"\nhub adapters run school: exit {code} {seconds:.1f} s after SIGTERM")
        assert code == 0
        assert seconds < 10, f"took {seconds:.1f} s to stop"
        assert "1 records processed" in stopped
        assert len(contract) == 1
        event = cloudevents.decode_record(contract[0])
        assert event.type == ZIEKMELDING_GEDAAN
        ring = load_keyring(HubSettings(key_dir=keys))
        assert event.subject == pseudonymise_raw("bsn", BSN, ring).value
        await assert_no_pii(bootstrap, [prefix + contract_topic("school"), prefix + DLQ])
