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
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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

    def test_field_encryption(self, vectors: dict[str, Any]) -> None:
        fe = vectors["field_encryption"]
        aad = "\x00".join(["ojh.field.v1", fe["child"], fe["event_id"], fe["field"], fe["kid"]])
        assert aad.encode().hex() == fe["aad_hex"]
        iv = bytes.fromhex(fe["iv_hex"])
        ct = AESGCM(bytes.fromhex(fe["data_key_hex"])).encrypt(
            iv, fe["plaintext"].encode(), aad.encode()
        )
        assert fe["encrypted_text"] == {
            "alg": "A256GCM",
            "kid": fe["kid"],
            "iv": _b64url(iv),
            "ct": _b64url(ct),
        }
