"""Configuration comes from one pydantic-settings class."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.settings import HubSettings


class TestHubSettings:
    def test_bootstrap_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
        assert HubSettings().kafka_bootstrap_servers == "kafka-1:9092,kafka-2:9092"

    def test_empty_bootstrap_means_local_broker(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "")
        assert HubSettings().kafka_bootstrap_servers is None

    @pytest.mark.parametrize("bad", ["localhost", "host:port", "host:70000", ":9092"])
    def test_wrong_bootstrap_is_refused(self, monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", bad)
        with pytest.raises(ValidationError, match="host:port"):
            HubSettings()

    def test_prefixed_settings(self, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
        monkeypatch.setenv("HUB_KAFKA_PORT", "0")
        monkeypatch.setenv("HUB_LOG_FORMAT", "json")
        settings = HubSettings()
        assert settings.kafka_port == 0
        assert settings.log_format == "json"

    def test_bad_log_format_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("HUB_LOG_FORMAT", "xml")
        with pytest.raises(ValidationError):
            HubSettings()


class TestClusterId:
    def test_cluster_ids_never_start_with_a_dash(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import uuid

        from hub.ops import launcher

        # The first random id encodes to '-...'; the launcher must draw again.
        draws = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(int=1)])
        monkeypatch.setattr(launcher.uuid, "uuid4", lambda: next(draws))
        cluster_id = launcher._kafka_uuid()
        assert not cluster_id.startswith("-")
        assert len(cluster_id) == 22
