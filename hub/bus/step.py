"""The pure per-record step of the processor: dedup, handler with bounded retries, dead letters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

import structlog

from hub.bus import dlq
from hub.bus.handler import BadInput, Handler
from hub.bus.records import InRecord, Output
from hub.bus.state import Entry, TaskState

S = TypeVar("S")
log = structlog.get_logger()


@dataclass
class Outcome:
    """What one record led to."""

    outputs: list[Output] = field(default_factory=list)
    duplicate: int = 0
    dead_letter: int = 0
    retries: int = 0


@dataclass(frozen=True)
class Step(Generic[S]):
    """Applies a handler to one record against a task's state; never raises for a bad record."""

    handler: Handler[S]
    stage: str
    dlq_topic: str
    bad_input: tuple[type[BaseException], ...] = (BadInput,)
    max_attempts: int = 3
    dedup: bool = True

    def __call__(self, state: TaskState[S], record: InRecord) -> Outcome:
        """Run the handler; state changes go to `state`'s pending batch."""
        if record.key is None:
            letter = dlq.dead_letter(
                stage=self.stage,
                reason=dlq.MISSING_KEY,
                message="a keyed processor got a record without a key",
                error_type="MissingKey",
                attempts=1,
                record=record,
            )
            return Outcome([dlq.to_output(letter, self.dlq_topic)], dead_letter=1)
        entry = state.get(record.key)
        event_id = record.event_id if self.dedup else None
        if event_id is not None and entry.window.seen(event_id):
            return Outcome(duplicate=1)
        window = entry.window.add(event_id) if event_id is not None else entry.window
        attempts = 0
        while True:
            attempts += 1
            try:
                new_state, outputs = self.handler(entry.state, record)
                checked = [_checked(o) for o in outputs]
                if new_state is not entry.state or window is not entry.window:
                    state.put(record.key, Entry(new_state, window))  # encodes: may raise
                return Outcome(checked, retries=attempts - 1)
            except self.bad_input as exc:
                return self._letter(exc, attempts, record)
            except Exception as exc:
                # A pure handler seldom fails twice on the same input; one that does is dead.
                if attempts >= max(1, self.max_attempts):
                    return self._letter(exc, attempts, record)

    def _letter(self, exc: BaseException, attempts: int, record: InRecord) -> Outcome:
        letter = dlq.for_exception(exc, stage=self.stage, attempts=attempts, record=record)
        log.warning(
            "bus.dead_letter",
            stage=self.stage,
            reason=letter.reason,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        return Outcome([dlq.to_output(letter, self.dlq_topic)], dead_letter=1, retries=attempts - 1)


def _checked(output: Output) -> Output:
    """The output itself, or TypeError when it could never be produced (caught as a bug)."""
    if not isinstance(output, Output):
        raise TypeError(f"a handler returned {type(output).__name__}, not Output")
    fields = (output.key, output.value, *(v for _, v in output.headers))
    if not all(f is None or isinstance(f, bytes) for f in fields):
        raise TypeError(f"an output to {output.topic} has a key, value or header that is not bytes")
    return output
