"""`hub deploy compose-secrets` makes what the secured compose file mounts, and keeps it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app
from hub.ops.acl import bus_users


class TestComposeSecrets:
    def test_certificates_and_a_private_password_per_user(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(app, ["deploy", "compose-secrets", "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "tls" / "ca.pem").exists()
        assert (tmp_path / "tls" / "broker.pem").stat().st_mode & 0o077 == 0
        users = bus_users()
        assert {"hub", "hub-ingest", "schoolbestuur-41234", "schoolbestuur-52345"} <= set(users)
        for user in users:
            password = tmp_path / "users" / f"{user}.password"
            assert password.stat().st_mode & 0o077 == 0
            assert len(password.read_text().strip()) >= 40

    def test_a_second_run_keeps_what_exists(self, tmp_path: Path) -> None:
        runner = CliRunner()
        runner.invoke(app, ["deploy", "compose-secrets", "--dir", str(tmp_path)])
        before = (tmp_path / "users" / "hub.password").read_text()
        ca = (tmp_path / "tls" / "ca.pem").read_bytes()
        runner.invoke(app, ["deploy", "compose-secrets", "--dir", str(tmp_path)])
        assert (tmp_path / "users" / "hub.password").read_text() == before
        assert (tmp_path / "tls" / "ca.pem").read_bytes() == ca
