"""What the commands say matches what they do (issue 16, point 11)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.cli.deploy import STRIMZI_DIR

runner = CliRunner()


class TestOneStrimziCommand:
    def test_acl_has_no_strimzi_duplicate(self) -> None:
        result = runner.invoke(app, ["acl", "strimzi", "--help"])
        assert result.exit_code != 0
        assert "No such command" in result.output

    def test_deploy_strimzi_check_says_so_on_success(self) -> None:
        result = runner.invoke(app, ["deploy", "strimzi", "--check", "--out", str(STRIMZI_DIR)])
        assert result.exit_code == 0, result.output
        assert "match" in result.output

    def test_deploy_strimzi_check_names_the_drift(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["deploy", "strimzi", "--check", "--out", str(tmp_path)])
        assert result.exit_code == 1
        assert "hub deploy strimzi" in result.output


def test_secure_help_names_the_real_variable() -> None:
    result = runner.invoke(app, ["kafka", "up", "--help"], env={"COLUMNS": "200"})
    assert "HUB_KAFKA_SECURITY_PROTOCOL=SASL_SSL" in result.output
