"""Issue 14.7: ids derived from a partner's identifiers are keyed (HMAC under the regional key)."""

from __future__ import annotations

import hashlib
import itertools

from hub.adapters.kit import Context
from hub.adapters.pipeline import Accepted, run
from hub.adapters.registry import builtin_registry
from hub.adapters.school.verzuimcsv import VerzuimCsv
from hub.events.envelope import event_id
from hub.events.school import VERZUIM_GEREGISTREERD
from hub.events.vocab import Partner
from hub.privacy.keyring import KEK, PSEUDONYM, Key, KeyRing
from tests.data.school import csv_bytes

ROW = ["12AB", "00", "4711", "123456782", "16-11-2026", "2,5", "ongeoorloofd"]
HEADER = ("brin", "vestiging", "leerlingnummer", "bsn", "datum", "lesuren", "soort")


def _ring(pseudonym: bytes) -> KeyRing:
    return KeyRing([Key(PSEUDONYM, 1, pseudonym), Key(KEK, 1, b"k" * 32)])


def _ids(ctx: Context, body: bytes, feed: str = "verzuim", partner: str = "school") -> list[str]:
    adapter = builtin_registry().get_adapter(partner, feed)
    ctype = "text/csv" if feed == "verzuim" else "application/json"
    return [i.event.id for i in run(adapter, body, ctype, ctx) if isinstance(i, Accepted)]


def _unkeyed_verzuim_id(leerlingnummer: str) -> str:
    # What an attacker holding event ids would compute for each guessed pupil number.
    material = "\x1f".join(("12AB", "00", leerlingnummer, "2026-11-16", "ongeoorloofd"))
    ref = "verzuim-" + hashlib.sha256(material.encode()).hexdigest()[:32]
    return event_id(Partner.SCHOOL, ref, VERZUIM_GEREGISTREERD)


def test_pupil_numbers_cannot_be_recovered_from_event_ids_by_guessing() -> None:
    (eid,) = _ids(Context.from_keyring(_ring(b"p" * 32)), csv_bytes([ROW], header=HEADER))
    guesses = {_unkeyed_verzuim_id(str(n)) for n in range(1, 10_000)}
    assert eid not in guesses


def test_same_row_same_id_under_one_key_other_id_under_another() -> None:
    body = csv_bytes([ROW], header=HEADER)
    one, again = Context.from_keyring(_ring(b"p" * 32)), Context.from_keyring(_ring(b"p" * 32))
    other = Context.from_keyring(_ring(b"q" * 32))
    assert _ids(one, body) == _ids(again, body)  # a re-import is a duplicate
    assert _ids(one, body) != _ids(other, body)


def test_json_feed_record_ids_are_keyed_too() -> None:
    body = (
        b'{"record_id": "BT-2026-0042", "bsn": "123456782", "datum": "2026-11-09", '
        b'"domein": "opvoeden"}'
    )
    one = _ids(Context.from_keyring(_ring(b"p" * 32)), body, "hulptraject-gestart", "buurtteam")
    two = _ids(Context.from_keyring(_ring(b"q" * 32)), body, "hulptraject-gestart", "buurtteam")
    assert len(one) == 1
    assert one != two


def test_ids_stay_distinct_per_pupil_day_and_kind() -> None:
    ctx = Context.from_keyring(_ring(b"p" * 32))
    rows = [
        [*ROW[:2], str(n), ROW[3], f"{d}-11-2026", "1", soort]
        for n, d, soort in itertools.product(("1", "2"), ("16", "17"), ("ziek", "ongeoorloofd"))
    ]
    assert len(set(_ids(ctx, csv_bytes(rows, header=HEADER)))) == len(rows)


def test_verzuim_reference_holds_no_pupil_number_after_keying() -> None:
    ctx = Context.from_keyring(_ring(b"p" * 32))
    keyed = ctx.source_id(Partner.SCHOOL, "verzuim\x1f12AB\x1f00\x1f4711\x1f2026-11-16\x1fziek")
    assert keyed.startswith("r")
    assert len(keyed) == 33
    assert "4711" not in keyed
    assert VerzuimCsv.model.event_type == VERZUIM_GEREGISTREERD
