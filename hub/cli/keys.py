"""`hub keys init | rotate | show`: the key ring on disk (never key material on screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings
from hub.privacy.keyring import (
    KEK,
    PSEUDONYM,
    KeyRingError,
    audience_key_name,
    init_keyring,
    load_keyring,
    new_key_material,
    read_keyring,
    write_key_file,
)

app = typer.Typer(
    help="Manage the key ring: pseudonym key, KEK, audience keys.", no_args_is_help=True
)
console = Console(stderr=True, soft_wrap=True)

DirOption = Annotated[
    Path | None, typer.Option("--dir", help="Key directory (default HUB_KEY_DIR).")
]


def _dir(directory: Path | None) -> Path:
    return directory if directory is not None else get_settings().key_dir


@app.command()
def init(
    directory: DirOption = None,
) -> None:
    """Write a fresh development key ring (0600 files); refuse when keys are already there."""
    target = _dir(directory)
    kids = init_keyring(target)
    console.print(f"[yellow]development key ring written to {target}: keep it out of git[/]")
    for kid in kids:
        typer.echo(kid)


@app.command()
def rotate(
    kind: str = typer.Option(..., "--kind", help="pseudonym, kek or audience."),
    audience: Annotated[
        str | None,
        typer.Option(help="With --kind audience: leerplicht, jgz, ..., schoolbestuur:<id>."),
    ] = None,
    directory: DirOption = None,
) -> None:
    """Add the next version of a key and make it current (a new audience starts at v1)."""
    target = _dir(directory)
    if kind in (PSEUDONYM, KEK):
        if audience is not None:
            raise KeyRingError("--audience goes with --kind audience only")
        name = kind
    elif kind == "audience":
        if audience is None:
            raise KeyRingError("--kind audience needs --audience")
        name = audience_key_name(audience)
    else:
        raise KeyRingError("--kind must be pseudonym, kek or audience")
    ring = read_keyring(target, {})
    versions = ring.versions(name)
    version = versions[-1].version + 1 if versions else 1
    path = write_key_file(target, name, version, new_key_material())
    console.print(f"{path.name} written; it is now the current {name} key")
    typer.echo(f"{name}.v{version}")


@app.command()
def show(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="Key directory (default: HUB_KEY_DIR plus HUB_KEY_* variables)."
        ),
    ] = None,
) -> None:
    """List the key ids of the ring, current ones marked; never key material."""
    ring = (
        read_keyring(directory, {})
        if directory is not None
        else load_keyring(get_settings(), required=())
    )
    for name in ring.names():
        versions = ring.versions(name)
        for key in versions:
            mark = "  (current)" if key is versions[-1] else ""
            typer.echo(f"{key.kid}{mark}")
