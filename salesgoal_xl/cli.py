"""The `salesgoal` command line: thin shells over the command functions."""

from __future__ import annotations

import typer

from salesgoal_xl import __version__

app = typer.Typer(
    name="salesgoal",
    help="Set, split, track, evaluate and adjust sales targets in Excel planning workbooks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Set, split, track, evaluate and adjust sales targets in Excel planning workbooks."""


@app.command()
def version() -> None:
    """Print the salesgoal_xl version."""
    typer.echo(__version__)


# --- commands are registered below this line, one block each ---


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
