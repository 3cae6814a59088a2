"""`hub kafka up` after a crash: it waits while the broker's log shows recovery, and says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub.ops.launcher import LauncherError, LocalKafka, free_port
from hub.settings import HubSettings

#: Stands in for a broker that recovers its logs: it never answers, it writes progress lines
#: for a while, then goes silent (as a recovery that hangs would).
RECOVERING = """
import sys, time
log = open(sys.argv[1], "a", buffering=1)
for n in range(1, 9):
    log.write(f"[2026-12-02 10:00:0{n},000] INFO [LogLoader partition=t-{n}, dir=/d] "
              f"Recovering unflushed segment 0. {n}/8 recovered for t-{n}. (UnifiedLog)\\n")
    time.sleep(0.4)
time.sleep(600)
"""


@pytest.fixture
def recovering(tmp_path: Path) -> tuple[LocalKafka, subprocess.Popen[bytes]]:
    local = LocalKafka.ephemeral(tmp_path / "kafka", HubSettings(), heap="256m")
    local.log_dir.mkdir(parents=True)
    log = local.log_dir / "server.log"
    log.write_text("[2026-12-02 09:59:59,000] INFO starting (kafka.Kafka)\n")
    process = subprocess.Popen([sys.executable, "-c", RECOVERING, str(log)])
    yield local, process
    process.kill()
    process.wait()


def test_up_waits_past_its_timeout_while_recovery_progresses(
    recovering: tuple[LocalKafka, subprocess.Popen[bytes]],
) -> None:
    local, process = recovering
    told: list[str] = []
    with pytest.raises(LauncherError) as failed:
        local.wait_until_answering(
            process.pid,
            f"127.0.0.1:{free_port()}",
            timeout=0.5,
            process=process,
            progress=told.append,
            stall=3.0,
        )
    # It kept waiting past its 0.5 s timeout while lines came (8 over about 3 s) ...
    assert "8/8 recovered" in (local.log_dir / "server.log").read_text()
    # ... told the operator why ...
    assert told
    assert "recovering its logs" in told[0]
    assert "Recovering unflushed segment" in told[0]
    # ... and gave up only once the recovery went silent.
    assert "no recovery progress" in str(failed.value)


def test_a_silent_broker_still_times_out(tmp_path: Path) -> None:
    local = LocalKafka.ephemeral(tmp_path / "kafka", HubSettings(), heap="256m")
    local.log_dir.mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        with pytest.raises(LauncherError, match="did not answer within"):
            local.wait_until_answering(
                process.pid, f"127.0.0.1:{free_port()}", timeout=0.5, process=process
            )
    finally:
        process.kill()
        process.wait()
