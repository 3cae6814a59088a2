"""The schema compatibility checker, on deliberately broken variants of a real schema."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from hub.events import released
from hub.events.compat import incompatibilities
from hub.events.export import data_schema
from hub.events.school import VERZUIM_GEREGISTREERD, VERZUIMMELDING_GEDAAN

Schema = dict[str, Any]


def _base() -> Schema:
    return data_schema(VERZUIM_GEREGISTREERD)


def _mutated(change: Callable[[Schema], None]) -> Schema:
    schema = copy.deepcopy(_base())
    change(schema)
    return schema


def _optional_added(s: Schema) -> None:
    s["properties"]["lesweek"] = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}


def _bound_widened(s: Schema) -> None:
    s["properties"]["lesuren"]["maximum"] = 24


def _enum_widened(s: Schema) -> None:
    s["$defs"]["VerzuimSoort"]["enum"].append("schorsing")


class TestCompatible:
    @pytest.mark.parametrize("change", [_optional_added, _bound_widened, _enum_widened])
    def test_allowed_changes(self, change: Callable[[Schema], None]) -> None:
        assert incompatibilities(_base(), _mutated(change)) == []

    def test_released_versions_still_accepted(self) -> None:
        assert released.compatibility_problems() == []

    def test_every_type_released(self) -> None:
        from hub.events.registry import event_types

        root = released.released_dir()
        assert {p.stem for p in root.glob("v1/*.json")} == set(event_types())


def _field_removed(s: Schema) -> None:
    del s["properties"]["vestiging"]


def _required_added(s: Schema) -> None:
    s["required"].append("brin")


def _new_required_field(s: Schema) -> None:
    s["properties"]["lesweek"] = {"type": "integer"}
    s["required"].append("lesweek")


def _enum_narrowed(s: Schema) -> None:
    s["$defs"]["VerzuimSoort"]["enum"].remove("luxe")


def _type_narrowed(s: Schema) -> None:
    s["properties"]["lesuren"]["type"] = "integer"


def _max_lowered(s: Schema) -> None:
    s["properties"]["lesuren"]["maximum"] = 8


def _min_raised(s: Schema) -> None:
    s["properties"]["lesuren"]["minimum"] = 1


def _null_dropped(s: Schema) -> None:
    s["properties"]["brin"] = {"type": "string", "pattern": "^[0-9]{2}[A-Z]{2}$"}


def _pattern_changed(s: Schema) -> None:
    s["properties"]["brin"]["anyOf"][0]["pattern"] = "^[0-9]{2}[A-Z]{3}$"


def _nested_narrowed(s: Schema) -> None:
    s["$defs"]["EncryptedText"]["properties"]["ct"]["maxLength"] = 100


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_field_removed, "vestiging: was removed"),
        (_required_added, "brin: is newly required"),
        (_new_required_field, "lesweek: is newly required"),
        (_enum_narrowed, "soort: enum no longer accepts luxe"),
        (_type_narrowed, "lesuren: type no longer accepts number"),
        (_max_lowered, "lesuren: maximum lowered from 12 to 8"),
        (_min_raised, "lesuren: minimum raised from 0 to 1"),
        (_null_dropped, "brin: type no longer accepts null"),
        (_pattern_changed, "brin: pattern changed"),
        (_nested_narrowed, "opmerking.ct: maxLength lowered"),
    ],
)
class TestIncompatible:
    def test_breaking_change_reported(
        self, change: Callable[[Schema], None], expected: str
    ) -> None:
        problems = incompatibilities(_base(), _mutated(change))
        assert any(p.startswith(expected) for p in problems), problems


class TestReleasedCheck:
    def test_broken_release_reported(self, tmp_path: Any) -> None:
        released.release(tmp_path)
        path = released.released_dir(tmp_path) / "v1" / f"{VERZUIMMELDING_GEDAAN}.json"
        # Pretend the released version accepted more verzuimsoorten than the code does now.
        text = path.read_text().replace('"OVERIG"', '"OVERIG",\n        "SCHORSING"')
        path.write_text(text)
        problems = released.compatibility_problems(tmp_path)
        assert problems == [
            f"{VERZUIMMELDING_GEDAAN}: data.verzuimsoort: enum no longer accepts SCHORSING"
        ]

    def test_removed_type_reported(self, tmp_path: Any) -> None:
        released.release(tmp_path)
        (
            released.released_dir(tmp_path) / "v1" / "nl.onderwijsjeugd.school.oud.v1.json"
        ).write_text("{}")
        assert released.compatibility_problems(tmp_path) == [
            "nl.onderwijsjeugd.school.oud.v1: released but no longer in the code"
        ]

    def test_release_never_overwrites(self, tmp_path: Any) -> None:
        assert released.release(tmp_path)
        assert released.release(tmp_path) == []
