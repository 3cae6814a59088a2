"""`hub certs init | renew | show`: development TLS material for the local broker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.ops.certs import TlsFiles

app = typer.Typer(
    help="Development certificates (a CA and a broker certificate, PEM; never commit them).",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)

DirOption = typer.Option(
    None, "--dir", help="Directory of the PEM files (default: key_dir/kafka/tls)."
)


def _dir(directory: Path | None) -> Path:
    from hub.bus.security import tls_dir

    return directory or tls_dir(get_settings())


def _report(files: TlsFiles) -> None:
    from hub.ops import certs

    now = dt.datetime.now(dt.UTC)
    for label, path in (("CA", files.ca_cert), ("broker", files.broker_keystore)):
        expires = certs.not_valid_after(path)
        days = (expires - now).days
        console.print(f"{label:7} {path}  valid until {expires:%Y-%m-%d} ({days} days)")


@app.command()
def init(
    directory: Path | None = DirOption,
    force: bool = typer.Option(False, "--force", help="Replace an existing CA and certificate."),
    days: int = typer.Option(90, min=1, max=825, help="Validity of the broker certificate."),
) -> None:
    """Create a dev CA and a broker certificate for 127.0.0.1/localhost (kept if present)."""
    from hub.ops import certs

    target = _dir(directory)
    existed = certs.TlsFiles(target).exist()
    files = certs.init(target, force=force, days=days)
    verb = "kept" if existed and not force else "created"
    console.print(f"certificates {verb} in {target} (keys 0600; *.pem and *.key are git-ignored)")
    _report(files)


@app.command()
def renew(
    directory: Path | None = DirOption,
    days: int = typer.Option(90, min=1, max=825, help="Validity of the new broker certificate."),
) -> None:
    """Issue a fresh broker certificate with the existing CA; restart the broker to load it."""
    from hub.ops import certs

    target = _dir(directory)
    if not certs.TlsFiles(target).exist():
        console.print(f"hub: no certificates in {target}: run `hub certs init` first")
        raise typer.Exit(1)
    _report(certs.renew_broker(target, days=days))


@app.command()
def show(directory: Path | None = DirOption) -> None:
    """Print where the certificates are and when they expire; exit 1 when missing or expired."""
    from hub.ops import certs

    target = _dir(directory)
    files = certs.TlsFiles(target)
    if not files.exist():
        console.print(f"hub: no certificates in {target}: run `hub certs init`")
        raise typer.Exit(1)
    _report(files)
    if certs.not_valid_after(files.broker_keystore) < dt.datetime.now(dt.UTC):
        console.print("hub: the broker certificate has expired: run `hub certs renew`")
        raise typer.Exit(1)
