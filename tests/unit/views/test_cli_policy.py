"""`hub policy show` and `hub policy check` as an operator sees them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.views.policy import DEFAULT_POLICY_PATH, load_policy

runner = CliRunner()


class TestPolicyCli:
    def test_show_prints_the_matrix_with_version_and_hash(self) -> None:
        result = runner.invoke(app, ["policy", "show"])
        assert result.exit_code == 0, result.output
        policy = load_policy()
        assert policy.version in result.output
        assert policy.sha256[:16] in result.output
        assert "school.zorgsignaal.afgegeven.v1" in result.output
        assert "Leerplichtwet" in result.output

    def test_check_accepts_the_default(self) -> None:
        result = runner.invoke(app, ["policy", "check", str(DEFAULT_POLICY_PATH)])
        assert result.exit_code == 0
        assert "valid; version 2026.12-1" in result.output

    def test_check_lists_every_problem_and_fails(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.yaml"
        text = DEFAULT_POLICY_PATH.read_text()
        text = text.replace("fields: [melding_id, status, datum]", "fields: [melding_id, naam]")
        text = text.replace("  gemeente:\n", "  politie:\n")
        bad.write_text(text)
        result = runner.invoke(app, ["policy", "check", str(bad)])
        assert result.exit_code == 1
        assert "unknown field 'naam'" in result.output
        assert "audiences.politie: unknown audience" in result.output
