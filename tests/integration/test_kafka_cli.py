"""`hub kafka up | down | status` drive one real broker and tell the truth about it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.bus import client


def hub(*args: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the `hub` CLI in a subprocess, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def kafka_processes(properties: Path) -> list[int]:
    """Pids of broker processes started with this instance's server.properties."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kafka.Kafka" in cmdline and str(properties).encode() in cmdline:
            pids.append(int(proc.name))
    return pids


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment with its own state directory and free ports; the broker is stopped after."""
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env |= {"HUB_STATE_DIR": str(tmp_path), "HUB_KAFKA_PORT": "0", "HUB_KAFKA_CONTROLLER_PORT": "0"}
    yield env
    hub("kafka", "down", env=env)


async def produce_and_read(bootstrap: str, topic: str, value: bytes | None) -> list[bytes]:
    """Optionally write one record (acks=all) to `topic`, then read everything on it."""
    if value is not None:
        await client.create_topics(bootstrap, [(topic, 1, {})])
        producer = client.producer(bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=b"k")
        finally:
            await producer.stop()
    consumer = client.consumer(bootstrap, topic)
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000)
        return [r.value for records in batches.values() for r in records]
    finally:
        await consumer.stop()


class TestKafkaLifecycle:
    def test_up_twice_status_after_sigkill_and_down(
        self, cli_env: dict[str, str], tmp_path: Path
    ) -> None:
        first = hub("kafka", "up", env=cli_env)
        assert first.returncode == 0, first.stderr
        bootstrap = first.stdout.strip()
        assert "PLAINTEXT" in first.stderr  # says it is insecure
        properties = tmp_path / "kafka" / "server.properties"
        [pid] = kafka_processes(properties)

        second = hub("kafka", "up", env=cli_env)
        assert second.returncode == 0
        assert "already running" in second.stderr
        assert second.stdout.strip() == bootstrap
        assert kafka_processes(properties) == [pid]

        running = hub("kafka", "status", env=cli_env)
        assert running.returncode == 0
        assert f"running at {bootstrap}" in running.stderr

        assert asyncio.run(produce_and_read(bootstrap, "cli.durable", b"vastgelegd")) == [
            b"vastgelegd"
        ]
        os.kill(pid, signal.SIGKILL)
        killed = hub("kafka", "status", env=cli_env)
        assert killed.returncode == 1
        assert "gone" in killed.stderr

        again = hub("kafka", "up", env=cli_env)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == bootstrap  # ports are kept with the data
        assert asyncio.run(produce_and_read(bootstrap, "cli.durable", None)) == [b"vastgelegd"]

        down = hub("kafka", "down", env=cli_env)
        assert down.returncode == 0
        assert kafka_processes(properties) == []
        stopped = hub("kafka", "status", env=cli_env)
        assert stopped.returncode == 1
        assert "stopped" in stopped.stderr


class TestOperatorErrors:
    """Bad set-up gives one line that says what to do, never a stack trace."""

    @staticmethod
    def assert_one_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        for needle in needles:
            assert needle in lines[0]

    def test_malformed_bootstrap(self, cli_env: dict[str, str]) -> None:
        result = hub("demo", env=cli_env | {"KAFKA_BOOTSTRAP_SERVERS": "kafka-zonder-poort"})
        self.assert_one_line(result, "KAFKA_BOOTSTRAP_SERVERS", "host:port")

    def test_bootstrap_where_no_broker_answers(self, cli_env: dict[str, str]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        result = hub("demo", env=cli_env | {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}"})
        self.assert_one_line(result, "no Kafka broker answers", "KAFKA_BOOTSTRAP_SERVERS")

    def test_missing_java(self, cli_env: dict[str, str]) -> None:
        env = cli_env | {"PATH": os.path.dirname(sys.executable)}
        env.pop("JAVA_HOME", None)
        self.assert_one_line(hub("kafka", "up", env=env), "Java not found", "JAVA_HOME")

    def test_port_in_use(self, cli_env: dict[str, str]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            port = sock.getsockname()[1]
            result = hub("kafka", "up", env=cli_env | {"HUB_KAFKA_PORT": str(port)})
        self.assert_one_line(result, f"port {port} is in use", "HUB_KAFKA_PORT")
