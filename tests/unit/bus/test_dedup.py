"""The dedup window: bounded, ordered, and it survives its own encoding."""

from __future__ import annotations

from hub.bus.dedup import DedupWindow


class TestDedupWindow:
    def test_remembers_what_it_saw(self) -> None:
        window = DedupWindow(size=3).add("a").add("b")
        assert window.seen("a")
        assert not window.seen("c")

    def test_forgets_the_oldest_beyond_its_size(self) -> None:
        window = DedupWindow(size=3)
        for event_id in "abcd":
            window = window.add(event_id)
        assert window.ids == ("b", "c", "d")
        assert not window.seen("a")

    def test_adding_a_known_id_changes_nothing(self) -> None:
        window = DedupWindow(size=3).add("a").add("b")
        assert window.add("a") is window

    def test_round_trips_through_its_header(self) -> None:
        window = DedupWindow(size=5).add("x-1").add("x-2")
        assert DedupWindow.decode(window.encode(), 5) == window

    def test_an_absent_header_is_an_empty_window(self) -> None:
        assert DedupWindow.decode(None, 4) == DedupWindow((), 4)

    def test_a_smaller_size_on_decode_keeps_the_newest(self) -> None:
        window = DedupWindow(size=5).add("a").add("b").add("c")
        assert DedupWindow.decode(window.encode(), 2).ids == ("b", "c")

    def test_an_id_with_a_newline_is_not_stored(self) -> None:
        # It would split into two ids in the header; such an id is no CloudEvents id anyway.
        assert DedupWindow(size=3).add("a\nb").ids == ()
