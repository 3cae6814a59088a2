"""Generated artefacts: committed files match the code, schemas are valid, examples conform."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from hub.events import export
from hub.events.registry import event_types, parse_event
from hub.events.topics import registry
from hub.views.asyncapi import add_views

ROOT = export.CONTRACTS_DIR
#: The CLI's composition: the contract export plus the projected part (hub.views).
HOOK = add_views


class TestDrift:
    def test_committed_files_match_the_code(self) -> None:
        assert export.drift(hook=HOOK) == []

    def test_output_is_deterministic(self) -> None:
        assert export.render(HOOK) == export.render(HOOK)

    def test_without_the_hook_the_view_part_is_drift(self) -> None:
        assert export.drift() == [
            "asyncapi.yaml: differs from the code (run `hub contracts export`)"
        ]

    def test_drift_is_detected(self, tmp_path: Path) -> None:
        export.write(tmp_path)
        assert export.drift(tmp_path) == []
        schema = tmp_path / "schemas" / f"{event_types()[0]}.json"
        schema.write_text(schema.read_text().replace('"string"', '"integer"', 1))
        (tmp_path / "examples" / "nl.onderwijsjeugd.oud.v1.json").write_text("{}")
        (tmp_path / "CATALOGUE.md").unlink()
        problems = export.drift(tmp_path)
        assert len(problems) == 3
        assert export.write(tmp_path)
        assert export.drift(tmp_path) == []


class TestSchemas:
    @pytest.mark.parametrize("event_type", event_types())
    def test_schema_is_valid_2020_12_and_accepts_the_example(self, event_type: str) -> None:
        schema = json.loads((ROOT / "schemas" / f"{event_type}.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        example = json.loads((ROOT / "examples" / f"{event_type}.json").read_text())
        Draft202012Validator(schema).validate(example["data"])
        assert parse_event(example).type == event_type

    def test_envelope_schema_accepts_every_example(self) -> None:
        schema = json.loads((ROOT / "envelope.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        for path in (ROOT / "examples").glob("*.json"):
            example = json.loads(path.read_text())
            validator.validate(example)
            assert not validator.is_valid(example | {"subject": "123456782"})

    def test_schema_rejects_what_the_model_rejects(self) -> None:
        schema = json.loads(
            (
                ROOT / "schemas" / "nl.onderwijsjeugd.school.verzuim.geregistreerd.v1.json"
            ).read_text()
        )
        example = json.loads(
            (
                ROOT / "examples" / "nl.onderwijsjeugd.school.verzuim.geregistreerd.v1.json"
            ).read_text()
        )
        validator = Draft202012Validator(schema)
        assert not validator.is_valid(example["data"] | {"lesuren": -2})
        assert not validator.is_valid(example["data"] | {"naam": "x"})

    def test_examples_carry_no_bsn(self) -> None:
        from hub.events.guards import looks_like_identifier

        for path in (ROOT / "examples").glob("*.json"):
            assert not looks_like_identifier(path.read_text()), path.name
            subject = json.loads(path.read_text())["subject"]
            assert re.fullmatch(r"[0-9a-f]{64}", subject)


class TestAsyncApi:
    def test_valid_against_the_official_asyncapi_3_schema(self) -> None:
        meta = json.loads(
            (Path(__file__).parent / "data" / "asyncapi-3.0.0.schema.json").read_text()
        )
        doc = yaml.safe_load((ROOT / "asyncapi.yaml").read_text())
        validator = validator_for(meta)(meta)
        assert [e.message for e in validator.iter_errors(doc)] == []
        doc["operations"][next(iter(doc["operations"]))]["action"] = "publish"
        assert not validator.is_valid(doc)

    def test_describes_every_topic_and_type(self) -> None:
        doc = yaml.safe_load((ROOT / "asyncapi.yaml").read_text())
        assert doc["asyncapi"] == "3.0.0"
        addresses = {c["address"].removeprefix("{prefix}") for c in doc["channels"].values()}
        # Plus the view of each school board the shipped sharing policy names.
        boards = {"view.schoolbestuur.41234.v1", "view.schoolbestuur.52345.v1"}
        assert addresses == set(registry()) | boards
        contract = {
            mid: m for mid, m in doc["components"]["messages"].items() if mid.startswith("nl_")
        }
        assert {m["name"] for m in contract.values()} == set(event_types())
        for message in contract.values():
            assert (ROOT / message["payload"]["schema"]["$ref"]).exists()
            assert "ce_subject" in message["headers"]["required"]
        for cid, channel in doc["channels"].items():
            for ref in channel.get("messages", {}).values():
                assert (
                    ref["$ref"].removeprefix("#/components/messages/")
                    in (doc["components"]["messages"])
                ), cid
        for operation in doc["operations"].values():
            ref = operation["channel"]["$ref"].removeprefix("#/channels/")
            assert ref in doc["channels"]
