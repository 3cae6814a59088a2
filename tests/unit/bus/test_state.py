"""Task state: a batch's changes commit or roll back, and the changelog rebuilds it."""

from __future__ import annotations

from hub.bus.dedup import DedupWindow
from hub.bus.handler import JsonCodec
from hub.bus.state import Entry, TaskState


def fresh() -> TaskState[int]:
    return TaskState[int](JsonCodec(), window_size=4)


class TestTaskState:
    def test_pending_changes_are_seen_before_commit(self) -> None:
        state = fresh()
        state.put(b"k", Entry(1, DedupWindow(size=4)))
        assert state.get(b"k").state == 1
        assert len(state) == 0
        state.commit()
        assert len(state) == 1

    def test_rollback_forgets_the_batch(self) -> None:
        state = fresh()
        state.put(b"k", Entry(1, DedupWindow(size=4)))
        state.commit()
        state.put(b"k", Entry(2, DedupWindow(size=4)))
        state.rollback()
        assert state.get(b"k").state == 1

    def test_changelog_rebuilds_the_same_state(self) -> None:
        state = fresh()
        state.put(b"a", Entry(3, DedupWindow(size=4).add("e1")))
        state.put(b"b", Entry(None, DedupWindow(size=4)))
        log = list(state.changelog("state", 5))
        assert [(o.key, o.value, o.partition) for o in log] == [(b"a", b"3", 5), (b"b", None, 5)]
        rebuilt = fresh()
        rebuilt.restore(b"b", b"9", ())
        for output in log:
            rebuilt.restore(output.key, output.value, output.headers)
        assert rebuilt.get(b"a") == Entry(3, DedupWindow(("e1",), 4))
        assert rebuilt.get(b"b").state is None
        assert len(rebuilt) == 1

    def test_an_absent_key_has_no_state_and_an_empty_window(self) -> None:
        assert fresh().get(b"x") == Entry(None, DedupWindow((), 4))
