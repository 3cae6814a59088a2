"""`hub pii scan` on a real broker: a planted BSN is found (exit 1), a clean topic passes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from hub.bus import client
from tests.pii import PLANTED_PREFIX, assert_no_pii, pii_findings

BSN = "232262536"


async def _put(
    bootstrap: str,
    topic: str,
    records: list[tuple[bytes | None, dict[str, object]]],
    headers: list[tuple[str, bytes]] | None = None,
) -> None:
    await client.create_topics(bootstrap, [(topic, 2, {})])
    producer = client.producer(bootstrap)
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(
                topic,
                json.dumps(value).encode(),
                key=key,
                headers=headers or [("ce_type", b"test")],
            )
    finally:
        await producer.stop()


async def _hub_pii_scan(bootstrap: str, *topics: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "hub", "pii", "scan"]
    for topic in topics:
        args += ["--topic", topic]
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    return await asyncio.to_thread(
        subprocess.run, args, capture_output=True, text=True, env=env, timeout=120, check=False
    )


class TestPiiScan:
    async def test_planted_bsn_is_found(self, bootstrap: str, planted_topic: str) -> None:
        planted = planted_topic
        await _put(
            bootstrap,
            planted,
            [(b"k1", {"uren": 3}), (b"k2", {"opmerking": f"leerling {BSN} afwezig"})],
        )
        result = await _hub_pii_scan(bootstrap, planted)
        assert result.returncode == 1, result.stderr
        assert f"{planted}[" in result.stdout
        assert "bsn at value.opmerking" in result.stdout
        assert BSN not in result.stdout + result.stderr
        assert len(await pii_findings(bootstrap, [planted])) == 1

    async def test_whole_cluster_scan_sees_planted_topics(
        self, bootstrap: str, unique: str
    ) -> None:
        planted = f"{PLANTED_PREFIX}all.{unique}"
        await _put(bootstrap, planted, [(BSN.encode(), {"ok": True})])
        result = await _hub_pii_scan(bootstrap)
        assert result.returncode == 1
        assert f"{planted}[" in result.stdout
        assert "bsn at key" in result.stdout

    async def test_header_value_is_scanned(self, bootstrap: str, planted_topic: str) -> None:
        await _put(bootstrap, planted_topic, [(b"k", {"ok": 1})], [("ce_subject", BSN.encode())])
        found = await pii_findings(bootstrap, [planted_topic])
        assert [(f.rule, f.path, f.offset) for f in found] == [("bsn", "header:ce_subject", 0)]

    async def test_clean_topic_passes(self, bootstrap: str, unique: str) -> None:
        clean = f"test.pii-clean.{unique}"
        await _put(bootstrap, clean, [(b"ab" * 32, {"uren": 3, "geboortejaar": 2015})])
        result = await _hub_pii_scan(bootstrap, clean)
        assert result.returncode == 0, result.stdout
        assert "0 finding(s)" in result.stderr
        await assert_no_pii(bootstrap, [clean])

    async def test_assert_no_pii_fails_with_locations_only(
        self, bootstrap: str, unique: str
    ) -> None:
        planted = f"{PLANTED_PREFIX}helper.{unique}"
        await _put(bootstrap, planted, [(None, {"leerling": {"naam": "Test Kind"}})])
        with pytest.raises(AssertionError, match=r"pii-key at value\.leerling\.naam") as info:
            await assert_no_pii(bootstrap, [planted])
        assert "Test Kind" not in str(info.value)
