"""The per-record step: dedup by event id, bad input, bounded retries, missing keys."""

from __future__ import annotations

import json
from collections.abc import Sequence

from hub.bus.handler import BadInput, JsonCodec
from hub.bus.records import InRecord, Output
from hub.bus.state import TaskState
from hub.bus.step import Step


def record(value: bytes, event_id: str | None = "e-1", key: bytes | None = b"k") -> InRecord:
    headers = (("ce_id", event_id.encode()),) if event_id else ()
    return InRecord("t.in", 0, 7, key, value, headers)


class Counter:
    """Counts per key; fails the first `flaky` calls with an unexpected error."""

    def __init__(self, flaky: int = 0) -> None:
        self.calls = 0
        self.flaky = flaky

    def __call__(self, state: int | None, rec: InRecord) -> tuple[int | None, Sequence[Output]]:
        self.calls += 1
        if rec.value == b"bad":
            raise BadInput("unreadable", "not a count request")
        if self.calls <= self.flaky:
            raise RuntimeError("transient")
        count = (state or 0) + 1
        return count, [Output("t.out", rec.key, str(count).encode())]


def fresh() -> TaskState[int]:
    return TaskState[int](JsonCodec(), window_size=8)


class TestStep:
    def test_runs_the_handler_and_keeps_its_state(self) -> None:
        step, state = Step[int](Counter(), "test", "t.dlq"), fresh()
        assert step(state, record(b"a", "e-1")).outputs[0].value == b"1"
        assert step(state, record(b"a", "e-2")).outputs[0].value == b"2"

    def test_a_seen_event_id_has_no_second_effect(self) -> None:
        handler = Counter()
        step, state = Step[int](handler, "test", "t.dlq"), fresh()
        step(state, record(b"a", "e-1"))
        outcome = step(state, record(b"a", "e-1"))
        assert (outcome.duplicate, outcome.outputs, handler.calls) == (1, [], 1)

    def test_without_dedup_every_record_counts(self) -> None:
        step, state = Step[int](Counter(), "test", "t.dlq", dedup=False), fresh()
        step(state, record(b"a", "e-1"))
        assert step(state, record(b"a", "e-1")).outputs[0].value == b"2"

    def test_bad_input_goes_to_the_dlq_without_retry(self) -> None:
        handler = Counter()
        outcome = Step[int](handler, "test", "t.dlq")(fresh(), record(b"bad"))
        assert outcome.dead_letter == 1
        assert handler.calls == 1
        body = json.loads(outcome.outputs[0].value or b"")
        assert (outcome.outputs[0].topic, body["reason"], body["attempts"]) == (
            "t.dlq",
            "unreadable",
            1,
        )

    def test_a_transient_error_is_retried(self) -> None:
        outcome = Step[int](Counter(flaky=2), "test", "t.dlq", max_attempts=3)(
            fresh(), record(b"a")
        )
        assert (outcome.retries, outcome.outputs[0].value) == (2, b"1")

    def test_a_persistent_error_is_dead_after_max_attempts(self) -> None:
        state = fresh()
        outcome = Step[int](Counter(flaky=9), "test", "t.dlq", max_attempts=3)(state, record(b"a"))
        body = json.loads(outcome.outputs[0].value or b"")
        assert (body["reason"], body["attempts"], body["error_type"]) == (
            "handler_error",
            3,
            "RuntimeError",
        )
        assert state.get(b"k").state is None

    def test_a_declared_exception_counts_as_bad_input(self) -> None:
        def strict(state: int | None, rec: InRecord) -> tuple[int | None, Sequence[Output]]:
            raise ValueError("nope")

        step = Step[int](strict, "test", "t.dlq", bad_input=(BadInput, ValueError))
        assert step(fresh(), record(b"a")).retries == 0

    def test_a_record_without_a_key_is_dead(self) -> None:
        outcome = Step[int](Counter(), "test", "t.dlq")(fresh(), record(b"a", key=None))
        assert json.loads(outcome.outputs[0].value or b"")["reason"] == "missing_key"


class TestStepGuards:
    def test_a_state_the_codec_cannot_encode_is_a_dead_letter(self) -> None:
        def sets(state: int | None, rec: InRecord) -> tuple[int | None, Sequence[Output]]:
            return {1, 2}, []  # type: ignore[return-value]

        state = fresh()
        outcome = Step[int](sets, "test", "t.dlq")(state, record(b"a"))
        assert outcome.dead_letter == 1
        assert state.get(b"k").state is None

    def test_an_output_that_is_not_bytes_is_a_dead_letter(self) -> None:
        def text(state: int | None, rec: InRecord) -> tuple[int | None, Sequence[Output]]:
            return 1, [Output("t.out", b"k", "text")]  # type: ignore[arg-type]

        outcome = Step[int](text, "test", "t.dlq")(fresh(), record(b"a"))
        body = json.loads(outcome.outputs[0].value or b"")
        assert (body["error_type"], body["attempts"]) == ("TypeError", 3)
