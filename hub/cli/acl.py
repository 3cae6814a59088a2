"""`hub acl show | apply | rotate-password`: who may do what on the bus."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from hub.bus.client import AdminClient
    from hub.bus.security import ClientSecurity
    from hub.ops.acl import Acl

app = typer.Typer(help="ACLs on the bus, derived from the topic registry.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)
out = Console()
T = TypeVar("T")


def _log() -> Any:
    import structlog

    return structlog.get_logger()


def desired() -> set[Acl]:
    """The ACLs the topic registry asks for, with the configured topic prefix."""
    from hub.bus.security import HUB_USER
    from hub.ops.acl import desired_acls, registry_and_audiences

    topics, audiences = registry_and_audiences()
    return desired_acls(topics, audiences, hub_user=HUB_USER, prefix=get_settings().topic_prefix)


def _run(work: Callable[[AdminClient], Awaitable[T]], security: ClientSecurity | None = None) -> T:
    """Run `work` with an admin client as the operator; every refusal becomes one line."""
    from hub.bus import client
    from hub.bus.security import SecurityConfigError, admin_security, explain
    from hub.ops.acl_admin import AdminRefused

    settings = get_settings()

    async def go() -> T:
        nonlocal security
        security = security or admin_security(settings)
        bootstrap = client.bootstrap_servers(settings)
        await client.ensure_reachable(bootstrap, security=security)
        admin = client.admin(bootstrap, security=security)
        await admin.start()
        try:
            return await work(admin)
        finally:
            await admin.close()

    try:
        return asyncio.run(go())
    except (SecurityConfigError, AdminRefused) as exc:
        console.print(f"hub: {exc}")
        raise typer.Exit(1) from None
    except client.BusUnavailable:
        raise
    except Exception as exc:
        reason = explain(exc)
        if reason is None:
            raise
        _log().warning("bus.admin_refused", user=settings.kafka_admin_username, reason=reason)
        console.print(f"hub: the broker refused {settings.kafka_admin_username}: {reason}")
        raise typer.Exit(1) from None


def _print_matrix(acls: set[Acl], title: str) -> None:
    """One row per principal: what it may write, read, which groups and what else."""
    from rich.table import Table

    from hub.ops.acl import Operation, matrix

    table = Table(title=title, show_lines=True)
    for column in ("principal", "write", "read", "consumer groups", "other"):
        table.add_column(column, overflow="fold")
    for who, resources in sorted(matrix(acls).items()):
        write, read, groups, other = [], [], [], []
        extras: dict[str, list[str]] = {}
        for label, ops in sorted(resources.items()):
            kind, _, name = label.partition(":")
            names = ", ".join(sorted(op.value.lower() for op in ops))
            if kind == "group":
                groups.append(name)
                continue
            if kind != "topic":
                other.append(f"{kind} {name}: {names}")
                continue
            if Operation.WRITE in ops:
                write.append(name)
            if Operation.READ in ops:
                read.append(name)
            rest = ops - {Operation.READ, Operation.WRITE, Operation.DESCRIBE}
            if rest:
                extras.setdefault(", ".join(sorted(o.value.lower() for o in rest)), []).append(name)
        for ops_text, topics in extras.items():
            where = ", ".join(topics) if len(topics) <= 2 else f"{len(topics)} topics"
            other.append(f"{ops_text}: {where}")
        table.add_row(who, *("\n".join(cells) for cells in (write, read, groups, other)))
    out.print(table)
    out.print("everything not listed is denied (allow.everyone.if.no.acl.found=false)")


@app.command()
def show(
    live: bool = typer.Option(False, "--live", help="What the broker holds, not the registry."),
) -> None:
    """Print the ACL matrix: resources down, principals across."""
    from hub.ops.acl_admin import describe_acls

    if live:
        _print_matrix(_run(describe_acls), "ACLs on the broker")
    else:
        _print_matrix(desired(), "ACLs derived from the topic registry")


@app.command()
def apply(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the changes, change nothing."),
) -> None:
    """Make the broker hold exactly the derived ACLs for the hub and the partners (idempotent)."""
    from hub.bus.security import HUB_USER, PARTIES
    from hub.ops.acl import managed_principals
    from hub.ops.acl_admin import apply_acls, describe_acls

    wanted = desired()
    managed = managed_principals(HUB_USER, PARTIES)

    async def work(admin: AdminClient) -> tuple[set[Acl], set[Acl]]:
        if dry_run:
            from hub.ops.acl import diff

            change = diff(await describe_acls(admin), wanted, managed)
        else:
            change = await apply_acls(admin, wanted, managed)
        return set(change.add), set(change.remove)

    added, removed = _run(work)
    for acl in sorted(added):
        out.print(f"+ {acl}", highlight=False)
    for acl in sorted(removed):
        out.print(f"- {acl}", highlight=False)
    verb = "would add" if dry_run else "added"
    console.print(f"acl: {verb} {len(added)}, removed {len(removed)}, {len(wanted)} desired")
    _log().info("acl.applied", added=len(added), removed=len(removed), dry_run=dry_run)


@app.command("rotate-password")
def rotate_password(
    user: str = typer.Argument(..., help="SCRAM user: hub, a partner, or the admin itself."),
) -> None:
    """Write a new SCRAM password for USER to its 0600 file and set it on the broker."""
    from hub.bus.security import SecurityConfigError, admin_security, password_store
    from hub.ops.acl_admin import ScramChange, alter_scram

    settings = get_settings()
    store = password_store(settings)
    try:
        security = admin_security(settings)  # read before the admin's own file may change
    except SecurityConfigError as exc:
        console.print(f"hub: {exc}")
        raise typer.Exit(1) from None
    old = store.path(user).read_text() if store.path(user).exists() else None
    password = store.rotate(user)

    async def work(admin: AdminClient) -> None:
        await alter_scram(admin, [ScramChange(user, password)])

    try:
        _run(work, security)
    except BaseException:
        # The broker kept the old password: keep the file in step with it.
        if old is not None:
            store.path(user).write_text(old)
        raise
    console.print(f"acl: new SCRAM password for {user} in {store.path(user)}; restart its clients")
    _log().info("scram.rotated", user=user)
