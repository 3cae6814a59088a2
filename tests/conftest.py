"""Shared fixtures: a real Kafka broker for integration tests, never a mock."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hub.ops.launcher import LauncherError, LocalKafka, answers_metadata
from hub.settings import HubSettings


@dataclass(frozen=True)
class Broker:
    """A broker the tests may use: its bootstrap address and, when we run it, its launcher."""

    bootstrap: str
    local: LocalKafka | None
    how: str


def _docker_answers() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    result = subprocess.run(
        [docker, "info", "--format", "{{.ServerVersion}}"],
        capture_output=True,
        check=False,
        timeout=10,
    )
    return result.returncode == 0


def start_local_broker(directory: Path) -> LocalKafka:
    """Start a broker of our own on free ports in `directory` (fails the test with a reason)."""
    local = LocalKafka.ephemeral(directory, HubSettings(), heap="768m")
    local.up(timeout=120)
    return local


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """KAFKA_BOOTSTRAP_SERVERS when set; else our local launcher; else testcontainers."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        if not answers_metadata(given, timeout=10):
            pytest.fail(f"KAFKA_BOOTSTRAP_SERVERS={given} does not answer a metadata request")
        yield Broker(given, None, "KAFKA_BOOTSTRAP_SERVERS")
        return
    reasons: list[str] = []
    try:
        local = start_local_broker(tmp_path_factory.mktemp("kafka"))
    except LauncherError as exc:
        reasons.append(f"local launcher: {exc}")
    else:
        instance = local.instance()
        assert instance is not None
        try:
            yield Broker(instance.bootstrap, local, "local launcher")
        finally:
            local.down()
        return
    if _docker_answers():
        from testcontainers.kafka import KafkaContainer  # lazy: it fails to import without Docker

        with KafkaContainer() as container:
            yield Broker(container.get_bootstrap_server(), None, "testcontainers")
        return
    reasons.append("testcontainers: no Docker engine answers")
    pytest.fail("no Kafka broker for the integration tests: " + "; ".join(reasons))


@pytest.fixture
def bootstrap(kafka_broker: Broker) -> str:
    """The bootstrap address of the session's broker."""
    return kafka_broker.bootstrap


@pytest.fixture
def unique() -> str:
    """A short unique suffix, so tests on one broker never share topics or groups."""
    return uuid.uuid4().hex[:10]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/integration is marked `integration`."""
    for item in items:
        if "integration" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.integration)
