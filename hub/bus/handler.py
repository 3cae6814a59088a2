"""The pure handler protocol the processor runs, its state codecs and the bad-input error."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from hub.bus.records import InRecord, Output

S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)


class BadInput(Exception):
    """The record can never be processed; it goes to the DLQ at once, without retries."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Handler(Protocol[S]):
    """A pure transition: `(state, record) -> (new state, outputs)`; None state means absent."""

    def __call__(
        self, state: S | None, record: InRecord, /
    ) -> tuple[S | None, Sequence[Output]]: ...


class StateCodec(Protocol[S]):
    """Turns a state into the bytes of its changelog record and back."""

    def encode(self, state: S) -> bytes: ...

    def decode(self, data: bytes) -> S: ...


class JsonCodec:
    """State as compact JSON (dicts, lists, numbers, strings)."""

    def encode(self, state: Any) -> bytes:
        """Compact, key-sorted JSON."""
        return json.dumps(state, separators=(",", ":"), sort_keys=True).encode()

    def decode(self, data: bytes) -> Any:
        """Parse JSON."""
        return json.loads(data)


class PydanticCodec(Generic[M]):
    """State as a pydantic model, in its JSON form."""

    def __init__(self, model: type[M]) -> None:
        self._model = model

    def encode(self, state: M) -> bytes:
        """The model's JSON."""
        return state.model_dump_json().encode()

    def decode(self, data: bytes) -> M:
        """Validate JSON into the model."""
        return self._model.model_validate_json(data)
