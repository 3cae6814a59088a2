"""The type registry: event type string -> payload model, and parsing by type."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from hub.events.envelope import Event, Payload
from hub.events.errors import InvalidEvent, UnknownEventType, describe

P = TypeVar("P", bound=type[Payload])

_REGISTRY: dict[str, type[Payload]] = {}


def register(model: P) -> P:
    """Class decorator: make `model` the payload of its `event_type`."""
    event_type = model.event_type
    known = _REGISTRY.get(event_type)
    if known is not None and known is not model:
        raise ValueError(f"event type {event_type} is registered twice")
    for attribute in ("producers", "example"):
        if not hasattr(model, attribute):
            raise TypeError(f"{model.__name__} lacks the class variable {attribute}")
    _REGISTRY[event_type] = model
    return model


_loaded = False
_EVENT_MODELS: dict[str, type[Event[Any]]] = {}


def _load() -> None:
    global _loaded
    if not _loaded:
        importlib.import_module("hub.events.catalogue")
        _loaded = True


def payload_model(event_type: str) -> type[Payload]:
    """The payload model of `event_type`; UnknownEventType when none is registered."""
    _load()
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(
            [f"type: unknown event type {event_type!r}; see contracts/CATALOGUE.md"]
        ) from None


def event_types() -> tuple[str, ...]:
    """Every registered event type, sorted."""
    _load()
    return tuple(sorted(_REGISTRY))


def payload_models() -> tuple[type[Payload], ...]:
    """Every registered payload model, sorted by event type."""
    return tuple(_REGISTRY[t] for t in event_types())


def event_model(event_type: str) -> type[Event[Any]]:
    """`Event[Model]` for `event_type`."""
    known = _EVENT_MODELS.get(event_type)
    if known is not None:
        return known
    model: type[Event[Any]] = Event.__class_getitem__(payload_model(event_type))  # type: ignore[assignment]
    _EVENT_MODELS[event_type] = model
    return model


def parse_event(obj: Mapping[str, Any]) -> Event[Any]:
    """Validate a structured CloudEvent (a dict with `data`) against the model of its type."""
    if not isinstance(obj, Mapping):
        raise InvalidEvent([f"event: must be a JSON object (got {type(obj).__name__})"])
    event_type = obj.get("type")
    if not isinstance(event_type, str):
        raise InvalidEvent(["type: is required but missing"])
    model = event_model(event_type)
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise InvalidEvent(describe(exc)) from None
