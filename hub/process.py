"""Process-wide settings of a long-running hub process: the garbage collector's pace."""

from __future__ import annotations

import gc

#: Allocations between two collections of the youngest generation (Python's default: 700).
YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Freeze what lives now and collect the young generation less often.

    A full collection walks every tracked object. A running hub holds the state of every child
    it owns (pydantic models, read back from the changelog at start) plus its modules, and
    with Python's defaults walked them all some fifty times a minute under load, stopping the
    event loop for up to 230 ms each time: the largest part of the latency's tail in
    docs/bench.md. Frozen objects are never walked again (they are still freed by reference
    counting when the state replaces them); a young generation of 50,000 objects is collected
    in about a millisecond and promotes far less to the old generations.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
