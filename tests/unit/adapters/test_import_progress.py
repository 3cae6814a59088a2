"""`hub import` counts records, not lines or events, and reports the time it really took."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.adapters.ingest import IngestService, MemoryPublisher
from hub.adapters.kit import Context
from hub.adapters.registry import builtin_registry
from hub.cli import main
from hub.cli.ingest import record_count
from hub.privacy.keyring import KEK, PSEUDONYM, Key, KeyRing
from hub.settings import get_settings
from tests.data.school import export


def test_the_csv_header_is_not_a_record() -> None:
    body = export(10)
    assert record_count(body, "text/csv") == 10
    assert record_count(body + b"\r\n\r\n", "text/csv") == 10
    assert record_count(b'{"a":1}\n{"a":2}\n', "application/x-ndjson") == 2
    assert record_count(b'[{"a":1},{"a":2}]', "application/json") is None


async def test_progress_counts_the_records_of_the_body() -> None:
    ring = KeyRing([Key(PSEUDONYM, 1, b"p" * 32), Key(KEK, 1, b"k" * 32)])
    service = IngestService(
        builtin_registry(), MemoryPublisher(), Context.from_keyring(ring), chunk=7
    )
    done: list[int] = []
    await service.ingest("school", "verzuim", export(40), "text/csv", progress=done.append)
    assert sum(done) == 40


def test_the_reported_time_is_the_whole_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
    get_settings.cache_clear()
    monkeypatch.setattr("sys.argv", ["hub", "keys", "init"])
    with pytest.raises(SystemExit):
        main()
    (tmp_path / "v.csv").write_bytes(export(20))
    args = ["hub", "import", "school", "verzuim", str(tmp_path / "v.csv"), "--dry-run"]
    monkeypatch.setattr("sys.argv", args)
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code in (0, None)
    err = capsys.readouterr().err
    get_settings.cache_clear()
    assert "s in all" in err
    assert "the ingest itself" in err
