"""The key ring: files and variables in, one-line errors out, never key material."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from hub.privacy.keyring import (
    Key,
    KeyRing,
    KeyRingError,
    load_keyring,
    new_key_material,
    read_keyring,
    write_key_file,
)
from hub.settings import HubSettings

MATERIAL = bytes(range(32))


def _settings(key_dir: Path) -> HubSettings:
    return HubSettings(key_dir=key_dir)


class TestFiles:
    def test_reads_base64_and_raw_files(self, tmp_path: Path) -> None:
        (tmp_path / "pseudonym.v1").write_bytes(base64.b64encode(MATERIAL) + b"\n")
        (tmp_path / "kek.v1").write_bytes(MATERIAL)
        ring = read_keyring(tmp_path, {})
        assert ring.kids() == ["kek.v1", "pseudonym.v1"]
        assert ring.pseudonym_key().material == MATERIAL == ring.kek().material

    def test_kubernetes_hidden_entries_are_ignored(self, tmp_path: Path) -> None:
        (tmp_path / "..data").mkdir()
        (tmp_path / "..data" / "pseudonym.v1").write_bytes(MATERIAL)
        (tmp_path / "pseudonym.v1").symlink_to(tmp_path / "..data" / "pseudonym.v1")
        assert read_keyring(tmp_path, {}).kids() == ["pseudonym.v1"]

    def test_highest_version_is_current(self, tmp_path: Path) -> None:
        for version in (1, 3, 2):
            write_key_file(tmp_path, "pseudonym", version, new_key_material())
        assert read_keyring(tmp_path, {}).pseudonym_key().kid == "pseudonym.v3"

    def test_wrong_key_file_fails_without_material(self, tmp_path: Path) -> None:
        (tmp_path / "kek.v1").write_bytes(b"c2VjcmV0LXRvby1zaG9ydA==\n")
        with pytest.raises(KeyRingError) as info:
            read_keyring(tmp_path, {})
        assert str(info.value) == "key file kek.v1: not a 32-byte key (raw or base64)"

    def test_unexpected_file_name(self, tmp_path: Path) -> None:
        (tmp_path / "pseudonym").write_bytes(MATERIAL)
        with pytest.raises(KeyRingError, match="unexpected file 'pseudonym'"):
            read_keyring(tmp_path, {})

    def test_write_is_0600_and_never_overwrites(self, tmp_path: Path) -> None:
        path = write_key_file(tmp_path, "kek", 1, MATERIAL)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with pytest.raises(FileExistsError):
            write_key_file(tmp_path, "kek", 1, MATERIAL)


class TestEnvironment:
    def test_variables(self) -> None:
        env = {
            "HUB_KEY_PSEUDONYM_V2": base64.b64encode(MATERIAL).decode(),
            "HUB_KEY_AUDIENCE_SCHOOLBESTUUR_41234_V1": base64.b64encode(MATERIAL).decode(),
            "HUB_OTHER": "x",
            "HUB_KEY_DIR": "/run/secrets/hub-keys",
        }
        ring = read_keyring(None, env)
        assert ring.kids() == ["audience-schoolbestuur-41234.v1", "pseudonym.v2"]
        assert ring.audience_key("schoolbestuur:41234").kid == "audience-schoolbestuur-41234.v1"

    def test_malformed_variable(self) -> None:
        with pytest.raises(KeyRingError, match="malformed variable HUB_KEY_KEK"):
            read_keyring(None, {"HUB_KEY_KEK": "x"})

    def test_bad_value_names_the_variable_not_the_value(self) -> None:
        with pytest.raises(KeyRingError) as info:
            read_keyring(None, {"HUB_KEY_KEK_V1": "bm90LWEta2V5"})
        assert "bm90LWEta2V5" not in str(info.value)
        assert "HUB_KEY_KEK_V1" in str(info.value)


class TestLoad:
    def test_missing_directory_refuses_to_start(self, tmp_path: Path) -> None:
        with pytest.raises(KeyRingError, match="does not exist"):
            load_keyring(_settings(tmp_path / "nope"), {})

    def test_empty_directory(self, tmp_path: Path) -> None:
        with pytest.raises(KeyRingError, match="no keys found") as info:
            load_keyring(_settings(tmp_path), {})
        assert "\n" not in str(info.value)

    def test_incomplete_ring(self, tmp_path: Path) -> None:
        write_key_file(tmp_path, "pseudonym", 1, MATERIAL)
        with pytest.raises(KeyRingError, match="incomplete key ring: no key named 'kek'"):
            load_keyring(_settings(tmp_path), {})

    def test_adapter_requires_its_own_subset(self, tmp_path: Path) -> None:
        write_key_file(tmp_path, "pseudonym", 1, MATERIAL)
        write_key_file(tmp_path, "audience-jgz", 1, MATERIAL)
        ring = load_keyring(_settings(tmp_path), {}, required=("pseudonym", "audience-jgz"))
        assert ring.audience_key("jgz").kid == "audience-jgz.v1"

    def test_directory_and_environment_combine(self, tmp_path: Path) -> None:
        write_key_file(tmp_path, "pseudonym", 1, MATERIAL)
        ring = load_keyring(
            _settings(tmp_path), {"HUB_KEY_KEK_V1": base64.b64encode(MATERIAL).decode()}
        )
        assert ring.kids() == ["kek.v1", "pseudonym.v1"]


class TestKeyRing:
    def test_missing_key_id(self) -> None:
        with pytest.raises(KeyRingError, match=r"'kek\.v9' is not in the key ring"):
            KeyRing([Key("kek", 1, MATERIAL)]).get("kek.v9")

    def test_repr_shows_no_material(self) -> None:
        key = Key("kek", 1, MATERIAL)
        ring = KeyRing([key])
        assert MATERIAL.hex() not in repr(key) + repr(ring)
        assert str(MATERIAL) not in repr(key) + repr(ring)

    def test_conflicting_duplicates(self) -> None:
        with pytest.raises(KeyRingError, match="twice"):
            KeyRing([Key("kek", 1, MATERIAL), Key("kek", 1, bytes(32))])

    def test_unknown_audience(self) -> None:
        with pytest.raises(KeyRingError, match="unknown audience"):
            KeyRing([]).audience_key("politie")
