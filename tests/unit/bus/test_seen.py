"""The seen-ids rule of the publish-only edges: new, duplicate, or changed (a conflict)."""

from __future__ import annotations

from hub.bus.records import EVENT_ID_HEADER, Output
from hub.bus.seen import SeenIds, seen_value


def out(event_id: str | None) -> Output:
    headers = () if event_id is None else ((EVENT_ID_HEADER, event_id.encode()),)
    return Output("contract.school.v1", b"k", b"{}", headers)


def test_new_ids_go_out_known_ones_are_duplicates_changed_ones_conflicts() -> None:
    seen = SeenIds()
    seen.apply(b"a", seen_value("fa"))
    seen.apply(b"b", seen_value("fb"))
    verdict = seen.judge([out("a"), out("b"), out("c"), out(None)], {"a": "fa", "b": "XX"})
    assert verdict.accepted == ("c",)
    assert verdict.duplicates == ("a",)
    assert verdict.conflicts == ("b",)
    assert [o.event_id for o in verdict.fresh] == ["c", None]  # dead letters always go out


def test_one_id_twice_in_a_batch() -> None:
    verdict = SeenIds().judge([out("a"), out("a"), out("a")], {"a": "f"})
    assert (verdict.accepted, verdict.duplicates, verdict.conflicts) == (("a",), ("a", "a"), ())


def test_an_unknown_fingerprint_never_makes_a_conflict() -> None:
    seen = SeenIds()
    seen.apply(b"old", b"1")  # written before fingerprints existed
    verdict = seen.judge([out("old"), out("new")], {"old": "f1"})
    assert verdict.duplicates == ("old",)
    seen.mark(verdict.accepted, {})
    assert seen.judge([out("new")], {"new": "f2"}).duplicates == ("new",)


def test_a_tombstone_forgets_an_id() -> None:
    seen = SeenIds()
    seen.apply(b"a", seen_value("f"))
    seen.apply(b"a", None)
    assert len(seen) == 0
    assert seen.judge([out("a")], {"a": "g"}).accepted == ("a",)


def test_the_value_marks_the_id_even_without_a_fingerprint() -> None:
    assert seen_value("") == b"1"
    assert seen_value("r0a1") == b"r0a1"
