"""`hub import`, `hub adapters list|check|token|run` and `hub serve`: the ingest edge."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hub.cli.lazy import get_settings

if TYPE_CHECKING:
    from rich.table import Table

    from hub.adapters.ingest import IngestService
    from hub.adapters.registry import AdapterRegistry
    from hub.adapters.report import IngestReport

adapters_app = typer.Typer(
    help="The adapters: list them, check one against the conformance kit, run one on Kafka.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)

#: Above this many bytes (about half a second of mapping) a progress bar is shown.
PROGRESS_BYTES = 64 * 1024

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".txt": "text/csv",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
}


def content_type_of(path: Path) -> str:
    """The content type a file's extension implies (CSV when unknown)."""
    return CONTENT_TYPES.get(path.suffix.lower(), "text/csv")


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]hub: {message}[/]")
    return typer.Exit(1)


def record_count(body: bytes, content_type: str) -> int | None:
    """How many records a body holds, for a progress bar: its non-blank lines, without the
    CSV header; None for a JSON document (one array), whose records are not lines."""
    if "json" in content_type and "ndjson" not in content_type:
        return None
    lines = sum(1 for line in body.splitlines() if line.strip())
    return max(0, lines - 1) if "csv" in content_type else lines


def summary(
    report: IngestReport, seconds: float, records: int, ingest_seconds: float | None = None
) -> Table:
    """The end-of-import table: accepted, duplicates, rejected by reason, ignored fields."""
    from rich.table import Table

    table = Table(title=f"{report.partner}/{report.feed} ({report.batch})", show_header=False)
    table.add_row("accepted", str(len(report.accepted)))
    table.add_row("duplicates", str(len(report.duplicates)))
    table.add_row("rejected", str(len(report.rejected)))
    for reason, count in sorted(report.rejected_by_reason().items()):
        table.add_row(f"  {reason}", str(count))
    for name, count in report.ignored.items():
        table.add_row(f"ignored field {name}", f"{count} records")
    if report.masked:
        table.add_row("masked in free text", f"{len(report.masked)} records")
    rate = records / seconds if seconds > 0 else 0.0
    detail = "" if ingest_seconds is None else f"; the ingest itself {ingest_seconds:.1f} s"
    table.add_row("time", f"{seconds:.1f} s in all ({rate:,.0f} records/s{detail})")
    return table


async def _import(
    service: IngestService, partner: str, feed: str, body: bytes, content_type: str
) -> IngestReport:
    if len(body) < PROGRESS_BYTES:
        return await service.ingest(partner, feed, body, content_type)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    total = record_count(body, content_type)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"{partner}/{feed}", total=total)
        return await service.ingest(
            partner,
            feed,
            body,
            content_type,
            progress=lambda n: progress.advance(task, n),
        )


def import_file(
    partner: Annotated[str, typer.Argument(help="school, leerplicht, jgz, buurtteam or swv.")],
    feed: Annotated[str, typer.Argument(help="The feed, e.g. verzuim (see hub adapters list).")],
    file: Annotated[Path, typer.Argument(help="The file to import ('-' = stdin).")],
    content_type: Annotated[
        str | None, typer.Option(help="text/csv, application/json or application/x-ndjson.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Map and report, publish nothing (no broker).")
    ] = False,
    organisation: Annotated[
        str, typer.Option(help="Organisation id in the events' source when a record has none.")
    ] = "regio",
    show_rejections: Annotated[
        int, typer.Option(help="List at most this many rejected records.")
    ] = 20,
) -> None:
    """Import a partner's file through its adapter: events once, bad rows to the DLQ."""
    started = time.perf_counter()
    from hub.adapters.registry import UnknownFeed, builtin_registry

    registry = builtin_registry()
    try:
        registry.get_adapter(partner, feed)
    except UnknownFeed as exc:
        raise _fail(str(exc)) from None
    if str(file) == "-":
        body = sys.stdin.buffer.read()
        kind = content_type or "text/csv"
    else:
        if not file.is_file():
            raise _fail(f"{file}: no such file")
        body = file.read_bytes()
        kind = content_type or content_type_of(file)
    report, seconds = asyncio.run(
        _run_import(registry, partner, feed, body, kind, dry_run, organisation)
    )
    records = len(report.accepted) + len(report.duplicates) + len(report.rejected)
    for rejection in report.rejected[:show_rejections]:
        where = f" [{rejection.field}]" if rejection.field else ""
        typer.echo(f"record {rejection.record}: {rejection.reason}{where}: {rejection.message}")
    if len(report.rejected) > show_rejections:
        typer.echo(f"... and {len(report.rejected) - show_rejections} more rejected records")
    console.print(summary(report, time.perf_counter() - started, records, seconds))
    if dry_run:
        console.print("[yellow]dry run: nothing was published[/]")
    if report.rejected:
        raise typer.Exit(3)


async def _run_import(
    registry: AdapterRegistry,
    partner: str,
    feed: str,
    body: bytes,
    content_type: str,
    dry_run: bool,
    organisation: str,
) -> tuple[IngestReport, float]:
    """The report and the seconds the ingest itself took (after connecting)."""
    from hub.adapters.ingest import IngestService, MemoryPublisher, Topics
    from hub.adapters.kit import Context
    from hub.privacy.keyring import load_keyring

    settings = get_settings()
    ring = load_keyring(settings)
    if dry_run:
        service = IngestService(
            registry,
            MemoryPublisher(),
            Context.from_keyring(ring, organisation=organisation),
            topics=Topics(settings.topic_prefix),
        )
        return await _timed(service, partner, feed, body, content_type)
    from hub.web.ingest import IngestOptions, ingest_service

    options = IngestOptions(organisation=organisation)
    # Connecting and reading the ids seen before can take seconds: say what is going on.
    waiting = console.status("connecting to the bus and reading the ids seen before …")
    waiting.start()
    try:
        async with ingest_service(
            settings, ring=ring, registry=registry, options=options
        ) as service:
            waiting.stop()
            return await _timed(service, partner, feed, body, content_type)
    finally:
        waiting.stop()


