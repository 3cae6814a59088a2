"""Log lines never carry PII, whatever renderer is configured."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from hub.log import configure_logging, scrub_pii

VALID_BSN = "123456782"


class TestScrubPiiProcessor:
    def test_removes_pii_keys_and_masks_bsns(self) -> None:
        out = scrub_pii(None, "info", {"event": f"import {VALID_BSN}", "naam": "Piet"})
        assert VALID_BSN not in json.dumps(out)
        assert "Piet" not in json.dumps(out)


class TestConfiguredLogging:
    @pytest.mark.parametrize("fmt", ["json", "console"])
    def test_structlog_lines_are_scrubbed(
        self, fmt: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging(fmt, "info")
        structlog.get_logger().info(f"rij met {VALID_BSN}", bsn=VALID_BSN, adres="Dorpsstraat 1")
        err = capsys.readouterr().err
        assert "rij met" in err
        assert VALID_BSN not in err
        assert "Dorpsstraat" not in err

    def test_json_format_is_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        configure_logging("json", "info")
        structlog.get_logger().info("hallo", n=1)
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert json.loads(line)["event"] == "hallo"

    def test_stdlib_records_and_tracebacks_are_scrubbed(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("json", "info")
        try:
            raise ValueError(f"bad identifier {VALID_BSN}")
        except ValueError:
            logging.getLogger("some.library").exception("failed for %s", VALID_BSN)
        err = capsys.readouterr().err
        assert "bad identifier" in err
        assert VALID_BSN not in err
