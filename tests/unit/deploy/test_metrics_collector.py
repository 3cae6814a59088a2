"""The processor collector turns ProcessorStats into labelled Prometheus series."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest

from hub.bus.processor import ProcessorStats
from hub.web.app import WebConfig, create_app
from hub.web.metrics import ProcessorCollector
from hub.web.tokens import PartnerTokens


def exposition(stats: dict[str, ProcessorStats | None]) -> str:
    registry = CollectorRegistry()
    registry.register(ProcessorCollector(lambda: stats))
    return generate_latest(registry).decode()


class TestProcessorCollector:
    def test_each_processor_gets_its_counters_and_owned_partitions(self) -> None:
        casus = ProcessorStats(processed=7, dead_letters=2, aborts=1, transactions=3)
        casus.tasks = {0, 1, 5}
        text = exposition({"casus": casus, "views": ProcessorStats()})
        assert 'hub_processor_records_processed_total{processor="casus"} 7.0' in text
        assert 'hub_processor_dead_letters_total{processor="casus"} 2.0' in text
        assert 'hub_processor_transactions_aborted_total{processor="casus"} 1.0' in text
        assert 'hub_processor_transactions_total{processor="casus"} 3.0' in text
        assert 'hub_processor_owned_partitions{processor="casus"} 3.0' in text
        assert 'hub_processor_owned_partitions{processor="views"} 0.0' in text
        assert "# TYPE hub_processor_owned_partitions gauge" in text

    def test_a_processor_not_started_has_no_samples(self) -> None:
        text = exposition({"casus": None})
        assert 'processor="casus"' not in text
        assert "# TYPE hub_processor_records_processed_total counter" in text

    def test_the_values_are_read_at_scrape_time(self) -> None:
        stats = ProcessorStats()
        registry = CollectorRegistry()
        registry.register(ProcessorCollector(lambda: {"views": stats}))
        stats.processed = 41
        assert (
            'records_processed_total{processor="views"} 41.0' in generate_latest(registry).decode()
        )

    def test_the_web_app_serves_extra_collectors_on_metrics(self) -> None:
        config = WebConfig(
            tokens=PartnerTokens(),
            collectors=[ProcessorCollector(lambda: {"views": ProcessorStats(processed=4)})],
            metrics_token="scrape",
        )
        scrape = {"authorization": "Bearer scrape"}
        text = TestClient(create_app(config)).get("/metrics", headers=scrape).text
        assert 'hub_processor_records_processed_total{processor="views"} 4.0' in text
        assert "hub_http_ingest_requests" in text
