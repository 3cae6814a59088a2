"""`hub demo` shows the whole hub working on a real broker: ingest, casus, views, audit, no PII."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from hub.demo import run_demo
from hub.settings import HubSettings


class TestDemo:
    async def test_the_demo_shows_every_part(
        self, bootstrap: str, unique: str, tmp_path: Path
    ) -> None:
        settings = HubSettings(
            kafka_bootstrap_servers=bootstrap,
            key_dir=tmp_path / "keys",
            state_dir=tmp_path / "state",
            topic_prefix=f"t{unique}.",
        )
        console = Console(record=True, width=250)
        result = await run_demo(settings, console)
        assert result.ok
        school_csv = result.posts[0]
        assert school_csv.status == 207
        assert school_csv.report is not None
        assert len(school_csv.report.accepted) == 7
        assert {r.reason for r in school_csv.report.rejected} == {"invalid_bsn", "invalid_date"}
        assert all(p.status == 202 for p in result.posts[1:])
        assert result.repost is not None
        assert result.repost.report is not None
        assert len(result.repost.report.duplicates) == 7
        assert result.cases == 3
        assert result.dead_letters == {"invalid_bsn": 1, "invalid_date": 1}
        leerplicht = result.views["leerplicht"]
        assert leerplicht["casus.verzuimdrempel.overschreden"] == 1
        assert leerplicht["casus.thuiszitter_termijn.waarschuwing"] == 1
        assert result.views["jgz"]["casus.zorgwekkend_ziekteverzuim.gesignaleerd"] >= 1
        # One view per school board: 12AB's board gets kind A's verzuimdrempel and kind C, the
        # board of 34CD only kind C (its sick reports: M@ZL), each under its own pseudonyms.
        board_a, board_b = result.views["schoolbestuur:41234"], result.views["schoolbestuur:52345"]
        assert board_a["casus.verzuimdrempel.overschreden"] == 1
        assert "casus.verzuimdrempel.overschreden" not in board_b
        assert board_b["casus.zorgwekkend_ziekteverzuim.gesignaleerd"] >= 1
        assert len(result.children["schoolbestuur:41234"]) == 2
        assert len(result.children["schoolbestuur:52345"]) == 1
        assert not result.children["schoolbestuur:41234"] & result.children["schoolbestuur:52345"]
        assert "school" not in result.views
        # JGZ's health content never reaches leerplicht.
        assert not any(k.startswith("jgz.") or "ziekmelding" in k for k in leerplicht)
        assert result.pii_findings == 0
        text = console.export_text()
        assert "loket" in text
        assert "match_gevonden" in text
        assert "leerplicht? (voorgesteld" in text  # regie proposed by the routing rule
        assert "40 dagen, deadline" in text  # the thuiszitter's clock runs
        for bsn in ("111222333", "123456782", "232262536"):
            assert bsn not in text
