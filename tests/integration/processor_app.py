"""A runnable processor with the counting handler, for tests that kill it: `python -m ...`."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence

from hub.bus.handler import BadInput, JsonCodec
from hub.bus.processor import TransactionalProcessor
from hub.bus.records import InRecord, Output


def counting_handler(out_topic: str):  # type: ignore[no-untyped-def]
    """State = how many records this key had; each record emits the running count."""

    def handle(state: int | None, record: InRecord) -> tuple[int | None, Sequence[Output]]:
        if (record.value or b"").startswith(b"bad"):
            raise BadInput("unreadable", "the value is not a count request")
        if record.value == b"boom":
            raise RuntimeError("the handler broke")
        count = (state or 0) + 1
        value = json.dumps({"n": count, "v": (record.value or b"").decode()}).encode()
        return count, [Output(out_topic, record.key, value, record.headers)]

    return handle


def make_processor(
    bootstrap: str,
    app_id: str,
    source: str | Sequence[str],
    state: str,
    dlq: str,
    out: str,
    **options: object,
) -> TransactionalProcessor[int]:
    """The counting processor over `source`, with quick group timeouts for tests."""
    options.setdefault(
        "consumer_options", {"heartbeat_interval_ms": 300, "session_timeout_ms": 6000}
    )
    return TransactionalProcessor[int](
        bootstrap=bootstrap,
        app_id=app_id,
        input_topics=[source] if isinstance(source, str) else source,
        state_topic=state,
        dlq_topic=dlq,
        handler=counting_handler(out),
        codec=JsonCodec(),
        **options,  # type: ignore[arg-type]
    )


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    for name in ("bootstrap", "app_id", "source", "state", "dlq", "out"):
        parser.add_argument(f"--{name.replace('_', '-')}", required=True)
    args = parser.parse_args(argv)
    processor = make_processor(
        args.bootstrap, args.app_id, args.source, args.state, args.dlq, args.out, max_batch=200
    )
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    # When the test process dies, our stdin closes: stop rather than linger as an orphan.
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    orphaned = asyncio.create_task(reader.read())
    orphaned.add_done_callback(lambda _: stopped.set())
    await processor.start()
    await processor.wait_ready()
    print("ready", flush=True)
    await stopped.wait()
    await processor.stop()


if __name__ == "__main__":
    asyncio.run(main())
