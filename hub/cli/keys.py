"""`hub keys init | rotate | show`: the key ring on disk (never key material on screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings
from hub.privacy.keyring import (
    INTAKE,
    KEK,
    PSEUDONYM,
    KeyRingError,
    audience_key_name,
    init_keyring,
    init_recipient,
    load_keyring,
    new_key_material,
    read_keyring,
    recipient_key_name,
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
    kind: Annotated[
        str | None, typer.Option("--kind", help="pseudonym, kek, intake, audience or recipient.")
    ] = None,
    audience: Annotated[
        str | None,
        typer.Option(help="With --kind audience/recipient: leerplicht, ..., schoolbestuur:<id>."),
    ] = None,
    kek: Annotated[
        bool,
        typer.Option(
            "--kek", help="A new KEK, then rewrap every live data key on the bus under it."
        ),
    ] = False,
    directory: DirOption = None,
) -> None:
    """Add the next version of a key and make it current (a new audience starts at v1).

    `--kek` also rewraps every live data key on the data-key topic, after which no live
    record needs an older KEK (see `hub keys rewrap`).
    """
    target = _dir(directory)
    if kek:
        if kind not in (None, KEK):
            raise KeyRingError("--kek goes with --kind kek or alone")
        kind = KEK
    if kind in (PSEUDONYM, KEK, INTAKE):
        if audience is not None:
            raise KeyRingError("--audience goes with --kind audience or recipient only")
        name = kind
    elif kind in ("audience", "recipient"):
        if audience is None:
            raise KeyRingError(f"--kind {kind} needs --audience")
        name = audience_key_name(audience) if kind == "audience" else recipient_key_name(audience)
    else:
        raise KeyRingError("--kind must be pseudonym, kek, intake, audience or recipient")
    ring = read_keyring(target, {})
    versions = ring.versions(name)
    version = versions[-1].version + 1 if versions else 1
    if kind == "recipient":
        assert audience is not None
        init_recipient(target, audience, version)
        console.print(
            f"{name}.v{version} written (public); the private key is beside the ring: "
            "hand it to the audience and remove it from this machine"
        )
    else:
        path = write_key_file(target, name, version, new_key_material())
        console.print(f"{path.name} written; it is now the current {name} key")
    typer.echo(f"{name}.v{version}")
    if kek:
        rewrap_topic(target)


def rewrap_topic(target: Path) -> None:
    """Rewrap the data-key topic under the current KEK of the ring in `target`."""
    import asyncio

    from hub.bus import client
    from hub.bus.datakeys import datakeys_topic, rewrap_all

    settings = get_settings()
    ring = read_keyring(target, {})
    result = asyncio.run(
        rewrap_all(client.bootstrap_servers(settings), datakeys_topic(settings.topic_prefix), ring)
    )
    console.print(
        f"{result.rewrapped} live data keys rewrapped under {ring.kek().kid}, "
        f"{result.current} already were; no live key needs "
        f"{', '.join(result.retired) or 'an older KEK'} any more"
    )


@app.command()
def rewrap(directory: DirOption = None) -> None:
    """Rewrap every live data key on the bus under the current KEK (after `rotate --kind kek`)."""
    rewrap_topic(_dir(directory))


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
