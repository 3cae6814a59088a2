"""The whole hub runs on the secured bus under its two principals, the processors' `hub` and the
ingest's `hub-ingest`, with nothing but their own ACLs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from hub.privacy.keyring import init_keyring
from hub.runtime import Hub, HubOptions
from hub.settings import HubSettings, get_settings
from hub.views.policy import key_audiences, load_policy
from hub.web.tokens import PartnerTokens
from tests.integration.security_fixtures import SecuredBroker, secured_broker

__all__ = ["secured_broker"]


class TestHubOnTheSecuredBus:
    async def test_ingest_casus_and_views_work_under_the_hub_principal(
        self, secured_broker: SecuredBroker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        hub_user = secured_broker.user("hub")
        ingest_password = tmp_path / "hub-ingest.password"
        ingest_password.write_text(secured_broker.local.passwords.read("hub-ingest"))
        monkeypatch.setenv("HUB_KAFKA_INGEST_PASSWORD_FILE", str(ingest_password))
        loket_password = tmp_path / "hub-loket.password"
        loket_password.write_text(secured_broker.local.passwords.read("hub-loket"))
        monkeypatch.setenv("HUB_KAFKA_LOKET_PASSWORD_FILE", str(loket_password))
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", secured_broker.bootstrap)
        monkeypatch.setenv("HUB_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        monkeypatch.setenv("HUB_KAFKA_SASL_USERNAME", "hub")
        monkeypatch.setenv("HUB_KAFKA_SASL_PASSWORD", hub_user.password or "")
        monkeypatch.setenv("HUB_KAFKA_SSL_CAFILE", str(hub_user.cafile))
        monkeypatch.setenv("HUB_KEY_DIR", str(tmp_path / "keys"))
        monkeypatch.setenv("HUB_STATE_DIR", str(tmp_path / "state"))
        get_settings.cache_clear()
        try:
            init_keyring(tmp_path / "keys", key_audiences(load_policy()))
            tokens = PartnerTokens()
            token = tokens.issue("school")
            options = HubOptions(port=0, tick_interval=0, tokens=tokens)
            async with Hub(HubSettings(), options) as hub:
                assert hub.casus is not None
                assert hub.views is not None
                async with httpx.AsyncClient(base_url=hub.url or "") as http:
                    response = await http.post(
                        "/ingest/school/zorgsignaal",
                        content=(
                            b'{"record_id": "zs-sec", "bsn": "111222333", "datum": "2026-11-20",'
                            b' "domein": "gedrag", "urgentie": "hoog"}'
                        ),
                        headers={"authorization": f"Bearer {token}"},
                    )
                assert response.status_code == 202, response.text
                async with asyncio.timeout(30):
                    while hub.views.stats.processed < 2:  # noqa: ASYNC110 - a runtime counter
                        await asyncio.sleep(0.1)
                assert hub.casus.processor.stats.processed >= 1
                assert hub.casus.processor.stats.dead_letters == 0
        finally:
            get_settings.cache_clear()
