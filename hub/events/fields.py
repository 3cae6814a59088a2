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


#: BRIN of a school (4 characters: 2 digits, 2 letters); a school id is not personal data.
Brin = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}[A-Z]{2}$")]

#: Vestiging number of a school location, as in BRIN+vestiging (2 digits).
Vestiging = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]

#: A reference to a record in a partner system (a melding or verzoek id), never an identity.
RecordRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")]

#: A short, bounded, single-line label (a rule name, an explanation of at most one sentence).
Label = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\n\r]*$"),
]

#: Year of birth: the only age datum that may travel (for the 18 and 23 year limits).
Geboortejaar = Annotated[int, Field(ge=1990, le=2100)]

#: Lesuren of one registration: at most one school day, quarter hours and minutes allowed.
Lesuren = Annotated[float, Field(ge=0, le=12, allow_inf_nan=False)]
