"""Shared test vectors: fixed inputs, the values every adapter must compute from them.

`python -m hub.privacy.vectors > contracts/test-vectors/privacy.v1.json` regenerates the file;
a unit test fails when the committed file drifts from this code.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from hub.events.envelope import event_id
from hub.events.vocab import Partner
from hub.privacy.fieldcrypt import (
    data_key_id,
    encrypt_field,
    field_aad,
    wrap_aad,
    wrap_data_key,
)
from hub.privacy.identifiers import parse_identifier
from hub.privacy.keyring import FIXED_AUDIENCES, KEK, PSEUDONYM, Key, audience_key_name
from hub.privacy.pseudonyms import (
    RECORD_ID_LABEL,
    audience_pseudonym,
    hub_pseudonym,
    keyed_record_id,
    pseudonym_link,
)

# Made-up keys for vectors only: never use them for anything else.
REGIONAL_KEY_V1 = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
REGIONAL_KEY_V2 = bytes.fromhex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f")
KEK_V1 = bytes.fromhex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f")
AUDIENCES = (*FIXED_AUDIENCES, "schoolbestuur:41234")


def _audience_key(audience: str) -> Key:
    # Readable made-up audience keys: byte i is (0x60 + 8 * index + i) mod 256.
    index = AUDIENCES.index(audience)
    return Key(
        audience_key_name(audience), 1, bytes((0x60 + index * 8 + i) % 256 for i in range(32))
    )


IDENTIFIERS: tuple[tuple[str, str], ...] = (
    ("bsn", "123456782"),
    ("bsn", "1234.56.782"),
    ("bsn", "12345672"),
    ("bsn", "111 222 333"),
    ("onderwijsnummer", "1012.22.331"),
)
INVALID: tuple[tuple[str, str, str], ...] = (
    ("bsn", "123456789", "fails the 11-proef"),
    ("bsn", "1234567", "expected 9 digits"),
    ("onderwijsnummer", "100252333", "fails the onderwijsnummer check"),
    ("onderwijsnummer", "211222337", "does not start with 10"),
)

EVENT_ID = "school:las-1:verzuim:2026-11-16:0001"
#: Partners' own record references: a JSON feed's record_id, the absence CSV's composite.
RECORD_REFS: tuple[tuple[str, str, str], ...] = (
    ("buurtteam", "BT-2026-0042", "nl.onderwijsjeugd.buurtteam.hulptraject.gestart.v1"),
    (
        "school",
        "\x1f".join(("verzuim", "12AB", "00", "4711", "2026-11-16", "ongeoorloofd")),
        "nl.onderwijsjeugd.school.verzuim.geregistreerd.v1",
    ),
)
FIELD = "toelichting"
PLAINTEXT = "Leerling meldt zich al drie weken ziek; moeder wil graag een gesprek."
DATA_KEY = bytes.fromhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
DATA_KEY_NONCE = bytes.fromhex("a0a1a2a3a4a5a6a7")
FIELD_IV = bytes.fromhex("b0b1b2b3b4b5b6b7b8b9babb")
WRAP_IV = bytes.fromhex("c0c1c2c3c4c5c6c7c8c9cacb")


def _record_id(partner: str, ref: str, kind: str, key: Key) -> dict[str, Any]:
    keyed = keyed_record_id(partner, ref, key)
    return {
        "partner": partner,
        "record": ref,
        "kid": key.kid,
        "hmac_message_hex": "\x00".join((RECORD_ID_LABEL, partner, ref)).encode().hex(),
        "source_record_id": keyed,
        "type": kind,
        "event_id": event_id(Partner(partner), keyed, kind),
    }


def build_vectors() -> dict[str, Any]:
    """Every vector, as the JSON document committed under contracts/test-vectors/."""
    regional_v1 = Key(PSEUDONYM, 1, REGIONAL_KEY_V1)
    regional_v2 = Key(PSEUDONYM, 2, REGIONAL_KEY_V2)
    kek = Key(KEK, 1, KEK_V1)

    pseudonyms = []
    for kind, raw in IDENTIFIERS:
        ident = parse_identifier(kind, raw)
        hub = hub_pseudonym(ident, regional_v1)
        pseudonyms.append(
            {
                "kind": kind,
                "input": raw,
                "typed": ident.typed(),
                "hmac_message_hex": ident.typed().encode("utf-8").hex(),
                "hub_kid": hub.kid,
                "hub_pseudonym": hub.value,
                "audience_pseudonyms": {
                    a: audience_pseudonym(hub.value, _audience_key(a)) for a in AUDIENCES
                },
            }
        )

    first = parse_identifier(*IDENTIFIERS[0])
    link = pseudonym_link(first, regional_v1, regional_v2)
    child = hub_pseudonym(first, regional_v1).value
    kid = data_key_id(child, DATA_KEY_NONCE)
    wrapped = wrap_data_key(child, kid, DATA_KEY, kek, iv=WRAP_IV)
    encrypted = encrypt_field(
        PLAINTEXT, DATA_KEY, kid, child=child, event_id=EVENT_ID, field=FIELD, iv=FIELD_IV
    )
    return {
        "about": "Privacy test vectors of the onderwijs-jeugd hub; layouts in docs/privacy.md.",
        "version": 1,
        "keys": {
            regional_v1.kid: REGIONAL_KEY_V1.hex(),
            regional_v2.kid: REGIONAL_KEY_V2.hex(),
            kek.kid: KEK_V1.hex(),
            **{_audience_key(a).kid: _audience_key(a).material.hex() for a in AUDIENCES},
        },
        "audiences": {a: _audience_key(a).kid for a in AUDIENCES},
        "pseudonyms": pseudonyms,
        "invalid_identifiers": [
            {"kind": kind, "input": raw, "reason_contains": reason} for kind, raw, reason in INVALID
        ],
        "rotation_link": link.model_dump(),
        "record_ids": [
            _record_id(partner, ref, kind, regional_v1) for partner, ref, kind in RECORD_REFS
        ],
        "data_key": {
            "child": child,
            "nonce_hex": DATA_KEY_NONCE.hex(),
            "kid": kid,
            "data_key_hex": DATA_KEY.hex(),
            "kek_kid": kek.kid,
            "wrap_iv_hex": WRAP_IV.hex(),
            "wrap_aad_hex": wrap_aad(child, kid, kek.kid).hex(),
            "wrapped_record": wrapped.model_dump(),
        },
        "field_encryption": {
            "child": child,
            "event_id": EVENT_ID,
            "field": FIELD,
            "plaintext": PLAINTEXT,
            "data_key_hex": DATA_KEY.hex(),
            "kid": kid,
            "iv_hex": FIELD_IV.hex(),
            "aad_hex": field_aad(child, EVENT_ID, FIELD, kid).hex(),
            "encrypted_text": encrypted.model_dump(),
        },
    }


def render() -> str:
    """The committed file's exact text."""
    return json.dumps(build_vectors(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
