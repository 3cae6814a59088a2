"""`hub run` refuses to start without keys, in one line, and serves the loket with them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hub.privacy.keyring import init_keyring
from hub.runtime import Hub, HubOptions
from hub.settings import HubSettings


class TestHubRun:
    def test_no_keys_no_hub(self, bootstrap: str, tmp_path: Path) -> None:
        env = os.environ | {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "HUB_KEY_DIR": str(tmp_path / "geen-sleutels"),
            "HUB_STATE_DIR": str(tmp_path),
        }
        result = subprocess.run(
            [sys.executable, "-m", "hub", "run", "--no-http"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert "key" in lines[0]
        assert "Traceback" not in result.stderr

    async def test_the_hub_serves_health_and_the_loket(
        self, bootstrap: str, unique: str, tmp_path: Path
    ) -> None:
        init_keyring(tmp_path / "keys")
        settings = HubSettings(
            kafka_bootstrap_servers=bootstrap,
            key_dir=tmp_path / "keys",
            state_dir=tmp_path / "state",
            topic_prefix=f"r{unique}.",
        )
        async with Hub(settings, HubOptions(port=0, tick_interval=0)) as hub:
            assert hub.url is not None
            async with httpx.AsyncClient(base_url=hub.url) as http:
                assert (await http.get("/healthz")).status_code == 200
                assert (await http.get("/readyz")).json() == {"ready": True}
                page = await http.get("/loket")
                assert page.status_code == 401  # no session, no loket
                assert "Inloggen" in page.text
                refused = await http.post("/ingest/school/verzuim", content=b"x")
                assert refused.status_code == 401


class TestTakenHttpPort:
    """Every start-up failure exits non-zero with one line, also a port someone else holds."""

    @pytest.mark.parametrize("command", [["run"], ["serve"]], ids=["run", "serve"])
    def test_a_taken_port_exits_in_one_line(
        self, command: list[str], bootstrap: str, unique: str, tmp_path: Path
    ) -> None:
        init_keyring(tmp_path / "keys")
        with socket.socket() as holder:
            holder.bind(("127.0.0.1", 0))
            holder.listen()
            port = holder.getsockname()[1]
            env = os.environ | {
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "HUB_KEY_DIR": str(tmp_path / "keys"),
                "HUB_STATE_DIR": str(tmp_path / "state"),
                "HUB_TOPIC_PREFIX": f"p{unique}.",
                "HUB_HTTP_HOST": "127.0.0.1",
                "HUB_HTTP_PORT": str(port),
            }
            result = subprocess.run(
                [sys.executable, "-m", "hub", *command],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        assert result.returncode != 0
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert f"HTTP port {port}" in lines[0]
        assert "HUB_HTTP_PORT" in lines[0]


class TestRegionGroups:
    """Two regions on one cluster are two consumer groups: the prefix goes in front."""

    def test_casus_run_prefixes_its_group_like_hub_run(self, bootstrap: str, unique: str) -> None:
        prefix = f"g{unique}."
        env = os.environ | {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "HUB_TOPIC_PREFIX": prefix,
            "PYTHONUNBUFFERED": "1",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "hub", "casus", "run", "--tick-interval", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        lines: list[str] = []
        try:
            for line in process.stdout:
                lines.append(line.strip())
                if line.startswith("casus: ready"):
                    break
        finally:
            process.terminate()
            process.wait(timeout=60)
        assert f"casus: group {prefix}hub-casus" in lines, lines
