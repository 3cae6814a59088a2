"""`hub contracts validate | check`: per-event messages a partner developer understands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hub.cli import app
from hub.events.export import example_event
from hub.events.school import VERZUIM_GEREGISTREERD, ZIEKMELDING_GEDAAN

runner = CliRunner()


def _wire(event_type: str = VERZUIM_GEREGISTREERD) -> dict[str, Any]:
    return example_event(event_type).model_dump(mode="json")


class TestValidate:
    def test_valid_single_event(self, tmp_path: Path) -> None:
        file = tmp_path / "one.json"
        file.write_text(json.dumps(_wire()))
        result = runner.invoke(app, ["contracts", "validate", str(file)])
        assert result.exit_code == 0, result.output
        assert result.stdout == f"event 1: ok ({VERZUIM_GEREGISTREERD})\n"

    def test_json_lines_with_errors(self, tmp_path: Path) -> None:
        bad_hours = _wire()
        bad_hours["data"]["lesuren"] = -2
        bsn = _wire(ZIEKMELDING_GEDAAN) | {"source": "/partners/school/123456782/las"}
        unknown = _wire() | {"type": "nl.onderwijsjeugd.school.fantasie.v1"}
        lines = [_wire(), bad_hours, bsn, unknown]
        file = tmp_path / "events.jsonl"
        file.write_text("\n".join(json.dumps(x) for x in lines) + "\n{kapot\n")
        result = runner.invoke(app, ["contracts", "validate", str(file)])
        assert result.exit_code == 1
        out = result.stdout.splitlines()
        assert out[0] == f"event 1: ok ({VERZUIM_GEREGISTREERD})"
        assert out[1] == "event 2: data.lesuren: must be at least 0 (got -2)"
        assert out[2].startswith("event 3: source: contains a number that looks like a BSN")
        assert out[3].startswith("event 4: type: unknown event type")
        assert out[4].startswith("event 5: not valid JSON")
        assert "123456782" not in result.output

    def test_array_and_missing_field(self, tmp_path: Path) -> None:
        event = _wire()
        del event["data"]["datum"]
        del event["subject"]
        file = tmp_path / "array.json"
        file.write_text(json.dumps([event]))
        result = runner.invoke(app, ["contracts", "validate", str(file)])
        assert result.exit_code == 1
        assert "event 1: subject: is required but missing" in result.stdout
        assert "event 1: data.datum: is required but missing" in result.stdout

    def test_empty_file_is_invalid(self, tmp_path: Path) -> None:
        file = tmp_path / "empty.jsonl"
        file.write_text("\n")
        assert runner.invoke(app, ["contracts", "validate", str(file)]).exit_code == 1


class TestCheck:
    def test_check_passes_on_committed_contracts(self) -> None:
        result = runner.invoke(app, ["contracts", "check"])
        assert result.exit_code == 0, result.output
        assert "no drift" in result.stdout
