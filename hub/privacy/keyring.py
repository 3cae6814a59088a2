"""The key ring: versioned secret keys from a directory of files or from environment variables."""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from hub.settings import HubSettings

#: Every key is 256 bits: HMAC-SHA256 keys and AES-256 keys alike.
KEY_BYTES = 32

#: The regional pseudonym key's name (hub pseudonym = HMAC of the typed identifier).
PSEUDONYM = "pseudonym"
#: The key-encryption key's name (wraps the per-child data keys).
KEK = "kek"
#: Audience keys are named `audience-<slug>`, e.g. `audience-jgz`, `audience-schoolbestuur-41234`.
AUDIENCE_PREFIX = "audience-"
#: The intake X25519 private key: adapters seal notes to its public key, the projector opens.
INTAKE = "intake"
#: An audience's X25519 key pair: the hub holds `recipient-<slug>` (the public key); the
#: audience holds `recipient-<slug>-private` (the private key), never the hub.
RECIPIENT_PREFIX = "recipient-"
PRIVATE_SUFFIX = "-private"

#: The audiences every region has; school boards come as `schoolbestuur:<id>`.
FIXED_AUDIENCES: tuple[str, ...] = ("leerplicht", "jgz", "buurtteam", "swv", "gemeente")
#: The school board audience of the shipped default policy (one board for the whole region).
DEFAULT_SCHOOLBESTUUR = "schoolbestuur:regio"

KeyKind = Literal["pseudonym", "kek", "audience"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_FILE = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]{0,47})\.v(?P<version>[1-9][0-9]{0,5})$")
_ENV = re.compile(r"^HUB_KEY_(?P<name>[A-Z0-9][A-Z0-9_]{0,47})_V(?P<version>[1-9][0-9]{0,5})$")
_AUDIENCE = re.compile(
    r"^(leerplicht|jgz|buurtteam|swv|gemeente|schoolbestuur:[a-z0-9][a-z0-9-]{0,31})$"
)


class KeyRingError(RuntimeError):
    """The key ring is missing, incomplete or malformed; one line, never key material."""


@dataclass(frozen=True, slots=True)
class Key:
    """One version of one named key; the material never appears in a repr."""

    name: str
    version: int
    material: bytes = field(repr=False)

    @property
    def kid(self) -> str:
        """The key id carried next to what this key produced: `<name>.v<version>`."""
        return f"{self.name}.v{self.version}"


def audience_key_name(audience: str) -> str:
    """The key name of an audience: `jgz` -> `audience-jgz`, `schoolbestuur:41234` -> ..."""
    if not _AUDIENCE.match(audience):
        raise KeyRingError(
            "unknown audience (expected leerplicht, jgz, buurtteam, swv, gemeente "
            "or schoolbestuur:<id> in lower case)"
        )
    return AUDIENCE_PREFIX + audience.replace(":", "-")


def recipient_key_name(audience: str) -> str:
    """The hub's name of an audience's X25519 public key: `jgz` -> `recipient-jgz`."""
    return RECIPIENT_PREFIX + audience_key_name(audience).removeprefix(AUDIENCE_PREFIX)


def recipient_private_name(audience: str) -> str:
    """The audience's own name of its X25519 private key: `recipient-jgz-private`."""
    return recipient_key_name(audience) + PRIVATE_SUFFIX


def parse_kid(kid: str) -> tuple[str, int]:
    """Split a key id `<name>.v<version>` into its name and version."""
    match = _FILE.match(kid)
    if match is None:
        raise KeyRingError("malformed key id (expected <name>.v<version>)")
    return match["name"], int(match["version"])


def decode_material(data: bytes, where: str) -> bytes:
    """Key bytes from a file or variable: 32 raw bytes, or base64 of 32 bytes."""
    if len(data) == KEY_BYTES:
        return data
    try:
        decoded = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != KEY_BYTES:
        try:
            decoded = base64.urlsafe_b64decode(data.strip() + b"=" * (-len(data.strip()) % 4))
        except (binascii.Error, ValueError):
            decoded = b""
    if len(decoded) != KEY_BYTES:
        raise KeyRingError(f"{where}: not a {KEY_BYTES}-byte key (raw or base64)")
    return decoded


