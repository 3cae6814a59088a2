"""A local OpenID Connect provider (panva/oidc-provider, Node.js) for the loket, no Docker."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from hub.ops.launcher import HOST, free_port
from hub.settings import PROJECT_ROOT, HubSettings
from hub.web.loket_settings import LoketSettings, oidc_dir

DEPLOY_DIR = PROJECT_ROOT / "deploy" / "local-oidc"
DEMO_USERS = DEPLOY_DIR / "demo-users.json"
MIN_NODE = 20


class OidcError(RuntimeError):
    """A provider problem the operator can fix; the message says how, in one line."""


@dataclass(frozen=True)
class OidcStatus:
    """Whether the local provider runs and answers its discovery document."""

    running: bool
    answering: bool
    pid: int | None
    issuer: str | None
    detail: str


def find_node() -> str:
    """The node executable, checked to be version 20 or newer."""
    node = shutil.which("node")
    if node is None:
        raise OidcError("Node.js not found: install nodejs 20+ (apt-get install nodejs npm)")
    out = subprocess.run(  # noqa: S603 - the user's own node
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout
    major = int(out.strip().lstrip("v").split(".")[0] or 0) if out.strip() else 0
    if major < MIN_NODE:
        raise OidcError(f"Node.js {MIN_NODE}+ needed, found {out.strip() or 'unknown'} at {node}")
    return node


def install_dependencies(directory: Path = DEPLOY_DIR) -> None:
    """`npm ci` from the committed lock file when node_modules is missing or older than it."""
    marker = directory / "node_modules" / ".package-lock.json"
    lock = directory / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise OidcError("npm not found: install npm (apt-get install npm)")
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise OidcError(f"npm ci failed in {directory}: {done.stderr.strip()[-300:]}")


def discovery_answers(issuer: str, timeout: float = 2.0) -> bool:
    """True when the issuer serves its OpenID discovery document."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s)
            return bool(json.loads(response.read()).get("issuer") == issuer)
    except (OSError, ValueError, urllib.error.URLError):
        return False


class LocalOidc:
    """One provider instance: its directory holds config, signing key, client secret, pid, log."""

    def __init__(
        self, directory: Path, *, port: int, redirect_uris: list[str], client_id: str
    ) -> None:
        self.directory = directory
        self.requested_port = port
        self.redirect_uris = redirect_uris
        self.client_id = client_id

    @classmethod
    def from_settings(cls, settings: HubSettings, loket: LoketSettings) -> LocalOidc:
        """The instance for these settings (state directory, port, the loket's redirect URI)."""
        return cls(
            oidc_dir(settings),
            port=loket.oidc_port,
            redirect_uris=[loket.redirect_uri],
            client_id=loket.oidc_client_id,
        )

    @property
    def config_file(self) -> Path:
        """The configuration the Node.js script reads."""
        return self.directory / "config.json"

    @property
    def pid_file(self) -> Path:
        """The provider's process id."""
        return self.directory / "oidc.pid"

    @property
    def log_file(self) -> Path:
        """Where the provider writes its output."""
        return self.directory / "oidc.log"

    @property
    def secret_file(self) -> Path:
        """The loket's client secret (the loket reads it when no secret is configured)."""
        return self.directory / "client-secret"

    def issuer(self) -> str | None:
        """The issuer of the configured instance, if it was configured."""
        try:
            return str(json.loads(self.config_file.read_text())["issuer"])
        except (FileNotFoundError, KeyError, ValueError):
            return None

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        return pid if str(self.config_file).encode() in cmdline else None

    def status(self) -> OidcStatus:
        """The truth about the provider, from its process and its discovery document."""
        issuer = self.issuer()
        pid = self._pid()
        if pid is None:
            return OidcStatus(False, False, None, issuer, "stopped")
        answering = issuer is not None and discovery_answers(issuer)
        detail = "running" if answering else "process alive but not answering"
        return OidcStatus(True, answering, pid, issuer, detail)

    def _write_config(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.secret_file.exists():
            self.secret_file.write_text(secrets.token_urlsafe(32))
            self.secret_file.chmod(0o600)
        port = self.requested_port or free_port()
        issuer = f"http://{HOST}:{port}"
        users = json.loads(DEMO_USERS.read_text())
        users.pop("_comment", None)
        config = {
            "issuer": issuer,
            "host": HOST,
            "port": port,
            "jwks_file": str(self.directory / "jwks.json"),
            "cookie_keys": [secrets.token_urlsafe(24)],
            "claim_names": sorted({c for u in users.values() for c in u["claims"]}),
            "users": users,
            "clients": [
                {
                    "client_id": self.client_id,
                    "client_secret": self.secret_file.read_text().strip(),
                    "redirect_uris": self.redirect_uris,
                    "post_logout_redirect_uris": [
                        u.rsplit("/auth/callback", 1)[0] + "/" for u in self.redirect_uris
                    ],
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                }
            ],
        }
        self.config_file.write_text(json.dumps(config, indent=2))
        self.config_file.chmod(0o600)
        return issuer

    def up(self, timeout: float = 30.0) -> OidcStatus:
        """Start the provider unless it runs; wait until it serves its discovery document."""
        current = self.status()
        if current.running:
            return current
        node = find_node()
        install_dependencies()
        issuer = self._write_config()
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own script
                [node, str(DEPLOY_DIR / "server.mjs"), str(self.config_file)],
                cwd=DEPLOY_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = self.log_file.read_text(errors="replace").strip().splitlines()[-3:]
                raise OidcError(f"the OIDC provider stopped at start: {' | '.join(tail)}")
            if discovery_answers(issuer):
                return self.status()
            time.sleep(0.1)
        self.down()
        raise OidcError(
            f"the OIDC provider did not answer within {timeout:.0f} s; see {self.log_file}"
        )

    def down(self, timeout: float = 10.0) -> bool:
        """Stop the provider; False when it was not running."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._pid() is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        if self._pid() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True
