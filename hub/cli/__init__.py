"""`hub`: the command line of the onderwijs–jeugd hub."""

from __future__ import annotations

import sys

import typer

from hub.cli import (
    acl,
    casus,
    certs,
    contracts,
    demo,
    deploy,
    indicators,
    ingest,
    inzage,
    kafka,
    keys,
    oidc,
    pii,
    policy,
    run,
    views,
)
from hub.cli.errors import one_line, operator_errors

app = typer.Typer(
    name="hub",
    help="Integration hub for onderwijs and jeugd: contract events on Apache Kafka.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(kafka.app, name="kafka")
app.add_typer(oidc.app, name="oidc")
app.add_typer(contracts.app, name="contracts")
app.add_typer(keys.app, name="keys")
app.add_typer(pii.app, name="pii")
app.add_typer(certs.app, name="certs")
app.add_typer(acl.app, name="acl")
app.add_typer(deploy.app, name="deploy")
app.add_typer(casus.app, name="casus")
app.command("demo")(demo.demo)
app.command("run")(run.run)
ingest.register(app)
app.add_typer(policy.app, name="policy")
app.add_typer(views.app, name="views")
app.command("inzage")(inzage.inzage)
app.command("indicators")(indicators.indicators)


@app.callback()
def _configure() -> None:
    """Read the settings and set up logging before any command."""
    from hub.log import configure_logging
    from hub.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


def main() -> None:
    """Entry point: run the CLI and turn every expected failure into one line on stderr."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            print(f"hub: invalid configuration: {one_line(exc)}", file=sys.stderr)
            sys.exit(2)
        if not isinstance(exc, operator_errors()):
            raise
        print(f"hub: {exc}", file=sys.stderr)
        sys.exit(1)
