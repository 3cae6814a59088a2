"""`hub indicators` refuses a bad as-of date in one line, before it touches the bus."""

from __future__ import annotations

from typer.testing import CliRunner

from hub.cli import app


def test_a_bad_peildatum_is_one_line_without_traceback() -> None:
    result = CliRunner().invoke(app, ["indicators", "--peildatum", "2026-13-01"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "--peildatum '2026-13-01' is not a date" in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)
