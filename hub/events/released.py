"""Released contract versions: immutable schema snapshots that later code must keep accepting."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hub.events.compat import incompatibilities
from hub.events.export import CONTRACTS_DIR, data_schema, dumps_json
from hub.events.registry import event_types

_MAJOR = re.compile(r"\.(v[1-9][0-9]*)$")


def released_dir(root: Path = CONTRACTS_DIR) -> Path:
    """Where the released snapshots live: `released/<major>/<type>.json`."""
    return root / "released"


def release(root: Path = CONTRACTS_DIR) -> list[str]:
    """Snapshot the schema of every type not released yet; never touch an existing snapshot."""
    added = []
    for event_type in event_types():
        major = _MAJOR.search(event_type)
        assert major is not None  # the EventType pattern guarantees a major suffix
        path = released_dir(root) / major.group(1) / f"{event_type}.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(dumps_json(data_schema(event_type)))
            added.append(path.relative_to(root).as_posix())
    return added


def compatibility_problems(root: Path = CONTRACTS_DIR) -> list[str]:
    """Every released type that is gone or whose current schema rejects released-valid data."""
    current = set(event_types())
    problems = []
    for path in sorted(released_dir(root).glob("v*/*.json")):
        event_type = path.name.removesuffix(".json")
        if event_type not in current:
            problems.append(f"{event_type}: released but no longer in the code")
            continue
        old = json.loads(path.read_text(encoding="utf-8"))
        for problem in incompatibilities(old, data_schema(event_type)):
            problems.append(f"{event_type}: data.{problem}")
    return problems
