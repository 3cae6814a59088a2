"""The content fingerprint of an event: what tells a resent record from a correction."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from hub.adapters.kit import Context
from hub.events.envelope import Event
from hub.events.fields import EncryptedText


def fingerprint(event: Event[Any], ctx: Context) -> str:
    """A keyed digest of the event's content: child, source, time and data (ciphertexts aside).

    An encrypted field counts as present or absent: its nonce is fresh each time and its
    plaintext is never hashed. Keyed like a record id, so the seen topic holds nothing a guess
    could be tested against.
    """
    sealed = {n for n, v in event.data.__dict__.items() if isinstance(v, EncryptedText)}
    data = event.data.model_dump_json(exclude=sealed or None)
    content = "\x1f".join(
        (
            event.subject,
            event.source,
            event.type,
            event.time.astimezone(dt.UTC).isoformat(),
            data,
            ",".join(sorted(sealed)),
        )
    )
    digest = hashlib.sha256(content.encode()).hexdigest()
    return ctx.source_id(event.partner, "fingerprint\x1f" + digest)
