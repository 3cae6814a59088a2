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
from hub.privacy.audiencecrypt import (
    audience_child_key,
    audience_key_id,
    encrypt_view_field,
    seal_audience_key,
    view_field_aad,
)
from hub.privacy.audiencecrypt import wrap_aad as audience_wrap_aad
from hub.privacy.fieldcrypt import data_key_id, wrap_aad, wrap_data_key
from hub.privacy.identifiers import parse_identifier
from hub.privacy.intake import IntakeSealer, intake_aad
from hub.privacy.keyring import (
    FIXED_AUDIENCES,
    INTAKE,
    KEK,
    PSEUDONYM,
    Key,
    audience_key_name,
    recipient_key_name,
)
from hub.privacy.pseudonyms import (
    RECORD_ID_LABEL,
    audience_pseudonym,
    hub_pseudonym,
    keyed_record_id,
    pseudonym_link,
)
from hub.privacy.sealing import public_key

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
INTAKE_PRIVATE = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef")
INTAKE_EPHEMERAL = bytes.fromhex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
RECIPIENT_PRIVATE = bytes.fromhex(
    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
)
SEAL_EPHEMERAL = bytes.fromhex("2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40")
SEAL_IV = bytes.fromhex("d0d1d2d3d4d5d6d7d8d9dadb")
VIEW_AUDIENCE = "jgz"
VIEW_ID = "5b3c8f1e-8a2d-5c4b-9e7f-0a1b2c3d4e5f"


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
    intake = Key(INTAKE, 1, INTAKE_PRIVATE)
    sealed_note = IntakeSealer(intake.kid, public_key(INTAKE_PRIVATE)).encrypt(
        PLAINTEXT,
        child=child,
        event_id=EVENT_ID,
        field=FIELD,
        ephemeral=INTAKE_EPHEMERAL,
        iv=FIELD_IV,
    )
    subject = audience_pseudonym(child, _audience_key(VIEW_AUDIENCE))
    ack = audience_child_key(DATA_KEY, VIEW_AUDIENCE, subject)
    ack_kid = audience_key_id(ack)
    view_field = encrypt_view_field(
        PLAINTEXT,
        ack,
        audience=VIEW_AUDIENCE,
        subject=subject,
        view_id=VIEW_ID,
        field=FIELD,
        iv=FIELD_IV,
    )
    recipient = Key(recipient_key_name(VIEW_AUDIENCE), 1, public_key(RECIPIENT_PRIVATE))
    key_record = seal_audience_key(
        ack,
        audience=VIEW_AUDIENCE,
        subject=subject,
        recipient_kid=recipient.kid,
        recipient_public=recipient.material,
        ephemeral=SEAL_EPHEMERAL,
        iv=SEAL_IV,
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
        "field_iv_hex": FIELD_IV.hex(),
        "intake": {
            "about": "A note sealed by an adapter to the hub's intake key (contract topics).",
            "child": child,
            "event_id": EVENT_ID,
            "field": FIELD,
            "plaintext": PLAINTEXT,
            "intake_private_hex": INTAKE_PRIVATE.hex(),
            "intake_public_hex": public_key(INTAKE_PRIVATE).hex(),
            "ephemeral_private_hex": INTAKE_EPHEMERAL.hex(),
            "info": "ojh.intake.v1",
            "aad_hex": intake_aad(child, EVENT_ID, FIELD, intake.kid).hex(),
            "encrypted_text": sealed_note.model_dump(exclude_none=True),
        },
        "audience": {
            "about": "A note as one audience receives it, and its key record (view topics).",
            "audience": VIEW_AUDIENCE,
            "subject": subject,
            "view_id": VIEW_ID,
            "field": FIELD,
            "plaintext": PLAINTEXT,
            "data_key_hex": DATA_KEY.hex(),
            "audience_child_key_hex": ack.hex(),
            "kid": ack_kid,
            "field_iv_hex": FIELD_IV.hex(),
            "field_aad_hex": view_field_aad(VIEW_AUDIENCE, subject, VIEW_ID, FIELD, ack_kid).hex(),
            "encrypted_text": view_field.model_dump(exclude_none=True),
            "recipient_private_hex": RECIPIENT_PRIVATE.hex(),
            "recipient_public_hex": recipient.material.hex(),
            "ephemeral_private_hex": SEAL_EPHEMERAL.hex(),
            "wrap_info": "ojh.audience-wrap.v1",
            "wrap_aad_hex": audience_wrap_aad(VIEW_AUDIENCE, subject, ack_kid, recipient.kid).hex(),
            "key_record": key_record.model_dump(),
        },
    }


def render() -> str:
    """The committed file's exact text."""
    return json.dumps(build_vectors(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
