"""Per-partner bearer tokens for HTTP ingest; only their SHA-256 hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import structlog

if TYPE_CHECKING:
    from hub.settings import HubSettings

log = structlog.get_logger(__name__)

TOKENS_FILE = "ingest-tokens.json"
_PARTNER = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


def tokens_dir(settings: HubSettings) -> Path:
    """Where the ingest tokens' hashes live: next to, not inside, the key directory.

    The key ring refuses any file in its directory that is not a key, so the token hashes
    get a directory of their own under the state directory.
    """
    return settings.state_dir / "ingest-tokens"


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
        """Write the hashes with owner-only permissions, atomically (a running hub reads it)."""
        key_dir.mkdir(parents=True, exist_ok=True)
        path = key_dir / TOKENS_FILE
        partial = path.with_name(f".{TOKENS_FILE}.{os.getpid()}")
        data = {p: sorted(d) for p, d in sorted(self.hashes.items())}
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=2)
        os.replace(partial, path)
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


class TokenCheck(Protocol):
    """What the HTTP edge asks of its tokens."""

    def partner_of(self, token: str) -> str | None:
        """The partner a token belongs to, or None."""
        ...


@dataclass
class LiveTokens:
    """The token file as it is now: re-read within `interval` seconds of a change on disk.

    `hub adapters token` and `hub adapters revoke` write the file while the hub runs; a token
    issued or revoked takes effect without a restart. A file that cannot be read keeps the
    tokens last read (logged once per change), so a half-edited file locks nobody out.
    """

    key_dir: Path
    interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _tokens: PartnerTokens = field(default_factory=PartnerTokens)
    _seen: tuple[int, int, int] | None = None
    _checked: float = 0.0

    def __post_init__(self) -> None:
        self._tokens = PartnerTokens.load(self.key_dir)
        self._seen = self._stamp()
        self._checked = self.clock()

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = (self.key_dir / TOKENS_FILE).stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _reload(self) -> None:
        self._checked = self.clock()
        stamp = self._stamp()
        if stamp == self._seen:
            return
        try:
            self._tokens = PartnerTokens.load(self.key_dir)
        except (OSError, ValueError) as exc:
            log.warning("ingest.tokens_unreadable", error=type(exc).__name__)
        else:
            log.info("ingest.tokens_loaded", partners=len(self._tokens.hashes))
        self._seen = stamp

    def partner_of(self, token: str) -> str | None:
        """The partner a token belongs to per the file as of at most `interval` seconds ago."""
        if self.clock() - self._checked >= self.interval:
            self._reload()
        return self._tokens.partner_of(token)
