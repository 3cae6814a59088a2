"""`hub run` exposes the processors' series on /metrics, fed by a real record."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from hub.demo import scenario
from hub.privacy.keyring import init_keyring
from hub.runtime import Hub, HubOptions
from hub.settings import HubSettings
from hub.web.loket_settings import LoketSettings
from hub.web.tokens import PartnerTokens


def samples(text: str) -> dict[tuple[str, str], float]:
    """(sample name, processor label) -> value of every hub_processor_* sample."""
    return {
        (s.name, s.labels.get("processor", "")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("hub_processor_")
    }


Samples = dict[tuple[str, str], float]
SCRAPE = {"authorization": "Bearer scrape-token"}


async def scrape_until(
    http: httpx.AsyncClient, done: Callable[[Samples], bool], limit: float = 60
) -> Samples:
    """Scrape /metrics until `done(samples)` holds (the processors commit asynchronously)."""
    async with asyncio.timeout(limit):
        while True:
            response = await http.get("/metrics", headers=SCRAPE)
            assert response.status_code == 200
            found = samples(response.text)
            if done(found):
                return found
            await asyncio.sleep(0.2)


class TestProcessorMetrics:
    async def test_metrics_show_records_processed_per_processor(
        self, bootstrap: str, unique: str, tmp_path: Path
    ) -> None:
        init_keyring(tmp_path / "keys")
        settings = HubSettings(
            kafka_bootstrap_servers=bootstrap,
            key_dir=tmp_path / "keys",
            state_dir=tmp_path / "state",
            topic_prefix=f"m{unique}.",
        )
        tokens = PartnerTokens()
        token = tokens.issue("school")
        post = next(p for p in scenario(dt.date.today()) if p.feed == "zorgsignaal")
        options = HubOptions(
            port=0,
            tick_interval=0,
            tokens=tokens,
            loket=LoketSettings(metrics_token="scrape-token"),  # type: ignore[arg-type]
        )
        async with Hub(settings, options) as hub:
            assert hub.url is not None
            assert hub.views is not None
            views = hub.views
            async with httpx.AsyncClient(base_url=hub.url) as http:
                before = samples((await http.get("/metrics", headers=SCRAPE)).text)
                assert before[("hub_processor_owned_partitions", "casus")] == 12
                assert before[("hub_processor_owned_partitions", "views")] == 12
                assert before[("hub_processor_records_processed_total", "views")] == 0
                headers = {"authorization": f"Bearer {token}", "content-type": post.content_type}
                sent = await http.post(
                    "/ingest/school/zorgsignaal", content=post.body, headers=headers
                )
                assert sent.status_code == 202, sent.text
                after = await scrape_until(
                    http,
                    lambda s: (
                        s[("hub_processor_records_processed_total", "casus")] >= 1
                        and s[("hub_processor_records_processed_total", "views")] >= 1
                    ),
                )
                # The casus outputs reach the projector after the first scrape: scrape until
                # the series has caught up with the processor's own count.
                settled = await scrape_until(
                    http,
                    lambda s: (
                        s[("hub_processor_records_processed_total", "views")]
                        == views.stats.processed
                        >= 2
                    ),
                    limit=30,
                )
        for processor in ("casus", "views"):
            assert after[("hub_processor_transactions_total", processor)] >= 1
            assert after[("hub_processor_dead_letters_total", processor)] == 0
            assert after[("hub_processor_transactions_aborted_total", processor)] == 0
        assert settled[("hub_processor_records_processed_total", "views")] >= 2