async def _timed(
    service: IngestService, partner: str, feed: str, body: bytes, content_type: str
) -> tuple[IngestReport, float]:
    started = time.perf_counter()
    report = await _import(service, partner, feed, body, content_type)
    return report, time.perf_counter() - started


@adapters_app.command("list")
def list_adapters() -> None:
    """Every (partner, feed) with the event type it makes."""
    from hub.adapters.registry import builtin_registry

    for (partner, feed), adapter in builtin_registry().items():
        model = getattr(adapter, "model", None)
        event_type = getattr(model, "event_type", "?")
        typer.echo(f"{partner}/{feed}\t{event_type}\t{adapter.description}")


@adapters_app.command()
def check(
    module: Annotated[
        str, typer.Argument(help="Python module with ADAPTERS or ADAPTER, or 'builtin'.")
    ],
) -> None:
    """Run the conformance kit: valid contracts, deterministic ids, no PII, nasty inputs."""
    from hub.adapters.conformance import check_adapter
    from hub.adapters.registry import adapters_of, builtin_registry

    try:
        adapters = (
            tuple(builtin_registry().values()) if module == "builtin" else adapters_of(module)
        )
    except (ImportError, LookupError, TypeError) as exc:
        raise _fail(f"cannot load adapters from {module}: {exc}") from None
    failed = 0
    for adapter in adapters:
        name = f"{adapter.partner.value}/{adapter.feed}"
        for result in check_adapter(adapter):
            mark = "[green]ok[/]  " if result.ok else "[red]FAIL[/]"
            console.print(f"{mark} {name}: {result.name}")
            if not result.ok:
                failed += 1
                console.print(f"       {result.detail}")
    console.print(f"{len(adapters)} adapter(s), {failed} failed check(s)")
    if failed:
        raise typer.Exit(1)


@adapters_app.command()
def docs(
    write: Annotated[
        bool, typer.Option("--write", help="Write the files (else only check).")
    ] = False,
    directory: Annotated[Path, typer.Option(help="Target directory.")] = Path("contracts/sources"),
) -> None:
    """Render contracts/sources/ (source formats and examples); exit 1 when it drifted."""
    from hub.adapters.sourcedocs import render
    from hub.adapters.sourcedocs import write as write_files

    if write:
        for path in write_files(directory):
            typer.echo(f"wrote {path}")
        return
    stale = [
        rel
        for rel, content in render().items()
        if not (directory / rel).exists() or (directory / rel).read_bytes() != content.encode()
    ]
    for rel in stale:
        typer.echo(f"out of date: {directory / rel}")
    if stale:
        raise typer.Exit(1)
    typer.echo(f"adapters docs: {directory} is up to date")


@adapters_app.command()
def token(
    partner: Annotated[str, typer.Argument(help="The partner that will post with it.")],
) -> None:
    """Issue an ingest bearer token for a partner (shown once; only its hash is kept).

    A running hub accepts it within seconds, without a restart.
    """
    from hub.web.tokens import PartnerTokens, tokens_dir

    directory = tokens_dir(get_settings())
    tokens = PartnerTokens.load(directory)
    secret = tokens.issue(partner)
    path = tokens.save(directory)
    console.print(f"token for {partner} saved as a hash in {path}; it is shown only now:")
    typer.echo(secret)


@adapters_app.command()
def revoke(
    partner: Annotated[str, typer.Argument(help="The partner whose tokens stop working.")],
) -> None:
    """Revoke every ingest token of a partner; a running hub refuses them within seconds."""
    from hub.web.tokens import PartnerTokens, tokens_dir

    directory = tokens_dir(get_settings())
    tokens = PartnerTokens.load(directory)
    count = tokens.revoke(partner)
    if count == 0:
        raise _fail(f"no tokens for partner '{partner}'")
    path = tokens.save(directory)
    console.print(f"{count} token(s) of {partner} revoked in {path}")


@adapters_app.command("run")
def run_adapter(
    partner: Annotated[str, typer.Argument(help="The partner whose raw topic to read.")],
) -> None:
    """Run the partner's adapters over its raw topic on Kafka, until SIGTERM or Ctrl-C."""
    from hub.adapters.registry import UnknownFeed, builtin_registry

    if not any(p == partner for p, _ in builtin_registry()):
        raise UnknownFeed(f"no adapters for partner '{partner}'")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_adapter(partner))


async def _run_adapter(partner: str) -> None:
    from hub.web.ingest import run_raw_adapter

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    processed = await run_raw_adapter(
        get_settings(),
        partner,
        stopped,
        ready=lambda: typer.echo(f"adapters {partner}: running", err=True),
    )
    typer.echo(f"adapters {partner}: stopped, {processed} records processed", err=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default HUB_HTTP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default HUB_HTTP_PORT).")] = None,
) -> None:
    """Serve the HTTP side: partner ingest, health, readiness and metrics."""
    from hub.web.ingest import serve_http

    settings = get_settings()
    asyncio.run(serve_http(settings, host or settings.http_host, port or settings.http_port))


def register(app: typer.Typer) -> None:
    """Add `import`, `adapters` and `serve` to the `hub` command."""
    app.command("import")(import_file)
    app.add_typer(adapters_app, name="adapters")
    app.command("serve")(serve)