class KeyRing:
    """All versions of all keys; the highest version of a name is its current one."""

    def __init__(self, keys: Iterable[Key]) -> None:
        self._by_kid: dict[str, Key] = {}
        for key in keys:
            if not _NAME.match(key.name) or key.version < 1:
                raise KeyRingError("malformed key name or version")
            if len(key.material) != KEY_BYTES:
                raise KeyRingError(f"{key.kid}: not a {KEY_BYTES}-byte key")
            if key.kid in self._by_kid and self._by_kid[key.kid].material != key.material:
                raise KeyRingError(f"{key.kid}: given twice with different material")
            self._by_kid[key.kid] = key

    def __repr__(self) -> str:
        return f"KeyRing({', '.join(self.kids())})"

    def kids(self) -> list[str]:
        """Every key id, sorted by name then version."""
        return [k.kid for k in sorted(self._by_kid.values(), key=lambda k: (k.name, k.version))]

    def names(self) -> list[str]:
        """Every key name present."""
        return sorted({k.name for k in self._by_kid.values()})

    def versions(self, name: str) -> list[Key]:
        """All versions of `name`, oldest first."""
        return sorted((k for k in self._by_kid.values() if k.name == name), key=lambda k: k.version)

    def get(self, kid: str) -> Key:
        """The key with id `kid`; KeyRingError when the ring does not hold it."""
        try:
            return self._by_kid[kid]
        except KeyError:
            raise KeyRingError(f"key id {kid!r} is not in the key ring") from None

    def current(self, name: str) -> Key:
        """The highest version of `name`."""
        versions = self.versions(name)
        if not versions:
            raise KeyRingError(f"no key named {name!r} in the key ring")
        return versions[-1]

    def pseudonym_key(self) -> Key:
        """The current regional pseudonym key."""
        return self.current(PSEUDONYM)

    def kek(self) -> Key:
        """The current key-encryption key."""
        return self.current(KEK)

    def audience_key(self, audience: str) -> Key:
        """The current key of `audience` (leerplicht, jgz, ..., schoolbestuur:<id>)."""
        return self.current(audience_key_name(audience))

    def recipient_key(self, audience: str) -> Key:
        """The current X25519 public key of `audience` (what the projector seals keys to)."""
        return self.current(recipient_key_name(audience))

    def require(self, *names: str) -> KeyRing:
        """Raise KeyRingError naming the first of `names` that has no key; return self."""
        for name in names:
            self.current(name)
        return self


def _read_dir(directory: Path) -> list[Key]:
    if not directory.is_dir():
        raise KeyRingError(f"key directory {directory} does not exist")
    keys: list[Key] = []
    for path in sorted(directory.iterdir()):
        # Kubernetes secret volumes hold `..data` and `..2024_...` entries next to the keys.
        if path.name.startswith(".") or path.is_dir():
            continue
        match = _FILE.match(path.name)
        if match is None:
            raise KeyRingError(
                f"key directory {directory}: unexpected file {path.name!r} "
                "(key files are named <name>.v<version>)"
            )
        material = decode_material(path.read_bytes(), f"key file {path.name}")
        keys.append(Key(match["name"], int(match["version"]), material))
    return keys


def _read_env(environ: Mapping[str, str]) -> list[Key]:
    keys: list[Key] = []
    for variable, value in sorted(environ.items()):
        # HUB_KEY_DIR is the setting `key_dir`, not a key.
        if not variable.startswith("HUB_KEY_") or variable == "HUB_KEY_DIR":
            continue
        match = _ENV.match(variable)
        if match is None:
            raise KeyRingError(f"malformed variable {variable} (expected HUB_KEY_<NAME>_V<n>)")
        name = match["name"].lower().replace("_", "-")
        material = decode_material(value.encode(), f"variable {variable}")
        keys.append(Key(name, int(match["version"]), material))
    return keys


def read_keyring(directory: Path | None, environ: Mapping[str, str]) -> KeyRing:
    """Every key of `directory` (if given and present) and of `HUB_KEY_*` variables."""
    keys = _read_env(environ)
    if directory is not None and (directory.exists() or not keys):
        keys = _read_dir(directory) + keys
    return KeyRing(keys)


#: What the hub itself needs to start; an adapter needs PSEUDONYM and its own audience key.
HUB_REQUIRED: tuple[str, ...] = (PSEUDONYM, KEK)


