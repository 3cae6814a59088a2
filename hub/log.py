"""structlog set-up: PII is scrubbed by a processor that runs before any renderer."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from hub.privacy.scrub import scrub

EventDict = MutableMapping[str, Any]


def scrub_pii(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """Mask known PII keys and BSN-like numbers anywhere in the event, tracebacks included."""
    return scrub(dict(event_dict))  # type: ignore[no-any-return]


def shared_processors() -> list[structlog.types.Processor]:
    """The processor chain every renderer gets; `scrub_pii` is last so nothing bypasses it."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.processors.UnicodeDecoder(),
        scrub_pii,
    ]


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # Looked up per logger, so a replaced sys.stderr (pytest capture, daemons) is honoured.
    return structlog.PrintLogger(file=sys.stderr)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that always writes to the current sys.stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(fmt: str = "auto", level: str = "info") -> None:
    """Configure structlog and the stdlib root logger (aiokafka logs through it)."""
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[*shared_processors(), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared_processors(),
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    # aiokafka reports routine coordinator moves of a single-node broker as errors.
    logging.getLogger("aiokafka").setLevel(
        logging.DEBUG if numeric <= logging.DEBUG else logging.CRITICAL
    )
