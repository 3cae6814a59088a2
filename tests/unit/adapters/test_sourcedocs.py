"""contracts/sources/ is generated from the adapters; it must not drift, and its examples work."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.adapters.kit import Context
from hub.adapters.pipeline import Accepted, run
from hub.adapters.registry import builtin_registry
from hub.adapters.sourcedocs import render
from hub.privacy.identifiers import passes_elfproef

ROOT = Path(__file__).resolve().parents[3] / "contracts" / "sources"
RENDERED = render()
EXAMPLES = sorted(p for p in RENDERED if p.startswith("examples/"))


class TestDrift:
    @pytest.mark.parametrize("relative", sorted(RENDERED))
    def test_committed_file_matches_the_code(self, relative: str) -> None:
        path = ROOT / relative
        assert path.exists(), f"{relative} missing: run `hub adapters docs --write`"
        assert path.read_bytes() == RENDERED[relative].encode(), (
            f"{relative} drifted: run `hub adapters docs --write`"
        )

    def test_no_stale_files(self) -> None:
        committed = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()}
        assert committed == set(RENDERED)


class TestExamples:
    @pytest.mark.parametrize("relative", EXAMPLES)
    def test_example_goes_through_its_adapter(self, relative: str, ctx: Context) -> None:
        partner, feed = relative.removeprefix("examples/").rsplit(".", 1)[0].split(".", 1)
        adapter = builtin_registry().get_adapter(partner, feed)
        kind = "text/csv" if relative.endswith(".csv") else "application/x-ndjson"
        items = list(run(adapter, (ROOT / relative).read_bytes(), kind, ctx))
        assert items
        assert all(isinstance(i, Accepted) for i in items), items

    def test_example_bsns_are_made_up_but_pass_the_11_proef(self) -> None:
        import re

        for relative in EXAMPLES:
            for number in re.findall(r"(?<!\d)\d{9}(?!\d)", RENDERED[relative]):
                assert passes_elfproef(number), f"{relative}: {number} fails the 11-proef"
