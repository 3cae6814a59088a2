"""`hub keys` and `hub pii scan --file` as an operator runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hub.cli import main
from hub.privacy.keyring import read_keyring
from hub.settings import get_settings


def _hub(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("sys.argv", ["hub", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


class TestKeysCommand:
    def test_init_rotate_show(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        ring_dir = tmp_path / "keys"
        assert _hub(monkeypatch, "keys", "init", "--dir", str(ring_dir)) == 0
        assert stat.S_IMODE(ring_dir.stat().st_mode) == 0o700
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in ring_dir.iterdir())
        assert _hub(monkeypatch, "keys", "rotate", "--dir", str(ring_dir), "--kind", "kek") == 0
        assert (
            _hub(
                monkeypatch,
                "keys",
                "rotate",
                "--dir",
                str(ring_dir),
                "--kind",
                "audience",
                "--audience",
                "schoolbestuur:41234",
            )
            == 0
        )
        capsys.readouterr()
        assert _hub(monkeypatch, "keys", "show", "--dir", str(ring_dir)) == 0
        out = capsys.readouterr().out
        assert "kek.v1\nkek.v2  (current)\n" in out
        # `keys init` made the key of every board of the policy; the rotation made v2.
        assert "audience-schoolbestuur-41234.v1\naudience-schoolbestuur-41234.v2  (current)" in out
        for key in read_keyring(ring_dir, {}).versions("kek"):
            assert key.material.hex() not in out

    def test_init_never_overwrites_and_adds_only_a_missing_board_key(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert _hub(monkeypatch, "keys", "init", "--dir", str(tmp_path)) == 0
        (tmp_path / "audience-schoolbestuur-52345.v1").unlink()  # a board the policy just added
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        capsys.readouterr()
        assert _hub(monkeypatch, "keys", "init", "--dir", str(tmp_path)) == 0
        assert capsys.readouterr().out == "audience-schoolbestuur-52345.v1\n"
        after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        assert {n: after[n] for n in before} == before
        assert set(after) - set(before) == {"audience-schoolbestuur-52345.v1"}

    def test_show_without_keys_is_one_line(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "absent"))
        get_settings.cache_clear()
        try:
            assert _hub(monkeypatch, "keys", "show") == 1
        finally:
            get_settings.cache_clear()
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "does not exist" in err


class TestPiiScanFile:
    def test_finding_exits_1_without_the_value(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        dump = tmp_path / "records.jsonl"
        dump.write_text(
            json.dumps(
                {
                    "topic": "t",
                    "partition": 0,
                    "offset": 3,
                    "key": None,
                    "value": {"o": "111222333"},
                }
            )
            + "\n"
        )
        assert _hub(monkeypatch, "pii", "scan", "--file", str(dump)) == 1
        captured = capsys.readouterr()
        assert captured.out == "t[0]@3: bsn at value.o\n"
        assert "111222333" not in captured.out + captured.err

    def test_clean_file_exits_0(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        dump = tmp_path / "records.jsonl"
        dump.write_text(json.dumps({"subject": "ab" * 32, "uren": 4}) + "\n")
        assert _hub(monkeypatch, "pii", "scan", "--file", str(dump)) == 0
        assert "0 finding(s)" in capsys.readouterr().err
