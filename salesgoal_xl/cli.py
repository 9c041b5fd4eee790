"""The `salesgoal` command line: thin shells over the command functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from salesgoal_xl import __version__, console

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


@app.command()
def templates(
    directory: Annotated[Path, typer.Argument(help="Folder for the three templates.")],
) -> None:
    """Write the English, Traditional and Simplified Chinese templates into DIRECTORY."""
    from salesgoal_xl.commands.new import write_templates

    for written in console.run_command(lambda: write_templates(directory)):
        console.out.print(f"template written: {written}")


@app.command("new")
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the workbook (.xlsx).")],
    lang: Annotated[str, typer.Option(help="Workbook language: en, zh-Hant or zh-Hans.")] = "en",
    year: Annotated[int | None, typer.Option(help="Fiscal year (named by its end).")] = None,
    first_month: Annotated[int, typer.Option(help="First month of the fiscal year.")] = 1,
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Build a new, empty planning workbook in the chosen language."""
    from salesgoal_xl.commands.new import new_workbook

    written = console.run_command(lambda: new_workbook(path, lang, year, first_month, force))
    console.out.print(f"planning workbook written: {written}")


@app.command()
def check(
    path: str = typer.Argument(..., help="The planning workbook to check (.xlsx)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON for machines."),
    no_write: bool = typer.Option(False, "--no-write", help="Leave the file untouched."),
) -> None:
    """List every problem in a workbook at its cell and log them in its Checks sheet."""
    from pathlib import Path

    from salesgoal_xl import console
    from salesgoal_xl.commands.check import run_check

    run = console.run_command  # unexpected failures: one line and exit 3, never a traceback
    with console.progress_bar(not json_out) as report:
        outcome = run(lambda: run_check(Path(path), write=not no_write, progress=report))
    raise typer.Exit(console.show_check(outcome, path, as_json=json_out))


@app.command()
def demo(
    path: Annotated[Path, typer.Argument(help="Where to write the demo workbook (.xlsx).")],
    lang: Annotated[str, typer.Option(help="Workbook language: en, zh-Hant or zh-Hans.")] = "en",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a planning workbook filled with the made-up demo company (60 reps, 3 years)."""
    from salesgoal_xl.commands.demo import write_demo_workbook

    with console.progress_bar() as report:
        written = console.run_command(
            lambda: write_demo_workbook(path, lang, force=force, progress=report)
        )
    console.out.print(f"demo workbook written: {written}")


@app.command()
def propose(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    final: Annotated[
        str, typer.Option(help="Set the final target: keep, conservative, base or stretch.")
    ] = "keep",
    dry_run: Annotated[bool, typer.Option(help="Show the proposal without writing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Propose the company target: baseline, forecast, market figure, range, SMART checks."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.propose import parse_final, run_propose

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_propose(
                views.file_port(path, report), final=parse_final(final), dry_run=dry_run
            ),
            path=str(path),
            as_json=json_out,
        )
    views.show_proposal(summary, as_json=json_out)


@app.command()
def split(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    dry_run: Annotated[bool, typer.Option(help="Compute and report without writing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Split the final target into exact leaf targets (period x rep x channel x product)."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.split import run_split

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_split(views.file_port(path, report), dry_run=dry_run),
            path=str(path),
            as_json=json_out,
        )
    views.show_split(summary, as_json=json_out)


@app.command()
def evaluate(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    as_of: Annotated[
        str | None,
        typer.Option(help="Last period counted (or a date inside it); default: last with actuals."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Compute and report without writing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Track actuals against targets (pace, projection, risk) and score reps fairly."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.evaluate import run_evaluate

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_evaluate(views.file_port(path, report), as_of=as_of, dry_run=dry_run),
            path=str(path),
            as_json=json_out,
        )
    views.show_evaluation(summary, as_json=json_out)


# salesgoal addin build / install / functions-vba: the sub-commands live with the add-in.
from salesgoal_xl.addin.cli import app as addin_app  # noqa: E402 -- one block per command

app.add_typer(addin_app, name="addin")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
