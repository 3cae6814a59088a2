"""The conformance kit passes the built-in adapters and fails each kind of broken one."""

from __future__ import annotations

import pytest

from hub.adapters.conformance import assert_conformant, check_adapter
from hub.adapters.kit import Adapter
from hub.adapters.registry import builtin_registry
from tests.unit.adapters.bad_adapters import (
    Crashes,
    NameInSource,
    RandomIds,
    UnkeyedHash,
    UnkeyedIds,
)

BUILTIN = builtin_registry()


class TestBuiltin:
    @pytest.mark.parametrize("key", sorted(BUILTIN), ids=["/".join(k) for k in sorted(BUILTIN)])
    def test_every_builtin_adapter_conforms(self, key: tuple[str, str]) -> None:
        assert_conformant(BUILTIN[key])


def failed(adapter: Adapter) -> dict[str, str]:
    return {c.name: c.detail for c in check_adapter(adapter) if not c.ok}


class TestCatches:
    def test_random_ids(self) -> None:
        assert "same record gets different event ids" in " ".join(failed(RandomIds()).values())

    def test_unkeyed_subject(self) -> None:
        assert "not a pseudonym" in " ".join(failed(UnkeyedHash()).values())

    def test_unkeyed_event_ids(self) -> None:
        assert "does not depend on the regional key" in " ".join(failed(UnkeyedIds()).values())

    def test_name_in_the_output(self) -> None:
        assert "holds Jantje" in " ".join(failed(NameInSource()).values())

    def test_crash_on_nasty_input(self) -> None:
        details = " ".join(failed(Crashes()).values())
        assert "raised instead of rejecting precisely" in details

    def test_no_examples(self) -> None:
        class NoExamples(RandomIds):
            def examples(self) -> list[dict[str, object]]:
                return []

        assert "no `examples`" in " ".join(failed(NoExamples()).values())


class TestTemplate:
    def test_the_template_conforms(self) -> None:
        from hub.adapters.template import ADAPTERS

        for adapter in ADAPTERS:
            assert_conformant(adapter)
