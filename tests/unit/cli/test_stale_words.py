"""What the commands say matches what they do (issue 16, point 11)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from hub.cli import app
from hub.cli.deploy import STRIMZI_DIR
from hub.settings import PROJECT_ROOT

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


def test_contracts_validate_reads_stdin() -> None:
    from hub.events.export import example_event
    from hub.events.school import VERZUIM_GEREGISTREERD

    event = example_event(VERZUIM_GEREGISTREERD).model_dump(mode="json")
    result = runner.invoke(app, ["contracts", "validate", "-"], input=json.dumps(event))
    assert result.exit_code == 0, result.output
    assert "event 1: ok" in result.output


def test_adapters_docs_says_so_when_up_to_date() -> None:
    result = runner.invoke(app, ["adapters", "docs"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


class TestDocs:
    def test_deploy_does_not_say_the_hub_fails_on_a_secured_bus(self) -> None:
        text = " ".join((PROJECT_ROOT / "docs" / "deploy.md").read_text().split())
        assert "does not **start**" not in text
        assert "TestHubOnTheSecuredBus" in text
        proof = PROJECT_ROOT / "tests" / "integration" / "test_security_hub.py"
        assert "class TestHubOnTheSecuredBus" in proof.read_text()

    def test_views_says_what_keys_init_creates(self, tmp_path: Path) -> None:
        from hub.privacy.keyring import init_keyring

        kids = init_keyring(tmp_path / "keys")
        assert any(k.startswith("audience-schoolbestuur") for k in kids), kids
        text = " ".join((PROJECT_ROOT / "docs" / "views.md").read_text().split())
        assert "`hub keys init` does not create" not in text


def test_the_loket_fits_80_columns_without_wrapping_a_fact() -> None:
    from hub.casus.loket import render_loket
    from tests.unit.casus.helpers import run
    from tests.unit.casus.test_transition import gestart, thuiszitter

    state, _ = run(
        [
            gestart("leerplicht", "verzuim", "leerplichtambtenaar", "2026-10-16"),
            gestart("jgz", "gezondheid", "jeugdarts", "2026-10-20"),
            thuiszitter("2026-10-15"),
        ]
    )
    assert state is not None
    out = io.StringIO()
    screen = Console(file=out, width=80)
    screen.print(render_loket([state], dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), screen.width))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    for fact in (
        "leerplicht (leerplichtambtenaar, verzuim, sinds 2026-10-15)",
        "jgz (jeugdarts, gezondheid, sinds 2026-10-20)",
        "open sinds 2026-10-16",
    ):
        assert any(fact in line for line in lines), (fact, out.getvalue())
