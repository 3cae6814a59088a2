"""How long each audience's view topic keeps records: the longest retention its grants name."""

from __future__ import annotations

from hub.events.topics import DAY_MS, physical_name, topic, view_topic
from hub.views.policy import Policy


def view_retention_ms(policy: Policy) -> dict[str, int]:
    """Per audience with a view topic: its longest granted retention in milliseconds."""
    out: dict[str, int] = {}
    for audience, grants in policy.grants.items():
        if grants:
            out[audience] = max(g.retention_days for g in grants.values()) * DAY_MS
    return out


def view_topic_configs(policy: Policy, prefix: str = "") -> dict[str, dict[str, str]]:
    """The whole configuration of each view topic, its retention as the policy grants it."""
    configs: dict[str, dict[str, str]] = {}
    for audience, ms in view_retention_ms(policy).items():
        try:
            logical = view_topic(audience)
            base = topic(logical).config()
        except (KeyError, ValueError):
            continue  # an audience without a registered view topic of its own
        configs[physical_name(logical, prefix=prefix)] = {**base, "retention.ms": str(ms)}
    return configs
