"""`hub contracts export | check | release | validate`: the generated contract artefacts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from hub.events.export import AsyncApiHook


def hook() -> AsyncApiHook:
    """The contract export plus what the sharing policy projects to each audience."""
    from hub.views.asyncapi import add_views

    return add_views


app = typer.Typer(help="Contract schemas, AsyncAPI, examples and validation.", no_args_is_help=True)


@app.command("export")
def export_() -> None:
    """Regenerate contracts/ (schemas, examples, asyncapi.yaml, CATALOGUE.md) from the models."""
    from hub.events import export

    changed = export.write(hook=hook())
    for rel in changed:
        typer.echo(f"wrote {rel}")
    typer.echo(f"{len(changed)} file(s) changed in {export.CONTRACTS_DIR}")


@app.command()
def release() -> None:
    """Snapshot the schema of every not yet released type into contracts/released/<major>/."""
    from hub.events import released

    added = released.release()
    for rel in added:
        typer.echo(f"released {rel}")
    typer.echo(f"{len(added)} type(s) released")


@app.command()
def check() -> None:
    """Fail when contracts/ drifts from the code or a change breaks a released version."""
    from hub.events import export, released

    problems = [f"drift: {p}" for p in export.drift(hook=hook())]
    problems += [f"incompatible: {p}" for p in released.compatibility_problems()]
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("contracts: no drift, every released version still accepted")


def read_events(text: str) -> list[tuple[int, Any]]:
    """Events of a file: one JSON event, a JSON array, or JSON lines; (number, object or error)."""
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    else:
        return list(enumerate(whole if isinstance(whole, list) else [whole], start=1))
    events: list[tuple[int, Any]] = []
    for number, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        try:
            events.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            events.append((number, ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})")))
    return events


def validate_text(text: str) -> tuple[list[str], int]:
    """One line per event (`event N: ...`) and the number of invalid events."""
    from hub.events.errors import ContractError
    from hub.events.registry import parse_event

    lines: list[str] = []
    invalid = 0
    events = read_events(text)
    if not events:
        return ["no events found"], 1
    for number, obj in events:
        if isinstance(obj, ValueError):
            lines.append(f"event {number}: {obj}")
            invalid += 1
            continue
        try:
            event = parse_event(obj)
        except ContractError as exc:
            lines += [f"event {number}: {p}" for p in exc.problems]
            invalid += 1
        else:
            lines.append(f"event {number}: ok ({event.type})")
    return lines, invalid


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="The file of events ('-' = stdin).")],
) -> None:
    """Validate structured CloudEvents JSON (one event, an array, or JSON lines) per event."""
    if str(file) == "-":
        text = sys.stdin.read()
    elif not file.is_file():
        typer.echo(f"hub: {file}: no such file", err=True)
        raise typer.Exit(2)
    else:
        text = file.read_text(encoding="utf-8")
    lines, invalid = validate_text(text)
    for line in lines:
        typer.echo(line)
    if invalid:
        typer.echo(f"{invalid} invalid event(s)", err=True)
        raise typer.Exit(1)
