"""`hub policy`: show the sharing policy as a matrix, check a policy file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from hub.views.policy import Policy

app = typer.Typer(help="The sharing policy: who receives what, why and on which basis.")
out = Console(soft_wrap=False, width=200)
err = Console(stderr=True)

PolicyFile = Annotated[
    Path | None, typer.Option("--file", "-f", help="Policy file (default: the shipped policy).")
]


def _load(path: Path | None) -> Policy:
    from hub.views.policy import PolicyError, load_policy

    try:
        return load_policy(path)
    except PolicyError as exc:
        for problem in exc.problems:
            err.print(f"policy: {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None


def matrix(policy: Policy) -> Table:
    """Audiences by event types: a cell shows the number of fields, `+e` for encrypted text."""
    from hub.views.policy import short_type

    audiences = policy.audiences()
    table = Table(
        title=f"{policy.title} — versie {policy.version} — sha256 {policy.sha256[:16]}",
        caption="n = fields shared, +e = with encrypted free text, * = only some values "
        "(where), t = only with the parents' consent (toestemming), · = not shared",
    )
    table.add_column("event type")
    for audience in audiences:
        table.add_column(audience, justify="center")
    types = sorted({t for a in audiences for t in policy.grants[a]})
    for event_type in types:
        cells = []
        for audience in audiences:
            grant = policy.grant(audience, event_type)
            if grant is None:
                cells.append("·")
                continue
            cell = str(len(grant.fields))
            cell += "+e" if grant.encrypted else ""
            cell += "*" if grant.where else ""
            cell += "t" if grant.toestemming else ""
            cells.append(cell)
        table.add_row(short_type(event_type), *cells)
    return table


def bases(policy: Policy) -> Table:
    """Per audience: purposes, legal bases and retention."""
    table = Table(title="Doel, grondslag en bewaartermijn per ontvanger")
    for name in ("audience", "purpose", "legal basis", "retention (days)"):
        table.add_column(name)
    for audience in policy.audiences():
        grants = policy.grants[audience].values()
        table.add_row(
            audience,
            "\n".join(sorted({g.purpose for g in grants})),
            "\n".join(sorted({g.legal_basis for g in grants})),
            ", ".join(str(d) for d in sorted({g.retention_days for g in grants})),
        )
    return table


@app.command()
def show(
    file: PolicyFile = None,
    fields: Annotated[
        bool, typer.Option("--fields", help="Also list the fields per audience and type.")
    ] = False,
) -> None:
    """Print the policy as a matrix of audiences by event types, with purposes and bases."""
    from hub.views.policy import short_type

    policy = _load(file)
    out.print(matrix(policy))
    out.print(bases(policy))
    if fields:
        for audience in policy.audiences():
            table = Table(title=f"{audience}: fields")
            table.add_column("event type")
            table.add_column("fields")
            table.add_column("encrypted")
            table.add_column("only when")
            for event_type, grant in sorted(policy.grants[audience].items()):
                table.add_row(
                    short_type(event_type),
                    ", ".join(grant.fields),
                    ", ".join(grant.encrypted),
                    "; ".join(f"{k} in {', '.join(v)}" for k, v in grant.where),
                )
            out.print(table)


@app.command()
def check(file: Annotated[Path, typer.Argument(help="The policy file to validate.")]) -> None:
    """Validate a policy file: print every problem and exit 1, or its version and hash."""
    policy = _load(file)
    shared = sum(len(g) for g in policy.grants.values())
    typer.echo(
        f"{file}: valid; version {policy.version}, sha256 {policy.sha256}, "
        f"{len(policy.audiences())} audiences, {shared} grants"
    )
