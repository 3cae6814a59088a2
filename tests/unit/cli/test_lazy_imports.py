"""Every command starts fast: `--help` never imports the Kafka client, the web stack or crypto."""

from __future__ import annotations

import json
import subprocess
import sys

#: Modules that cost a command's start-up seconds and that only some commands need.
HEAVY = (
    "aiokafka",
    "confluent_kafka",
    "fastapi",
    "starlette",
    "uvicorn",
    "cryptography",
    "prometheus_client",
    "yaml",
    "hub.events.envelope",
    "hub.bus.client",
)

#: Runs every command's `--help` in one fresh interpreter; after each, names the heavy modules
#: loaded so far (one process keeps the test quick; a command that loads one shows first).
PROBE = """
import json, sys
from hub.cli import app
heavy = json.loads(sys.argv[2])
for command in json.loads(sys.argv[1]):
    try:
        app([*command, "--help"], prog_name="hub")
    except SystemExit:
        pass
    print(json.dumps([command, sorted(m for m in heavy if m in sys.modules)]))
"""

COMMANDS = [
    [],
    ["kafka", "up"],
    ["kafka", "down"],
    ["certs", "init"],
    ["casus", "run"],
    ["casus", "show"],
    ["views", "run"],
    ["import"],
    ["serve"],
    ["run"],
    ["indicators"],
    ["pii", "scan"],
    ["acl", "show"],
    ["deploy", "strimzi"],
    ["contracts", "validate"],
    ["adapters", "token"],
    ["policy", "show"],
    ["keys", "init"],
    ["inzage"],
    ["demo"],
]


def test_help_imports_no_heavy_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(COMMANDS), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("[[")]
    assert [command for command, _ in loaded] == COMMANDS
    assert [(command, heavy) for command, heavy in loaded if heavy] == []


def test_the_cli_defaults_match_the_modules_they_stand_for() -> None:
    from hub.casus.runner import APP_ID
    from hub.cli import casus, indicators
    from hub.views.indicators import MIN_CELL

    assert casus.DEFAULT_GROUP == APP_ID
    assert indicators.MIN_CELL == MIN_CELL


def test_hub_help_reads_no_settings_and_sets_up_no_logging() -> None:
    lighter = ("hub.settings", "pydantic_settings", "structlog", "pydantic")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([[]]), json.dumps(lighter)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == json.dumps([[], []])
