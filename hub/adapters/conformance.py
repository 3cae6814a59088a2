"""The conformance kit: prove an adapter makes valid contracts, stable ids and no PII.

Run it with `hub adapters check MODULE`, or from a partner's own test suite:

    from hub.adapters.conformance import assert_conformant
    def test_my_adapter() -> None:
        assert_conformant(MyAdapter())

Every check feeds the adapter through the same pipeline as the hub does, with throw-away
keys, so it needs no broker and no key ring.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.adapters.ingest import event_output
from hub.adapters.kit import Adapter, Context
from hub.adapters.pipeline import Accepted, run
from hub.adapters.report import Rejection
from hub.bus import cloudevents
from hub.privacy.intake import IntakeSealer
from hub.privacy.keyring import INTAKE, PSEUDONYM, Key, KeyRing, new_key_material
from hub.privacy.leakscan import scan_record, scan_text

#: Made-up BSNs that pass the 11-proef, so that a leak of one would be seen.
PLANTED_BSN = "123456782"
OTHER_BSN = "232262536"
#: Fails the 11-proef.
INVALID_BSN = "123456789"
PLANTED_NAME = "Jantje Zonderachternaam"
PLANTED_ADDRESS = "Kerkstraat 12, 3511 AB Utrecht"
PLANTED_BIRTH = "29-02-2012"

#: Fields with personal data a source may send along; an adapter must drop them all.
PII_FIELDS: dict[str, str] = {
    "naam": PLANTED_NAME,
    "adres": PLANTED_ADDRESS,
    "geboortedatum": PLANTED_BIRTH,
    "postcode": "3511 AB",
    "telefoon": "0612345678",
    "email": "ouder@example.org",
    "ouder_bsn": OTHER_BSN,
}

JSON = "application/json"


@dataclass(frozen=True)
class Check:
    """One conformance check: its name, whether it passed, and what went wrong."""

    name: str
    ok: bool
    detail: str = ""


def throwaway_context(cipher: bool = True) -> Context:
    """A context with fresh random keys (notes sealed to a throwaway intake key)."""
    ring = KeyRing([Key(PSEUDONYM, 1, new_key_material()), Key(INTAKE, 1, new_key_material())])
    field_cipher = IntakeSealer.from_keyring(ring) if cipher else None
    return Context.from_keyring(ring, cipher=field_cipher, organisation="conformance")


def examples_of(adapter: Adapter) -> list[dict[str, Any]]:
    """The adapter's valid example records (attribute or method `examples`)."""
    found = getattr(adapter, "examples", None)
    if callable(found):
        found = found()
    if not found:
        return []
    return [dict(e) for e in found]


