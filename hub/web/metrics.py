"""Prometheus series of the hub's processors, read from their stats at every scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hub.bus.processor import ProcessorStats

#: Processor name (casus, views) -> its stats now; None while the processor is not started.
StatsSource = Callable[[], Mapping[str, ProcessorStats | None]]

#: Counter name (without _total), help text, ProcessorStats attribute.
COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("hub_processor_records_processed", "Input records processed and committed", "processed"),
    ("hub_processor_outputs", "Output records committed (dead letters excluded)", "outputs"),
    ("hub_processor_duplicates", "Input records skipped as duplicates", "duplicates"),
    ("hub_processor_dead_letters", "Input records sent to the dead-letter topic", "dead_letters"),
    ("hub_processor_retries", "Handler retries before success or dead letter", "retries"),
    ("hub_processor_transactions", "Kafka transactions committed", "transactions"),
    ("hub_processor_transactions_aborted", "Kafka transactions aborted", "aborts"),
    ("hub_processor_restored_keys", "State keys restored from the changelog", "restored_keys"),
)


class ProcessorCollector(Collector):
    """Counters and the owned-partition gauge per processor, labelled `processor`."""

    def __init__(self, source: StatsSource) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        """One family per series, a sample per started processor."""
        stats = {name: s for name, s in self._source().items() if s is not None}
        for name, help_text, attribute in COUNTERS:
            family = CounterMetricFamily(name, help_text, labels=["processor"])
            for processor, s in sorted(stats.items()):
                family.add_metric([processor], getattr(s, attribute))
            yield family
        owned = GaugeMetricFamily(
            "hub_processor_owned_partitions",
            "Input partitions (tasks) this instance owns now",
            labels=["processor"],
        )
        for processor, s in sorted(stats.items()):
            owned.add_metric([processor], len(s.tasks))
        yield owned

    def describe(self) -> Iterator[Metric]:
        """Nothing up front: the families are built at scrape time."""
        return iter(())
