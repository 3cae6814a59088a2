"""The policy holder: a bad file is refused and the last good policy stays in force."""

from __future__ import annotations

import shutil
from pathlib import Path

from hub.views.policy import DEFAULT_POLICY_PATH
from hub.views.reload import PolicyHolder


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

    def test_valid_change_is_taken_with_its_new_version_and_hash(self, tmp_path: Path) -> None:
        holder = self._holder(tmp_path)
        old = holder.current
        assert holder.path is not None
        holder.path.write_text(
            holder.path.read_text().replace('version: "2026.11-1"', 'version: "2026.12-1"')
        )
        assert holder.poll() is True
        assert holder.current.version == "2026.12-1"
        assert holder.current.sha256 != old.sha256
        assert holder.last_problems == []
