"""The garbage collector's pace for a long-running hub process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hub.process import YOUNG_THRESHOLD, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class TestSettleHeap:
    def test_what_lives_now_is_frozen(self, restored_gc: None) -> None:
        state = [{"kind": i} for i in range(1000)]
        settle_heap()
        assert gc.get_freeze_count() >= len(state)

    def test_the_young_generation_is_collected_less_often(self, restored_gc: None) -> None:
        _, middle, old = gc.get_threshold()
        settle_heap()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
