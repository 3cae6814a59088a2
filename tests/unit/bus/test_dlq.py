"""Dead letters carry the error and a pointer, never the value and never a BSN."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel, ValidationError

from hub.bus import dlq
from hub.bus.handler import BadInput
from hub.bus.records import InRecord

BSN = "123456782"  # made up, passes the 11-proef
RECORD = InRecord("t.in", 2, 41, b"ab" * 32, b"secret value", (("ce_id", b"evt-1"),))


class Person(BaseModel):
    age: int


class TestDescribe:
    def test_bad_input_keeps_its_reason(self) -> None:
        assert dlq.describe(BadInput("schema", "field x missing")) == ("schema", "field x missing")

    def test_a_bsn_in_a_message_is_masked(self) -> None:
        _, message = dlq.describe(RuntimeError(f"no match for {BSN}"))
        assert BSN not in message
        assert "*********" in message

    def test_pydantic_errors_leave_the_input_out(self) -> None:
        try:
            Person.model_validate({"age": f"Jan Jansen {BSN}"})
        except ValidationError as exc:
            reason, message = dlq.describe(exc)
        assert reason == "invalid"
        assert "Jansen" not in message
        assert BSN not in message
        assert "age: int_parsing" in message

    def test_long_messages_are_cut(self) -> None:
        _, message = dlq.describe(RuntimeError("x" * 2000))
        assert len(message) == dlq.MAX_MESSAGE


class TestDeadLetter:
    def test_points_at_the_original_without_its_value(self) -> None:
        letter = dlq.for_exception(BadInput("unreadable", "bad"), stage="casus", attempts=1,
                                   record=RECORD)  # fmt: skip
        body = json.loads(dlq.to_output(letter, "hub.dlq").value or b"")
        assert body["source_topic"] == "t.in"
        assert (body["source_partition"], body["source_offset"]) == (2, 41)
        assert body["key"] == "ab" * 32
        assert body["event_id"] == "evt-1"
        assert body["reason"] == "unreadable"
        assert body["schema_version"] == "hub.deadletter.v1"
        assert "secret value" not in json.dumps(body)

    def test_a_key_that_is_a_bsn_is_masked(self) -> None:
        record = InRecord("t.raw", 0, 1, BSN.encode(), b"")
        letter = dlq.for_exception(RuntimeError("x"), stage="a", attempts=3, record=record)
        assert letter.key == "*********"

    def test_an_edge_letter_carries_a_claim_check(self) -> None:
        check = dlq.ClaimCheck(partner="school-1", feed="verzuim", row=17)
        letter = dlq.dead_letter(
            stage="adapter.school",
            reason="invalid",
            message="column 3 empty",
            error_type="ValueError",
            attempts=1,
            claim_check=check,
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        output = dlq.to_output(letter, "hub.dlq")
        assert output.key is None
        assert dict(output.headers)["hub_dlq_reason"] == b"invalid"
        body = json.loads(output.value or b"")
        assert body["claim_check"]["row"] == 17
        assert body["source_topic"] is None
