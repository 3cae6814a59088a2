"""`hub views run`: the projector that writes one view topic per audience and the audit trail."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.privacy.keyring import KeyRing
    from hub.views.reload import PolicyHolder

app = typer.Typer(help="Views per audience: the projector.", no_args_is_help=True)
err = Console(stderr=True)


@app.command()
def run(
    policy: Annotated[
        Path | None, typer.Option(help="Policy file (default: the shipped policy).")
    ] = None,
) -> None:
    """Project contract and casus events to the audiences; reload the policy on SIGHUP or edit."""
    from hub.bus import client
    from hub.privacy.keyring import load_keyring
    from hub.views.policy import PolicyError
    from hub.views.reload import PolicyHolder

    settings = get_settings()
    ring = load_keyring(settings)
    try:
        holder = PolicyHolder(policy, ring)
    except PolicyError as exc:
        for problem in exc.problems:
            err.print(f"policy: {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    bootstrap = client.bootstrap_servers(settings)
    asyncio.run(_run(bootstrap, holder, ring, settings.topic_prefix))


async def _run(bootstrap: str, holder: PolicyHolder, ring: KeyRing, prefix: str) -> None:
    from hub.bus import client
    from hub.views.runner import run as run_projector

    await client.ensure_reachable(bootstrap)
    await run_projector(bootstrap, ring, holder, prefix=prefix)
