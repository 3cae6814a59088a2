"""The content fingerprint of an event: what tells a resent record from a correction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from hub.adapters.kit import Context
from hub.events.envelope import Event
from hub.events.fields import EncryptedText

#: Stands in for an encrypted field: its nonce is fresh each time and its plaintext is not hashed.
ENCRYPTED = "<encrypted>"


def fingerprint(event: Event[Any], ctx: Context) -> str:
    """A keyed digest of the event's content: child, source, time and data (ciphertexts aside).

    Keyed like a record id, so the seen topic holds nothing a guess could be tested against.
    """
    sealed = {n for n, v in event.data.__dict__.items() if isinstance(v, EncryptedText)}
    data = event.data.model_dump(mode="json", exclude=sealed)
    content = {
        "subject": event.subject,
        "source": event.source,
        "type": event.type,
        "time": event.time.astimezone(dt.UTC).isoformat(),
        "data": data | dict.fromkeys(sealed, ENCRYPTED),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return ctx.source_id(event.partner, "fingerprint\x1f" + digest)