def load_keyring(
    settings: HubSettings,
    environ: Mapping[str, str] | None = None,
    required: tuple[str, ...] = HUB_REQUIRED,
) -> KeyRing:
    """The key ring from `settings.key_dir` and the environment; refuse one without `required`."""
    ring = read_keyring(settings.key_dir, os.environ if environ is None else environ)
    if not ring.kids():
        raise KeyRingError(
            f"no keys found in {settings.key_dir} nor in HUB_KEY_* variables: "
            "run `hub keys init --dir DIR` for development, or mount the key secret"
        )
    try:
        ring.require(*required)
    except KeyRingError as exc:
        raise KeyRingError(f"incomplete key ring: {exc}") from None
    return ring


def new_key_material() -> bytes:
    """Fresh random key bytes."""
    return secrets.token_bytes(KEY_BYTES)


def write_key_file(directory: Path, name: str, version: int, material: bytes) -> Path:
    """Write one key as base64 to `<dir>/<name>.v<version>` with mode 0600; never overwrite."""
    path = directory / f"{name}.v{version}"
    if not _FILE.match(path.name):
        raise KeyRingError("malformed key name")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(base64.b64encode(material) + b"\n")
    return path


def audience_keys_dir(directory: Path) -> Path:
    """Where `hub keys init` puts the audiences' private keys: beside, never in, the hub's ring."""
    return directory.with_name(directory.name + "-audiences")


def init_keyring(directory: Path, audiences: tuple[str, ...] = ()) -> list[str]:
    """Write a fresh development key ring to `directory` (0700, files 0600); return the kids.

    The hub's ring gets the pseudonym key, the KEK, the intake key, and per audience its
    pseudonym key and the public half of its X25519 key pair; the private half goes to
    `audience_keys_dir(directory)/<audience slug>/` (what each audience would hold itself).
    Refuses a directory that already holds files: an existing key ring is never overwritten.
    """
    if directory.exists() and any(not p.name.startswith(".") for p in directory.iterdir()):
        raise KeyRingError(f"{directory} is not empty: refusing to overwrite a key ring")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    wanted = tuple(dict.fromkeys((*FIXED_AUDIENCES, DEFAULT_SCHOOLBESTUUR, *audiences)))
    names = [PSEUDONYM, KEK, INTAKE, *dict.fromkeys(audience_key_name(a) for a in wanted)]
    for name in names:
        write_key_file(directory, name, 1, new_key_material())
    for audience in wanted:
        names.append(init_recipient(directory, audience, 1))
    return [f"{name}.v1" for name in names]


def add_audience_keys(directory: Path, audiences: tuple[str, ...]) -> list[str]:
    """Write a first pseudonym key and X25519 key pair for each of `audiences` the ring in
    `directory` lacks (a new school board); existing keys are never touched. Return the kids."""
    ring = read_keyring(directory, {})
    kids = []
    for audience in dict.fromkeys(audiences):
        name = audience_key_name(audience)
        if not ring.versions(name):
            write_key_file(directory, name, 1, new_key_material())
            kids.append(f"{name}.v1")
        if not ring.versions(recipient_key_name(audience)):
            kids.append(f"{init_recipient(directory, audience, 1)}.v1")
    return kids


def init_recipient(directory: Path, audience: str, version: int) -> str:
    """A new X25519 key pair for `audience`: public into the hub's ring, private beside it."""
    from hub.privacy.sealing import new_private_key, public_key

    private = new_private_key()
    own = audience_keys_dir(directory) / recipient_key_name(audience).removeprefix(RECIPIENT_PREFIX)
    own.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_key_file(own, recipient_private_name(audience), version, private)
    write_key_file(directory, recipient_key_name(audience), version, public_key(private))
    return recipient_key_name(audience)


def complete_dev_keyring(directory: Path) -> list[str]:
    """Add to an older development ring what it lacks: the intake key and audience key pairs."""
    ring = read_keyring(directory, {})
    added: list[str] = []
    if not ring.versions(INTAKE):
        write_key_file(directory, INTAKE, 1, new_key_material())
        added.append(f"{INTAKE}.v1")
    for audience in (*FIXED_AUDIENCES, DEFAULT_SCHOOLBESTUUR):
        if not ring.versions(recipient_key_name(audience)):
            added.append(f"{init_recipient(directory, audience, 1)}.v1")
    return added
