"""The policy holder: a bad file is refused and the last good policy stays in force."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hub.privacy.keyring import KeyRing
from hub.views.policy import DEFAULT_POLICY_PATH, PolicyError
from hub.views.reload import PolicyHolder
from tests.unit.views.stream import keyring_for_tests

RING = keyring_for_tests()


class TestPolicyHolder:
    def _holder(self, tmp_path: Path) -> PolicyHolder:
        path = tmp_path / "policy.yaml"
        shutil.copy(DEFAULT_POLICY_PATH, path)
        return PolicyHolder(path)

    def test_unchanged_file_is_not_reloaded(self, tmp_path: Path) -> None:
        holder = self._holder(tmp_path)
        assert holder.poll() is False

    def test_syntax_error_keeps_the_last_good_policy(self, tmp_path: Path) -> None:
        holder = self._holder(tmp_path)
        good = holder.current
        assert holder.path is not None
        holder.path.write_text("version: [unclosed\n")
        assert holder.poll() is False
        assert holder.current is good
        assert "YAML syntax error" in holder.last_problems[0]

    def test_unknown_field_keeps_the_last_good_policy(self, tmp_path: Path) -> None:
        holder = self._holder(tmp_path)
        good = holder.current
        assert holder.path is not None
        holder.path.write_text(
            holder.path.read_text().replace("fields: [datum, van, naar]", "fields: [datum, bsn]")
        )
        assert holder.reload() is False
        assert holder.current is good
        assert any("unknown field 'bsn'" in p for p in holder.last_problems)

    def test_a_policy_whose_audience_key_is_missing_is_refused(self, tmp_path: Path) -> None:
        ring = KeyRing(
            k for kid in RING.kids() if "audience-gemeente" not in kid for k in [RING.get(kid)]
        )
        path = tmp_path / "policy.yaml"
        shutil.copy(DEFAULT_POLICY_PATH, path)
        with pytest.raises(PolicyError, match="no key for 'gemeente'"):
            PolicyHolder(path, ring)
        holder = PolicyHolder(path, RING)
        good = holder.current
        holder.ring = ring
        path.write_text(path.read_text().replace('"2026.12-1"', '"2026.11-9"'))
        assert holder.poll() is False
        assert holder.current is good
        assert "hub keys rotate --kind audience --audience gemeente" in holder.last_problems[0]

    def test_valid_change_is_taken_with_its_new_version_and_hash(self, tmp_path: Path) -> None:
        holder = self._holder(tmp_path)
        old = holder.current
        assert holder.path is not None
        holder.path.write_text(
            holder.path.read_text().replace('version: "2026.12-1"', 'version: "2026.12-2"')
        )
        assert holder.poll() is True
        assert holder.current.version == "2026.12-2"
        assert holder.current.sha256 != old.sha256
        assert holder.last_problems == []

    def test_a_new_school_board_waits_for_the_next_start_a_dropped_one_goes_at_once(
        self, tmp_path: Path
    ) -> None:
        holder = self._holder(tmp_path)
        good = holder.current
        assert holder.path is not None
        text = holder.path.read_text()
        holder.path.write_text(text + '  "63456":\n    brin: [56EF]\n')
        assert holder.reload() is False
        assert holder.current is good
        assert holder.last_problems == [
            "schoolbestuur:63456: a new audience takes effect when the projector starts (that "
            "creates its view topic): restart it"
        ]
        dropped = text.replace(
            '  "52345":\n    naam: Vereniging Christelijk Onderwijs Voorbeeldstad\n'
            "    brin: [34CD]\n",
            "",
        )
        holder.path.write_text(dropped)
        assert holder.reload() is True
        assert "schoolbestuur:52345" not in holder.current.audiences()
