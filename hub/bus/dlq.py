"""Dead-letter records: the error, where it happened and a claim check, never the raw value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from hub.bus.handler import BadInput
from hub.bus.records import InRecord, Output
from hub.privacy.scrub import mask_bsns, scrub

DLQ_SCHEMA = "hub.deadletter.v1"
REASON_HEADER = "hub_dlq_reason"
MAX_MESSAGE = 500

#: Reason codes the runtime itself uses; handlers add their own through `BadInput.reason`.
HANDLER_ERROR = "handler_error"
MISSING_KEY = "missing_key"


class ClaimCheck(BaseModel):
    """Where the original lives: a record on a restricted topic, or a row of a partner's feed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    partner: str | None = None
    feed: str | None = None
    row: int | None = None


class DeadLetter(BaseModel):
    """One dead-letter record as JSON on the DLQ topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal["hub.deadletter.v1"] = "hub.deadletter.v1"
    stage: str
    reason: str
    message: str
    error_type: str
    source_topic: str | None
    source_partition: int | None
    source_offset: int | None
    key: str | None
    event_id: str | None
    attempts: int
    time: datetime
    claim_check: ClaimCheck | None = None


def describe(exc: BaseException) -> tuple[str, str]:
    """A (reason, message) pair for `exc`, with no input value and no BSN in the message."""
    if isinstance(exc, BadInput):
        return exc.reason, _clean(exc.message)
    if isinstance(exc, ValidationError):
        # Pydantic repeats the input value in str(exc); the locations and types are enough.
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in errors]
        return "invalid", _clean(f"{exc.title}: " + "; ".join(parts))
    return HANDLER_ERROR, _clean(str(exc))


def _clean(text: str) -> str:
    scrubbed = str(scrub(text))
    return scrubbed if len(scrubbed) <= MAX_MESSAGE else scrubbed[: MAX_MESSAGE - 1] + "…"


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    try:
        return mask_bsns(key.decode("utf-8"))
    except UnicodeDecodeError:
        return key.hex()


def dead_letter(
    *,
    stage: str,
    reason: str,
    message: str,
    error_type: str,
    attempts: int,
    record: InRecord | None = None,
    key: bytes | None = None,
    event_id: str | None = None,
    claim_check: ClaimCheck | None = None,
    now: datetime | None = None,
) -> DeadLetter:
    """Build a dead letter about `record` (or about an edge input described by `claim_check`)."""
    return DeadLetter(
        stage=stage,
        reason=reason,
        message=_clean(message),
        error_type=error_type,
        source_topic=record.topic if record else None,
        source_partition=record.partition if record else None,
        source_offset=record.offset if record else None,
        key=_key_text(record.key if record else key),
        event_id=record.event_id if record else event_id,
        attempts=attempts,
        time=now or datetime.now(UTC),
        claim_check=claim_check,
    )


def for_exception(exc: BaseException, *, stage: str, attempts: int, record: InRecord) -> DeadLetter:
    """The dead letter for a handler that raised `exc` on `record`."""
    reason, message = describe(exc)
    return dead_letter(
        stage=stage,
        reason=reason,
        message=message,
        error_type=type(exc).__name__,
        attempts=attempts,
        record=record,
    )


def to_output(letter: DeadLetter, dlq_topic: str) -> Output:
    """The DLQ record for `letter`, keyed like the original so one key's letters stay in order."""
    key = letter.key.encode() if letter.key is not None else None
    return Output(
        topic=dlq_topic,
        key=key,
        value=letter.model_dump_json().encode(),
        headers=(("content-type", b"application/json"), (REASON_HEADER, letter.reason.encode())),
    )
