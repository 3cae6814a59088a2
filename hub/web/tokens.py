"""Per-partner bearer tokens for HTTP ingest; only their SHA-256 hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

TOKENS_FILE = "ingest-tokens.json"
_PARTNER = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class PartnerTokens:
    """Which token hash belongs to which partner; a token names exactly one partner."""

    hashes: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, key_dir: Path) -> PartnerTokens:
        """Read `ingest-tokens.json` from the key directory (absent means no partner may post)."""
        path = key_dir / TOKENS_FILE
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text())
        return cls({partner: set(digests) for partner, digests in raw.items()})

    def save(self, key_dir: Path) -> Path:
        """Write the hashes with owner-only permissions."""
        key_dir.mkdir(parents=True, exist_ok=True)
        path = key_dir / TOKENS_FILE
        data = {p: sorted(d) for p, d in sorted(self.hashes.items())}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=2)
        return path

    def issue(self, partner: str) -> str:
        """Create a new token for `partner` and keep its hash; the token is shown once."""
        if not _PARTNER.match(partner):
            raise ValueError("partner names are lower-case letters, digits, '-' or '_'")
        token = f"hub_{partner}_{secrets.token_urlsafe(32)}"
        self.hashes.setdefault(partner, set()).add(_digest(token))
        return token

    def revoke(self, partner: str) -> int:
        """Forget every token of `partner`; return how many there were."""
        return len(self.hashes.pop(partner, set()))

    def partner_of(self, token: str) -> str | None:
        """The partner a token belongs to, compared in constant time, or None."""
        digest = _digest(token)
        found = None
        for partner, digests in self.hashes.items():
            for known in digests:
                if hmac.compare_digest(known, digest):
                    found = partner
        return found
