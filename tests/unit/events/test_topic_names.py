"""No topic name is spelled outside the registry (hub/events/topics.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from hub.events.topics import adapter_state_topic, raw_topic, registry
from hub.events.vocab import Partner
from hub.settings import PROJECT_ROOT

REGISTRY_FILE = PROJECT_ROOT / "hub" / "events" / "topics.py"
PARTNERS = {p.value for p in Partner}
#: Stands for an interpolated value in an f-string.
HOLE = "*"


def shape(name: str) -> str:
    """A name with every partner segment replaced: `raw.school.v1` -> `raw.*.v1`."""
    return ".".join(HOLE if part in PARTNERS else part for part in name.split("."))


#: The shapes of every registered name; `view.{audience}.v1` has the shape `view.*.v1`.
SHAPES = {shape(name) for name in registry()}


def spelled(text: str) -> bool:
    """True when a string literal (f-string holes as `*`) is a registry topic name."""
    return any(shape(t) in SHAPES for t in (text, text.lstrip(HOLE)))


def literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant and every f-string (holes as `*`) with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else HOLE for v in node.values)
            found.append((node.lineno, text))
    return found


def offenders(root: Path) -> list[str]:
    """`path:line: 'name'` for every topic name spelled outside the registry."""
    result = []
    for path in sorted(root.rglob("*.py")):
        if path == REGISTRY_FILE:
            continue
        for line, text in literals(ast.parse(path.read_text(encoding="utf-8"))):
            if spelled(text):
                result.append(f"{path.relative_to(root).as_posix()}:{line}: {text!r}")
    return result


class TestTopicNames:
    def test_no_topic_name_is_spelled_outside_the_registry(self) -> None:
        assert offenders(PROJECT_ROOT / "hub") == []

    def test_the_scan_finds_literals_and_f_strings_but_not_event_types(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "bad.py").write_text(
            'A = "views.state.v1"\n'
            'B = f"{prefix}adapter.state.{partner}.v1"\n'
            'C = f"view.{audience}.v1"\n'
            'D = "casus.geopend.v1"\n'
            'E = "nl.onderwijsjeugd.casus.uit.v1"\n'
            '"""Docstrings may name casus.uit.v1 in a sentence."""\n',
            encoding="utf-8",
        )
        assert offenders(tmp_path) == [
            "bad.py:1: 'views.state.v1'",
            "bad.py:2: '*adapter.state.*.v1'",
            "bad.py:3: 'view.*.v1'",
        ]

    def test_the_adapter_state_topic_is_registered_like_the_raw_topic(self) -> None:
        for partner in ("school", "leerplicht"):
            state = registry()[adapter_state_topic(partner)]
            raw = registry()[raw_topic(partner)]
            assert state.partitions == raw.partitions
            assert state.config()["cleanup.policy"] == "compact"
            # The runner reads identities on the raw topic, so it runs as the partner, not the hub.
            assert state.writers == state.readers == raw.writers == (partner,)
