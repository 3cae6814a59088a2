"""Micro-benchmark of the privacy core, per core: `python -m bench.bench_privacy`.

Prints a small table and writes bench/results/privacy.json. Not a timed test.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from hub.privacy.fieldcrypt import DataKeyRing, FieldCipher, InMemoryDataKeyStore
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import Key, KeyRing
from hub.privacy.pseudonyms import audience_pseudonym, pseudonymise

RESULTS = Path(__file__).resolve().parent / "results" / "privacy.json"
NOTE = "Leerling meldt zich al drie weken ziek; moeder wil graag een gesprek met de IB'er." * 2


def _rate(run: Callable[[int], None], n: int, repeats: int = 3) -> float:
    """Operations per second: the best of `repeats` timed runs of `n` operations."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def _bsns(n: int) -> list[str]:
    # Made-up numbers: 8 digits and the check digit that makes the 11-proef pass.
    out: list[str] = []
    i = 10_000_000
    while len(out) < n:
        body = f"{i:08d}"
        total = sum(int(d) * w for d, w in zip(body, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        check = total % 11
        if check < 10 and total != check:
            out.append(body + str(check))
        i += 7
    return out


def main() -> dict[str, float]:
    """Run every measurement; print the table; write the JSON."""
    ring = KeyRing(
        [
            Key("pseudonym", 1, os.urandom(32)),
            Key("kek", 1, os.urandom(32)),
            Key("audience-jgz", 1, os.urandom(32)),
        ]
    )
    n = 20_000
    raw = _bsns(n)
    idents = [parse_identifier("bsn", b) for b in raw]
    hubs = [pseudonymise(i, ring).value for i in idents]
    jgz = ring.audience_key("jgz")

    def validate(k: int) -> None:
        for b in raw[:k]:
            parse_identifier("bsn", b)

    def pseudo(k: int) -> None:
        for b in raw[:k]:
            pseudonymise(parse_identifier("bsn", b), ring)

    def audience(k: int) -> None:
        for h in hubs[:k]:
            audience_pseudonym(h, jgz)

    cipher = FieldCipher(DataKeyRing(InMemoryDataKeyStore(), ring))
    children = hubs[:100]
    for child in children:
        cipher.encrypt("warm", child=child, event_id="warm", field="f")
    encrypted = [
        cipher.encrypt(NOTE, child=children[i % 100], event_id=f"e{i}", field="toelichting")
        for i in range(n)
    ]

    def encrypt(k: int) -> None:
        for i in range(k):
            cipher.encrypt(NOTE, child=children[i % 100], event_id=f"e{i}", field="toelichting")

    def decrypt(k: int) -> None:
        for i in range(k):
            cipher.decrypt(
                encrypted[i], child=children[i % 100], event_id=f"e{i}", field="toelichting"
            )

    def decrypt_cold(k: int) -> None:
        # A fresh DataKeyRing per call: the data key is unwrapped with the KEK every time.
        store = cipher.datakeys.store
        for i in range(k):
            fresh = FieldCipher(DataKeyRing(store, ring))
            fresh.decrypt(
                encrypted[i], child=children[i % 100], event_id=f"e{i}", field="toelichting"
            )

    def new_child(k: int) -> None:
        fresh = FieldCipher(DataKeyRing(InMemoryDataKeyStore(), ring))
        for i in range(k):
            fresh.encrypt(NOTE, child=hubs[i], event_id="e", field="toelichting")

    rates = {
        "identifier_validations_per_s": _rate(validate, n),
        "pseudonymisations_per_s": _rate(pseudo, n),
        "audience_pseudonyms_per_s": _rate(audience, n),
        "field_encryptions_per_s": _rate(encrypt, n),
        "field_decryptions_per_s": _rate(decrypt, n),
        "field_decryptions_cold_key_per_s": _rate(decrypt_cold, n // 4),
        "first_encryption_new_child_per_s": _rate(new_child, n // 4),
    }
    print(
        f"privacy core, one core ({platform.python_implementation()} {platform.python_version()})"
    )
    print(f"{'operation':<36}{'ops/s':>12}")
    for name, rate in rates.items():
        print(f"{name.removesuffix('_per_s'):<36}{rate:>12,.0f}")
    document = {
        "bench": "privacy",
        "field_plaintext_bytes": len(NOTE.encode()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "per_core": {k: round(v) for k, v in rates.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")
    return rates


if __name__ == "__main__":
    main()
