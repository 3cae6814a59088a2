"""Contracts a partner in another language can rely on: envelope, AsyncAPI, the `source`."""

from __future__ import annotations

import json
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from hub.bus.dlq import ClaimCheck, DeadLetter, dead_letter
from hub.events import export
from hub.events.registry import event_types
from hub.events.topics import DLQ
from tests.unit.events.helpers import example_event

ROOT = export.CONTRACTS_DIR
SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"


def committed(name: str) -> Any:
    text = (ROOT / name).read_text()
    return yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)


class TestEnvelopeSchema:
    def test_specversion_is_required(self) -> None:
        schema = committed("envelope.schema.json")
        assert "specversion" in schema["required"]
        event = example_event(event_types()[0]).model_dump(mode="json")
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        validator.validate(event)
        event.pop("specversion")
        assert not validator.is_valid(event)

    def test_dataschema_is_a_uri(self) -> None:
        schema = committed("envelope.schema.json")
        assert schema["properties"]["dataschema"]["format"] == "uri"


class TestAsyncApi:
    def test_every_payload_names_its_schema_format(self) -> None:
        doc = committed("asyncapi.yaml")
        for mid, message in doc["components"]["messages"].items():
            payload = message["payload"]
            assert payload["schemaFormat"] == SCHEMA_FORMAT, mid
            assert "schema" in payload, mid

    def test_the_dead_letter_topic_has_its_message(self) -> None:
        doc = committed("asyncapi.yaml")
        channel = doc["channels"][DLQ.replace(".", "_")]
        (ref,) = channel["messages"].values()
        message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
        assert message["name"] == "hub.deadletter.v1"
        letter = dead_letter(
            stage="adapter.school.verzuim",
            reason="invalid_bsn",
            message="bsn: fails the 11-proef",
            error_type="RecordRejected",
            attempts=1,
            key=b"batch-0123",
            claim_check=ClaimCheck(partner="school", feed="verzuim", row=2),
        )
        ref = message["payload"]["schema"]["$ref"]
        schema = committed(ref.removeprefix("./"))
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(
            json.loads(letter.model_dump_json())
        )
        assert DeadLetter.model_validate_json(letter.model_dump_json()) == letter
        actions = {
            op["action"]
            for op in doc["operations"].values()
            if op["channel"]["$ref"] == f"#/channels/{DLQ.replace('.', '_')}"
        }
        assert actions == {"send", "receive"}
