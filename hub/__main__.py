"""Run the CLI as `python -m hub`."""

from hub.cli import main

main()
