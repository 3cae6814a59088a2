"""The alert rules name only series the hub exports, and the registry's partition count."""

from __future__ import annotations

import re
from typing import Any

import yaml

from hub.events.topics import CHILD_PARTITIONS
from hub.settings import PROJECT_ROOT
from hub.web.metrics import COUNTERS

RULES = yaml.safe_load((PROJECT_ROOT / "deploy" / "monitoring" / "hub-rules.yaml").read_text())
#: What the hub's /metrics serves: the processor collector and the ingest counters (app.py).
EXPORTED = {f"{name}_total" for name, _, _ in COUNTERS} | {
    "hub_processor_owned_partitions",
    "hub_http_ingest_requests_total",
    "hub_http_ingest_records_total",
}


def rules() -> list[dict[str, Any]]:
    return [rule for group in RULES["spec"]["groups"] for rule in group["rules"]]


class TestAlertRules:
    def test_every_hub_series_in_an_expression_is_exported(self) -> None:
        named = {s for r in rules() for s in re.findall(r"\bhub_[a-z_]+", r["expr"])}
        assert named
        assert named <= EXPORTED

    def test_the_partition_alert_counts_the_registrys_partitions(self) -> None:
        (rule,) = [r for r in rules() if r["alert"] == "HubPartitionsUnowned"]
        assert rule["expr"].rstrip().endswith(f"< {CHILD_PARTITIONS}")

    def test_lag_alerts_watch_both_processor_groups(self) -> None:
        from hub.casus.runner import APP_ID as CASUS
        from hub.views.runner import APP_ID as VIEWS

        lag = [r["expr"] for r in rules() if "kafka_consumergroup_lag" in r["expr"]]
        assert lag
        for expr in lag:
            (pattern,) = re.findall(r'consumergroup=~"([^"]+)"', expr)
            assert re.fullmatch(pattern, "regio." + CASUS)
            assert re.fullmatch(pattern, VIEWS)

    def test_every_alert_has_a_severity_and_a_summary(self) -> None:
        for rule in rules():
            assert rule["labels"]["severity"] in {"warning", "critical"}
            assert rule["annotations"]["summary"]
