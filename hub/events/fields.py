"""Field types shared by every contract: pseudonyms and the encrypted-text wire shape."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: A child's pseudonym (hub or audience): lowercase hex of an HMAC-SHA256, never an identity.
#: Hex, not base64url, so that no run of nine digits can stand between separators.
Pseudonym = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

#: A key id as carried next to a pseudonym or a ciphertext: short, printable, no spaces.
KeyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]

#: The largest ciphertext one encrypted field may carry (a note, not a document).
MAX_CIPHERTEXT_BYTES = 16 * 1024
_MAX_CT_CHARS = -(-(MAX_CIPHERTEXT_BYTES + 16) * 4 // 3)


class EncryptedText(BaseModel):
    """Free text encrypted with AES-256-GCM under the child's data key.

    Wire shape: `{"alg": "A256GCM", "kid": "<data key id>", "iv": "<b64url 12 bytes>",
    "ct": "<b64url ciphertext with its 16-byte tag>"}`. The associated data binds the
    ciphertext to the child's pseudonym, the event id and the field name, so it cannot be
    moved to another event. After erasure the data key is gone and readers show 'gewist'.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    alg: Literal["A256GCM"] = "A256GCM"
    kid: KeyId = Field(description="Id of the child's data key that encrypted this field.")
    iv: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16}$")] = Field(
        description="The 96-bit GCM nonce, base64url without padding (16 characters)."
    )
    ct: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", min_length=22, max_length=_MAX_CT_CHARS),
    ] = Field(description="Ciphertext followed by the 128-bit GCM tag, base64url, no padding.")

    @staticmethod
    def b64(data: bytes) -> str:
        """Base64url without padding, the encoding of `iv` and `ct`."""
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    @staticmethod
    def unb64(text: str) -> bytes:
        """Decode base64url with or without padding."""
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
