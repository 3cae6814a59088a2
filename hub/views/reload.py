"""The running projector's policy: reloaded from its file, the last good one kept on a bad file."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import structlog

from hub.privacy.keyring import KeyRing
from hub.views.policy import Policy, PolicyError, load_policy
from hub.views.project import missing_keys

log = structlog.get_logger()


class PolicyHolder:
    """Holds the policy in force; `reload()` swaps it only for a valid file.

    With a key ring, a policy naming an audience whose key the ring lacks is refused too: the
    projector could not make that audience's pseudonyms. A reload may drop audiences but not
    add one (a new school board): its view topic is created when the projector starts.
    """

    def __init__(self, path: Path | None = None, ring: KeyRing | None = None) -> None:
        self.path = path
        self.ring = ring
        self.current: Policy = self._load()
        self._started_with = frozenset(self.current.audiences())
        self.last_problems: list[str] = []
        self._seen = self.current.sha256

    def _load(self) -> Policy:
        policy = load_policy(self.path)
        if self.ring is not None:
            problems = missing_keys(policy, self.ring)
            if problems:
                raise PolicyError(problems)
        return policy

    def _reloadable(self) -> Policy:
        policy = self._load()
        new = [a for a in policy.audiences() if a not in self._started_with]
        if new:
            raise PolicyError(
                [
                    f"{a}: a new audience takes effect when the projector starts (that creates "
                    "its view topic): restart it"
                    for a in new
                ]
            )
        return policy

    def reload(self) -> bool:
        """Load the file again; True when a new valid policy is now in force."""
        try:
            policy = self._reloadable()
        except PolicyError as exc:
            self.last_problems = exc.problems
            log.warning(
                "views.policy.refused",
                kept_version=self.current.version,
                problems=exc.problems[:5],
            )
            return False
        self.last_problems = []
        if policy.sha256 == self.current.sha256:
            return False
        log.info(
            "views.policy.reloaded",
            old_version=self.current.version,
            version=policy.version,
            sha256=policy.sha256,
        )
        self.current = policy
        return True

    def _file_hash(self) -> str | None:
        if self.path is None:
            return None
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None

    def poll(self) -> bool:
        """Reload when the file's bytes changed since the last look; True when swapped."""
        digest = self._file_hash()
        if digest is None or digest == self._seen:
            return False
        self._seen = digest
        return self.reload()

    async def watch(self, interval: float = 1.0) -> None:
        """Poll the file every `interval` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            self.poll()
