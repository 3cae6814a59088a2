"""Record value types and the codecs."""

from __future__ import annotations

from pydantic import BaseModel

from hub.bus.handler import JsonCodec, PydanticCodec
from hub.bus.records import InRecord, Output, header


class Casus(BaseModel):
    open: bool
    partners: list[str]


class TestRecords:
    def test_header_takes_the_last_value(self) -> None:
        assert header((("a", b"1"), ("a", b"2")), "a") == b"2"
        assert header((), "a") is None

    def test_event_id_comes_from_ce_id(self) -> None:
        assert InRecord("t", 0, 0, None, None, (("ce_id", b"e-1"),)).event_id == "e-1"
        assert Output("t", None, None).event_id is None


class TestCodecs:
    def test_json_is_compact_and_sorted(self) -> None:
        assert JsonCodec().encode({"b": 1, "a": [2]}) == b'{"a":[2],"b":1}'
        assert JsonCodec().decode(b'{"a":1}') == {"a": 1}

    def test_pydantic_round_trip(self) -> None:
        codec = PydanticCodec(Casus)
        value = Casus(open=True, partners=["school"])
        assert codec.decode(codec.encode(value)) == value