def _body(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode()


def _run(adapter: Adapter, body: bytes, ctx: Context) -> list[Accepted | Rejection]:
    return list(run(adapter, body, JSON, ctx))


#: Pieces of the planted personal data; any one of them in an output is a leak.
PLANTED_TOKENS: tuple[str, ...] = (
    PLANTED_BSN,
    OTHER_BSN,
    *PLANTED_NAME.split(),
    "Kerkstraat",
    PLANTED_BIRTH,
    "0612345678",
    "example.org",
)


def _secrets_in(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace").lower()
    return [s for s in PLANTED_TOKENS if s.lower() in text]


def _leaks(items: Sequence[Accepted | Rejection]) -> list[str]:
    problems: list[str] = []
    for item in items:
        if isinstance(item, Rejection):
            message = f"{item.reason} {item.message} {item.field or ''}"
            hits = _secrets_in(message.encode()) + [f.rule for f in scan_text(message, "m")]
            if hits:
                problems.append(f"rejection of record {item.record} repeats {', '.join(hits)}")
            continue
        record = event_output(item.event, "conformance")
        blob = (record.key or b"") + (record.value or b"") + b"".join(v for _, v in record.headers)
        hits = _secrets_in(blob) + [
            f"{f.rule} at {f.path}" for f in scan_record(record.key, record.value, record.headers)
        ]
        if hits:
            problems.append(f"event of record {item.record} holds {', '.join(hits)}")
    return problems


def _check(name: str, fn: Callable[[], str]) -> Check:
    try:
        detail = fn()
    except Exception as exc:
        return Check(name, False, f"raised {type(exc).__name__}: {exc}")
    return Check(name, not detail, detail)


def _valid(adapter: Adapter, examples: list[dict[str, Any]]) -> str:
    if not examples:
        return "the adapter has no `examples`: give at least one valid record"
    ctx = throwaway_context()
    for n, example in enumerate(examples, start=1):
        items = _run(adapter, _body(example), ctx)
        rejected = [i for i in items if isinstance(i, Rejection)]
        if rejected or not items:
            why = "; ".join(f"{r.reason}: {r.message}" for r in rejected) or "no event"
            return f"example {n} is rejected: {why}"
        for item in items:
            assert isinstance(item, Accepted)
            record = cloudevents.encode(item.event)
            back = cloudevents.decode(record.key, record.value, record.headers)
            if back != item.event:
                return f"example {n}: the event does not survive the CloudEvents binary codec"
    return ""


def _ids(adapter: Adapter, example: dict[str, Any], ctx: Context) -> list[tuple[str, str]]:
    return [
        (i.event.id, i.event.subject)
        for i in _run(adapter, _body(example), ctx)
        if isinstance(i, Accepted)
    ]


def _deterministic(adapter: Adapter, examples: list[dict[str, Any]]) -> str:
    ctx, other = throwaway_context(), throwaway_context()
    for n, example in enumerate(examples, start=1):
        first, again, rekeyed = (
            _ids(adapter, example, ctx),
            _ids(adapter, example, ctx),
            _ids(adapter, example, other),
        )
        if [i for i, _ in first] != [i for i, _ in again]:
            return f"example {n}: the same record gets different event ids"
        if [s for _, s in first] == [s for _, s in rekeyed]:
            return f"example {n}: the subject does not depend on the key (not a pseudonym)"
        if {i for i, _ in first} & {i for i, _ in rekeyed}:
            return (
                f"example {n}: an event id does not depend on the regional key (build ids "
                "with the kit: an unkeyed id lets anyone test guesses of your record numbers)"
            )
    return ""


def _no_pii(adapter: Adapter, examples: list[dict[str, Any]]) -> str:
    ctx = throwaway_context()
    for n, example in enumerate(examples, start=1):
        planted = {**example, **PII_FIELDS}
        if "onderwijsnummer" not in example:
            planted["bsn"] = PLANTED_BSN
        items = _run(adapter, _body(planted), ctx)
        if not any(isinstance(i, Accepted) for i in items):
            return f"example {n} with extra personal fields is rejected instead of cleaned"
        problems = _leaks(items)
        if problems:
            return f"example {n}: " + "; ".join(problems)
    return ""


def nasty_bodies(example: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    """The battery: bodies that must be refused precisely (or cleaned), never crash."""
    yield "empty body", b""
    yield "only whitespace", b" \r\n\t\n"
    yield "UTF-16", _body(example).decode().encode("utf-16")
    yield "random bytes", bytes(range(256)) * 4
    yield "truncated JSON", _body(example)[:-3]
    yield "JSON array of numbers", b"[1, 2, 3]"
    yield "JSON null", b"null"
    yield "deep nesting", b"[" * 5000 + b"]" * 5000
    base = dict(example)
    base.setdefault("bsn", PLANTED_BSN)
    yield "invalid BSN", _body({**base, "bsn": INVALID_BSN})
    yield "BSN with letters", _body({**base, "bsn": "12345678X"})
    yield "BSN as a number", _body({**base, "bsn": int(PLANTED_BSN)})
    yield (
        "no identifier",
        _body({k: v for k, v in base.items() if k not in ("bsn", "onderwijsnummer")}),
    )
    yield "identifier as an object", _body({**base, "bsn": {"value": PLANTED_BSN}})
    yield "BSN in the record id", _body({**base, "record_id": PLANTED_BSN})
    yield (
        "unknown fields",
        _body({**base, "x_extra": "?", "Naam": PLANTED_NAME, "vrije_tekst": "a"}),
    )
    for name, value in example.items():
        if name in ("bsn", "onderwijsnummer"):
            continue
        yield f"{name}: a BSN", _body({**base, name: PLANTED_BSN})
        yield (
            f"{name}: a name and address",
            _body({**base, name: f"{PLANTED_NAME}, {PLANTED_ADDRESS}"}),
        )
        yield f"{name}: impossible date", _body({**base, name: "31-02-2025"})
        yield f"{name}: empty", _body({**base, name: ""})
        yield f"{name}: null", _body({**base, name: None})
        yield f"{name}: a list", _body({**base, name: [PLANTED_BSN]})
        yield f"{name}: 1 MB", _body({**base, name: "x" * 1_000_000})
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield f"{name}: negative", _body({**base, name: -abs(value) - 1})
            yield f"{name}: absurd", _body({**base, name: 10**12})
            yield f"{name}: NaN", json.dumps({**base, name: math.nan}).encode()


def _battery(adapter: Adapter, examples: list[dict[str, Any]]) -> str:
    ctx = throwaway_context()
    problems: list[str] = []
    for example in examples[:1]:
        for label, body in nasty_bodies(example):
            try:
                items = _run(adapter, body, ctx)
            except Exception as exc:
                problems.append(f"{label}: the pipeline raised {type(exc).__name__}")
                continue
            crashed = [i for i in items if isinstance(i, Rejection) and i.reason == "adapter_error"]
            if crashed:
                problems.append(f"{label}: the adapter raised instead of rejecting precisely")
            for rejection in items:
                if isinstance(rejection, Rejection) and not rejection.reason:
                    problems.append(f"{label}: a rejection without a reason")
            problems += [f"{label}: {p}" for p in _leaks(items)]
    return "; ".join(problems[:20])


def check_adapter(adapter: Adapter) -> list[Check]:
    """Every conformance check of `adapter`, in order."""
    checks = [
        _check(
            "implements the Adapter protocol",
            lambda: "" if isinstance(adapter, Adapter) else "lacks partner/feed/parse/map",
        )
    ]
    if not checks[0].ok:
        return checks
    examples = examples_of(adapter)
    checks.append(
        _check("valid examples make valid contract events", lambda: _valid(adapter, examples))
    )
    if not checks[-1].ok:
        return checks
    checks += [
        _check(
            "event ids are deterministic and keyed",
            lambda: _deterministic(adapter, examples),
        ),
        _check(
            "personal fields are dropped, no PII in the output", lambda: _no_pii(adapter, examples)
        ),
        _check(
            "nasty inputs are refused precisely, never crash or leak",
            lambda: _battery(adapter, examples),
        ),
    ]
    return checks


def assert_conformant(adapter: Adapter) -> None:
    """Raise AssertionError listing every failed check (for a partner's pytest suite)."""
    failed = [c for c in check_adapter(adapter) if not c.ok]
    assert not failed, "\n".join(f"{c.name}: {c.detail}" for c in failed)
