"""The committed test vectors: unchanged, and recomputable from the documented byte layouts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.privacy.identifiers import InvalidIdentifier, parse_identifier
from hub.privacy.vectors import render

VECTORS_FILE = (
    Path(__file__).resolve().parents[3] / "contracts" / "test-vectors" / "privacy.v1.json"
)


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return json.loads(VECTORS_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key(vectors: dict[str, Any], kid: str) -> bytes:
    return bytes.fromhex(vectors["keys"][kid])


class TestCommittedFile:
    def test_file_matches_the_code(self) -> None:
        assert VECTORS_FILE.read_text(encoding="utf-8") == render(), (
            "regenerate: python -m hub.privacy.vectors > contracts/test-vectors/privacy.v1.json"
        )


class TestIndependentRecomputation:
    """Recompute with bare hmac/AESGCM, following docs/privacy.md, not the hub's functions."""

    def test_identifier_normal_form(self, vectors: dict[str, Any]) -> None:
        for case in vectors["pseudonyms"]:
            assert parse_identifier(case["kind"], case["input"]).typed() == case["typed"]
            assert bytes.fromhex(case["hmac_message_hex"]) == case["typed"].encode()
        for case in vectors["invalid_identifiers"]:
            with pytest.raises(InvalidIdentifier, match=case["reason_contains"]):
                parse_identifier(case["kind"], case["input"])

    def test_hub_and_audience_pseudonyms(self, vectors: dict[str, Any]) -> None:
        for case in vectors["pseudonyms"]:
            key = _key(vectors, case["hub_kid"])
            hub = hmac.new(key, case["typed"].encode("utf-8"), hashlib.sha256).hexdigest()
            assert hub == case["hub_pseudonym"]
            for audience, expected in case["audience_pseudonyms"].items():
                akey = _key(vectors, vectors["audiences"][audience])
                assert hmac.new(akey, hub.encode("ascii"), hashlib.sha256).hexdigest() == expected

    def test_rotation_link(self, vectors: dict[str, Any]) -> None:
        link, typed = vectors["rotation_link"], vectors["pseudonyms"][0]["typed"].encode()
        for side in ("old", "new"):
            key = _key(vectors, link[f"{side}_kid"])
            assert hmac.new(key, typed, hashlib.sha256).hexdigest() == link[side]

    def test_keyed_record_ids_and_event_ids(self, vectors: dict[str, Any]) -> None:
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://contracts.onderwijsjeugd.nl/events")
        assert len(vectors["record_ids"]) >= 2
        for case in vectors["record_ids"]:
            message = f"ojh.record.v1\x00{case['partner']}\x00{case['record']}".encode()
            assert message.hex() == case["hmac_message_hex"]
            mac = hmac.new(_key(vectors, case["kid"]), message, hashlib.sha256).hexdigest()
            assert case["source_record_id"] == "r" + mac[:32]
            name = f"{case['partner']}\x1f{case['source_record_id']}\x1f{case['type']}"
            assert case["event_id"] == str(uuid.uuid5(namespace, name))

    def test_data_key_id_and_wrap(self, vectors: dict[str, Any]) -> None:
        dk = vectors["data_key"]
        nonce = bytes.fromhex(dk["nonce_hex"])
        check = hashlib.sha256(dk["child"].encode() + nonce).hexdigest()[:16]
        assert dk["kid"] == f"dk.{nonce.hex()}.{check}"
        aad = b"\x00".join(
            [b"ojh.datakey.v1", dk["child"].encode(), dk["kid"].encode(), dk["kek_kid"].encode()]
        )
        assert aad.hex() == dk["wrap_aad_hex"]
        iv = bytes.fromhex(dk["wrap_iv_hex"])
        wrapped = AESGCM(_key(vectors, dk["kek_kid"])).encrypt(
            iv, bytes.fromhex(dk["data_key_hex"]), aad
        )
        assert dk["wrapped_record"] == {
            "v": 1,
            "child": dk["child"],
            "kid": dk["kid"],
            "kek": dk["kek_kid"],
            "iv": _b64url(iv),
            "wrapped": _b64url(wrapped),
        }

    def test_intake_sealed_note(self, vectors: dict[str, Any]) -> None:
        it = vectors["intake"]
        recipient = bytes.fromhex(it["intake_public_hex"])
        assert _x25519_public(bytes.fromhex(it["intake_private_hex"])) == recipient
        kid = it["encrypted_text"]["kid"]
        aad = "\x00".join(["ojh.intake.v1", it["child"], it["event_id"], it["field"], kid])
        assert aad.encode().hex() == it["aad_hex"]
        epk, ct = _seal(
            bytes.fromhex(it["ephemeral_private_hex"]),
            recipient,
            it["info"].encode(),
            bytes.fromhex(vectors["field_iv_hex"]),
            it["plaintext"].encode(),
            aad.encode(),
        )
        assert it["encrypted_text"] == {
            "alg": "X25519-A256GCM",
            "kid": kid,
            "epk": _b64url(epk),
            "iv": _b64url(bytes.fromhex(vectors["field_iv_hex"])),
            "ct": _b64url(ct),
        }

    def test_audience_key_field_and_key_record(self, vectors: dict[str, Any]) -> None:
        au = vectors["audience"]
        info = "\x00".join(["ojh.audience-key.v1", au["audience"], au["subject"]]).encode()
        ack = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
            bytes.fromhex(au["data_key_hex"])
        )
        assert ack.hex() == au["audience_child_key_hex"]
        kid = "ak." + hashlib.sha256(b"ojh.audience-kid.v1\x00" + ack).hexdigest()[:16]
        assert kid == au["kid"]
        aad = "\x00".join(
            ["ojh.view-field.v1", au["audience"], au["subject"], au["view_id"], au["field"], kid]
        ).encode()
        assert aad.hex() == au["field_aad_hex"]
        iv = bytes.fromhex(au["field_iv_hex"])
        ct = AESGCM(ack).encrypt(iv, au["plaintext"].encode(), aad)
        assert au["encrypted_text"] == {
            "alg": "A256GCM",
            "kid": kid,
            "iv": _b64url(iv),
            "ct": _b64url(ct),
        }
        recipient = _x25519_public(bytes.fromhex(au["recipient_private_hex"]))
        assert recipient.hex() == au["recipient_public_hex"]
        record = au["key_record"]
        wrap_aad = "\x00".join(
            ["ojh.audience-wrap.v1", au["audience"], au["subject"], kid, record["recipient"]]
        ).encode()
        assert wrap_aad.hex() == au["wrap_aad_hex"]
        wrap_iv = base64.urlsafe_b64decode(record["iv"] + "==")
        epk, wrapped = _seal(
            bytes.fromhex(au["ephemeral_private_hex"]),
            recipient,
            au["wrap_info"].encode(),
            wrap_iv,
            ack,
            wrap_aad,
        )
        assert record == {
            "v": 1,
            "audience": au["audience"],
            "subject": au["subject"],
            "kid": kid,
            "recipient": record["recipient"],
            "epk": _b64url(epk),
            "iv": _b64url(wrap_iv),
            "wrapped": _b64url(wrapped),
        }


def _x25519_public(private: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(private).public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _seal(
    ephemeral: bytes, recipient: bytes, info: bytes, iv: bytes, plaintext: bytes, aad: bytes
) -> tuple[bytes, bytes]:
    """The documented layout: X25519, HKDF-SHA256(salt = epk || recipient), AES-256-GCM."""
    eph = X25519PrivateKey.from_private_bytes(ephemeral)
    epk = _x25519_public(ephemeral)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(recipient))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient, info=info).derive(shared)
    return epk, AESGCM(key).encrypt(iv, plaintext, aad)
