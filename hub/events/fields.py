"""Field types shared by every contract: pseudonyms and the encrypted-text wire shape."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: A child's pseudonym (hub or audience): lowercase hex of an HMAC-SHA256, never an identity.
#: Hex, not base64url, so that no run of nine digits can stand between separators.
Pseudonym = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]

#: A key id as carried next to a pseudonym or a ciphertext: short, printable, no spaces.
KeyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]

#: The largest ciphertext one encrypted field may carry (a note, not a document).
MAX_CIPHERTEXT_BYTES = 16 * 1024
_MAX_CT_CHARS = -(-(MAX_CIPHERTEXT_BYTES + 16) * 4 // 3)


class EncryptedText(BaseModel):
    """Free text encrypted with AES-256-GCM: sealed to the hub, or for one audience.

    On a contract topic (`alg` = `X25519-A256GCM`) the adapter seals the note to the hub's intake
    public key: `{"alg", "kid": "intake.v<n>", "epk", "iv", "ct"}`. On a view topic
    (`alg` = `A256GCM`) the note is encrypted under the audience child key named by
    `kid` (`ak.<16 hex>`), which only that audience can unseal from its key topic. The
    associated data binds a ciphertext to its child, event (or view) and field, so it cannot
    be moved. After erasure the keys are gone and readers show 'gewist'.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    alg: Literal["A256GCM", "X25519-A256GCM"] = "A256GCM"
    kid: KeyId = Field(description="Id of the key that encrypted this field.")
    epk: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{43}$")] | None = Field(
        default=None,
        description="With X25519-A256GCM: the ephemeral X25519 public key, base64url (43).",
    )
    iv: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16}$")] = Field(
        description="The 96-bit GCM nonce, base64url without padding (16 characters)."
    )
    ct: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9_-]+$", min_length=22, max_length=_MAX_CT_CHARS),
    ] = Field(description="Ciphertext followed by the 128-bit GCM tag, base64url, no padding.")

    @model_validator(mode="after")
    def _epk_with_x25519(self) -> EncryptedText:
        if (self.alg == "X25519-A256GCM") != (self.epk is not None):
            raise ValueError("epk goes with alg X25519-A256GCM, and only with it")
        return self

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
