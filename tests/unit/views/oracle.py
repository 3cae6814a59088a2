"""What an audience should see, read straight from the YAML (independent of the loader)."""

from __future__ import annotations

from typing import Any

import yaml

from hub.events.envelope import Event
from hub.views.policy import DEFAULT_POLICY_PATH, TYPE_PREFIX


def raw_policy() -> dict[str, Any]:
    """The default policy as plain YAML data."""
    loaded: dict[str, Any] = yaml.safe_load(DEFAULT_POLICY_PATH.read_text())
    return loaded


def _pick(value: Any, path: list[str]) -> Any:
    if isinstance(value, list):
        return [_pick(v, path) for v in value]
    if not path:
        return value
    return {path[0]: _pick(value[path[0]], path[1:])} if path[0] in value else {}


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in a | b}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(x, y) for x, y in zip(a, b, strict=True)]
    return b


def expected_view(raw: dict[str, Any], audience: str, event: Event[Any]) -> dict[str, Any] | None:
    """The data `audience` should receive for `event`, or None (a school board: as the school,
    whatever the enrolment: that is the transition's business, not the projection's)."""
    audience = "school" if audience.startswith("schoolbestuur:") else audience
    rules = raw["audiences"].get(audience, {}).get("events", {})
    rule = rules.get(event.type.removeprefix(TYPE_PREFIX))
    if rule is None:
        return None
    data = event.data.model_dump(mode="json", exclude_none=True)
    for name, allowed in (rule.get("where") or {}).items():
        if data.get(name) not in allowed:
            return None
    if "adressaten" in data and audience not in data["adressaten"]:
        return None
    out: dict[str, Any] = {}
    for field in [*rule.get("fields", []), *rule.get("encrypted", [])]:
        out = _merge(out, _pick(data, field.split(".")))
    return out


#: What a school sends about a child it has (written out here, not taken from the projector).
_ENROLLING = {
    "school.inschrijving.geregistreerd.v1",
    "school.verzuim.geregistreerd.v1",
    "school.verzuimmelding.gedaan.v1",
    "school.ziekmelding.gedaan.v1",
    "school.herstelmelding.gedaan.v1",
    "school.zorgsignaal.afgegeven.v1",
}


def expected_stream(
    raw: dict[str, Any], audience: str, stream: list[Event[Any]]
) -> list[tuple[Event[Any], dict[str, Any]]]:
    """Each event of `stream` that `audience` should receive, with its data, in order: a school
    board only while one of its own schools (BRIN in the YAML) knows the child."""
    board = (
        audience.removeprefix("schoolbestuur:") if audience.startswith("schoolbestuur:") else None
    )
    brins = set(raw.get("schoolbesturen", {}).get(board, {}).get("brin", [])) if board else set()
    scholen: dict[str, set[str]] = {}
    out = []
    for event in stream:
        kind = event.type.removeprefix(TYPE_PREFIX)
        brin = getattr(event.data, "brin", None)
        if brin is not None and event.partner.value == "school":
            known = scholen.setdefault(event.subject, set())
            if kind in _ENROLLING:
                known.add(str(brin))
            elif kind == "school.uitschrijving.geregistreerd.v1":
                known.discard(str(brin))
        if board is not None and not scholen.get(event.subject, set()) & brins:
            continue
        data = expected_view(raw, audience, event)
        if data is not None:
            out.append((event, data))
    return out
