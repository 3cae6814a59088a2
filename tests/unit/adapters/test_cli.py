"""`hub import --dry-run`, `hub adapters list|check|token` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.cli import main
from hub.settings import get_settings
from hub.web.ingest import tokens_dir
from hub.web.tokens import PartnerTokens
from tests.data.school import BAD_ROWS, csv_bytes


def hub(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("sys.argv", ["hub", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "keys"
    monkeypatch.setenv("HUB_KEY_DIR", str(directory))
    get_settings.cache_clear()
    assert hub(monkeypatch, "keys", "init", "--dir", str(directory)) == 0
    yield directory
    get_settings.cache_clear()


class TestImport:
    def test_dry_run_summarises_by_reason(
        self,
        keys: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        export = tmp_path / "verzuim.csv"
        export.write_bytes(csv_bytes([r for r, _ in BAD_ROWS], encoding="cp1252"))
        code = hub(monkeypatch, "import", "school", "verzuim", str(export), "--dry-run")
        out = capsys.readouterr()
        assert code == 3  # some rows were rejected
        assert "record 2: invalid_bsn [bsn]: bsn: fails the 11-proef" in out.out
        assert "invalid_lesuren" in out.err
        assert "123456789" not in out.out + out.err

    def test_unknown_feed_is_one_line(
        self, keys: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert hub(monkeypatch, "import", "school", "cijfers", "x.csv", "--dry-run") == 1
        assert "has no feed 'cijfers'" in capsys.readouterr().err

    def test_unknown_feed_or_partner_is_one_line_on_stderr(
        self, keys: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        export = keys.parent / "x.csv"
        export.write_bytes(csv_bytes([BAD_ROWS[0][0]]))
        assert hub(monkeypatch, "import", "school", "onbekend", str(export)) == 1
        out = capsys.readouterr()
        assert out.err.count("\n") == 1
        assert "partner school has no feed 'onbekend' (feeds: " in out.err
        assert "Traceback" not in out.out + out.err
        # No broker is asked: the partner is checked first.
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
        assert hub(monkeypatch, "adapters", "run", "onbekend") == 1
        out = capsys.readouterr()
        assert out.err == "hub: no adapters for partner 'onbekend'\n"

    def test_without_keys_it_says_what_to_do(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "none"))
        get_settings.cache_clear()
        export = tmp_path / "v.csv"
        export.write_bytes(csv_bytes([BAD_ROWS[0][0]]))
        code = hub(monkeypatch, "import", "school", "verzuim", str(export), "--dry-run")
        get_settings.cache_clear()
        assert code == 1
        assert "key directory" in capsys.readouterr().err


class TestAdaptersCommand:
    def test_list(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert hub(monkeypatch, "adapters", "list") == 0
        assert "verzuim.geregistreerd" in capsys.readouterr().out

    def test_check_builtin_passes(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert hub(monkeypatch, "adapters", "check", "hub.adapters.school") == 0
        assert "0 failed check(s)" in capsys.readouterr().err

    def test_check_a_broken_module_fails(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert hub(monkeypatch, "adapters", "check", "tests.unit.adapters.bad_adapters") == 1
        assert "different event ids" in capsys.readouterr().err

    def test_token_is_shown_once_and_kept_as_a_hash(
        self, keys: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setenv("HUB_STATE_DIR", str(keys.parent / "state"))
        get_settings.cache_clear()
        assert hub(monkeypatch, "adapters", "token", "school") == 0
        token = capsys.readouterr().out.strip()
        directory = tokens_dir(get_settings())
        assert PartnerTokens.load(directory).partner_of(token) == "school"
        assert token not in (directory / "ingest-tokens.json").read_text()
        # The key ring still loads: the token hashes are not in its directory.
        assert hub(monkeypatch, "keys", "show", "--dir", str(keys)) == 0


class TestCheckByPath:
    def test_a_partner_file_outside_the_hub(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from hub.adapters import template

        source = Path(template.__file__).read_text(encoding="utf-8")
        adapter = tmp_path / "mijn_adapter.py"
        adapter.write_text(source, encoding="utf-8")
        assert hub(monkeypatch, "adapters", "check", str(adapter)) == 0
        assert "1 adapter(s), 0 failed check(s)" in capsys.readouterr().err
