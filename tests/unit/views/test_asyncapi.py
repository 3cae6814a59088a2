"""The AsyncAPI document describes every projected record: views, erasures, figures, audit."""

from __future__ import annotations

import ast
import datetime as dt
from functools import cache
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from hub.events.export import CONTRACTS_DIR
from hub.events.topics import view_topic
from hub.settings import PROJECT_ROOT
from hub.views.asyncapi import add_views, erasure_id, message_id, view_payload_schema
from hub.views.audit import disclosure
from hub.views.indicators import tally
from hub.views.policy import load_policy, parse_policy
from hub.views.project import erasure_notice, project
from hub.views.wire import encode_view
from tests.unit.views.stream import keyring_for_tests, rich_stream

RING = keyring_for_tests()
POLICY = load_policy()
STREAM = rich_stream(RING)
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
ZORGSIGNAAL = "nl.onderwijsjeugd.school.zorgsignaal.afgegeven.v1"
MATCH = "nl.onderwijsjeugd.casus.match_gevonden.v1"


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CONTRACTS_DIR / "asyncapi.yaml").read_text())
    return loaded


def message(mid: str) -> dict[str, Any]:
    """The message `mid`, its payload unwrapped from its JSON Schema 2020-12 format."""
    found: dict[str, Any] = document()["components"]["messages"][mid]
    assert found["payload"]["schemaFormat"] == "application/schema+json;version=draft-2020-12"
    return found | {"payload": found["payload"]["schema"]}


def channel_messages(topic_name: str) -> set[str]:
    channel = document()["channels"][topic_name.replace(".", "_")]
    return {
        ref["$ref"].removeprefix("#/components/messages/") for ref in channel["messages"].values()
    }


def headers_of(raw: tuple[tuple[str, bytes], ...]) -> dict[str, str]:
    return {name: value.decode() for name, value in raw}


class TestViewChannels:
    @pytest.mark.parametrize("audience", POLICY.audiences())
    def test_a_channel_lists_one_message_per_grant_and_the_erasure_notice(
        self, audience: str
    ) -> None:
        expected = {message_id(audience, t) for t in POLICY.grants[audience]}
        assert channel_messages(view_topic(audience)) == expected | {erasure_id(audience)}

    @pytest.mark.parametrize("audience", POLICY.audiences())
    def test_every_real_view_matches_its_message(self, audience: str) -> None:
        checked = 0
        for event in STREAM:
            view = project(POLICY, audience, event, RING)
            if view is None:
                continue
            doc = message(message_id(audience, event.type))
            _, _, headers = encode_view(view)
            Draft202012Validator(doc["payload"]).validate(view.data)
            Draft202012Validator(doc["headers"]).validate(headers_of(headers))
            checked += 1
        assert checked >= len(POLICY.grants[audience])

    def test_the_full_contract_data_is_refused_where_fields_are_withheld(self) -> None:
        event = next(e for e in STREAM if e.type == ZORGSIGNAAL)
        full = event.data.model_dump(mode="json", exclude_none=True)
        payload = message(message_id("swv", ZORGSIGNAAL))["payload"]
        assert set(payload["properties"]) == {
            "brin",
            "vestiging",
            "datum",
            "domein",
            "urgentie",
        } | {"toelichting"}
        assert "required" not in payload
        assert not Draft202012Validator(payload).is_valid(full | {"leerling_ref": "x"})
        leerplicht = message(message_id("leerplicht", MATCH))["payload"]
        assert "domein" not in str(leerplicht["properties"]["nieuw"]["properties"])

    def test_the_where_condition_narrows_the_enum_and_the_text_names_the_basis(self) -> None:
        doc = message(message_id("jgz", ZORGSIGNAAL))
        assert doc["payload"]["properties"]["domein"]["enum"] == ["gezondheid", "opvoeden"]
        grant = POLICY.grant("jgz", ZORGSIGNAAL)
        assert grant is not None
        assert grant.purpose in doc["description"]
        assert grant.legal_basis in doc["description"]
        assert "toelichting" in doc["description"]
        assert doc["headers"]["properties"]["ce_audience"] == {"const": "jgz"}

    def test_the_erasure_notice_is_documented_for_every_audience(self) -> None:
        for audience in POLICY.audiences():
            notice = erasure_notice(
                POLICY, audience, STREAM[0].subject, RING, trigger_id="verzoek-1", when=NOW
            )
            doc = message(erasure_id(audience))
            _, _, headers = encode_view(notice)
            Draft202012Validator(doc["payload"]).validate(notice.data)
            Draft202012Validator(doc["headers"]).validate(headers_of(headers))
            assert doc["headers"]["properties"]["ce_source"] == {
                "const": "/partners/hub/views/projector"
            }

    def test_a_nested_grant_keeps_only_the_granted_part(self) -> None:
        policy = parse_policy(
            b"version: t1\ntitle: Test policy\naudiences:\n  leerplicht:\n"
            b"    purpose: Test purpose\n    legal_basis: Test basis\n    retention_days: 10\n"
            b"    events:\n      casus.match_gevonden.v1:\n        fields: [betrokkenen.partner]\n"
        )
        grant = policy.grant("leerplicht", MATCH)
        assert grant is not None
        schema = view_payload_schema(grant)
        assert list(schema["properties"]) == ["betrokkenen"]
        item = schema["properties"]["betrokkenen"]["items"]
        assert list(item["properties"]) == ["partner"]
        assert "required" not in item
        assert Draft202012Validator(schema).is_valid(
            {"betrokkenen": [{"partner": "jgz"}, {"partner": "swv"}]}
        )
        assert not Draft202012Validator(schema).is_valid(
            {"betrokkenen": [{"partner": "jgz", "contactrol": "jeugdarts"}, {"partner": "swv"}]}
        )
        assert "$ref" not in str(schema)


class TestFiguresAndAudit:
    def test_indicator_cells_match_their_message(self) -> None:
        assert channel_messages("indicators.v1") == {"indicator_cell"}
        validator = Draft202012Validator(message("indicator_cell")["payload"])
        report = tally(STREAM).report(NOW.date(), min_cell=2)
        assert report.cellen
        for cell in report.cellen:
            validator.validate(cell.model_dump(mode="json"))

    def test_audit_records_match_their_message(self) -> None:
        assert channel_messages("audit.v1") == {"audit_record"}
        event = next(e for e in STREAM if e.type == ZORGSIGNAAL and e.data.domein == "leren")
        view = project(POLICY, "swv", event, RING)
        grant = POLICY.grant("swv", ZORGSIGNAAL)
        assert view is not None
        assert grant is not None
        record = disclosure(
            view, event_id=event.id, grant=grant, policy=POLICY, view_topic="view.swv.v1", now=NOW
        )
        Draft202012Validator(message("audit_record")["payload"]).validate(
            record.model_dump(mode="json")
        )


class TestComposition:
    def test_the_hook_does_not_change_its_input(self) -> None:
        base = {
            "channels": {
                name.replace(".", "_"): {"description": "x"}
                for name in [
                    "indicators.v1",
                    "audit.v1",
                    *(view_topic(a) for a in POLICY.audiences()),
                ]
            }
        }
        added = add_views(base)
        assert "messages" not in base["channels"]["audit_v1"]
        assert "messages" in added["channels"]["audit_v1"]

    def test_hub_events_never_imports_hub_views(self) -> None:
        offenders = []
        for path in sorted((PROJECT_ROOT / "hub" / "events").glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                offenders += [f"{path.name}: {n}" for n in names if n.startswith("hub.views")]
        assert offenders == []
