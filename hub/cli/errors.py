"""Errors that reach the operator as one line, never as a stack trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


def operator_errors() -> tuple[type[Exception], ...]:
    """Every exception whose message is written for an operator.

    Imported only when an exception reaches `main`, so that no command pays for the
    modules (the Kafka client among them) at start-up.
    """
    from hub.adapters.registry import UnknownFeed
    from hub.bus.client import BusUnavailable
    from hub.ops.launcher import LauncherError
    from hub.privacy.keyring import KeyRingError
    from hub.views.policy import PolicyError
    from hub.web.listen import HttpPortUnavailable

    return (
        LauncherError,
        BusUnavailable,
        KeyRingError,
        UnknownFeed,
        HttpPortUnavailable,
        PolicyError,
    )


def one_line(exc: ValidationError) -> str:
    """The first validation error of `exc` as `field: message`."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "value"
    return f"{where}: {first['msg']}"
