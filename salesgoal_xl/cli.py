"""The `salesgoal` command line: thin shells over the command functions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

from salesgoal_xl import __version__, console


def plain_help(command: Any) -> None:
    """Help in the words a user types: `salesgoal split PATH`, not `{path}`; a flag shows no
    `<bool>` and an option its value's name (`--lang LANG`). Applied to every command and
    sub-command (and their --help), so a new command gets it without doing anything."""
    for param in command.params:
        _plain_param(param)
    original = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub)


def _plain_param(param: Any) -> None:
    name = str(param.name or "value").upper()
    if isinstance(param, TyperArgument):
        shown = name if param.required else f"[{name}]"
        param.metavar = name

        def usage_pieces(ctx: Any) -> list[str]:
            return [shown]

        def no_type(ctx: Any) -> None:
            return None

        param.get_usage_pieces = usage_pieces  # type: ignore[method-assign]
        param.display_type_rich = no_type  # type: ignore[method-assign]
    elif isinstance(param, TyperOption):
        if param.is_flag or param.is_bool_flag:
            param.metavar = ""
        elif param.metavar is None and not param.type_descriptor.is_choice:
            param.metavar = name


class PlainHelpGroup(TyperGroup):
    """The root command group, with `plain_help` applied to everything under it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        plain_help(self)


STEPS = "Steps, in order"
ANY_TIME = "Any time"
OTHER = "Templates, the Excel add-in and the version"

app = typer.Typer(
    cls=PlainHelpGroup,
    name="salesgoal",
    help=(
        "Set, split, track, evaluate and adjust sales targets in Excel planning workbooks.\n\n"
        "The steps, in order: new (or demo) builds the workbook; import-org and "
        "import-history bring in your organisation and past sales; propose suggests the "
        "company target; type or pick the final target; split turns it into exact leaf "
        "targets; import-actuals loads what was sold; evaluate tracks and scores it; adjust "
        "applies approved target changes from the adjustment log; collect merges the commits of "
        "returned copies. check lists what is "
        "wrong, or what "
        "is still to do, at any step.\n\n"
        "Exit codes: 0 done (or clean); 1 the workbook has problems or a step still to do "
        "(listed at their cells); 2 the file cannot be read (nothing is written); 3 an "
        "internal error (a bug; the file is not changed)."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Set, split, track, evaluate and adjust sales targets in Excel planning workbooks."""


@app.command("new", rich_help_panel=STEPS)
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


@app.command(rich_help_panel=ANY_TIME)
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


@app.command(rich_help_panel=STEPS)
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


@app.command("demo-actuals", rich_help_panel=STEPS)
def demo_actuals(
    path: Annotated[Path, typer.Argument(help="The split demo workbook (read, not changed).")],
    out: Annotated[Path, typer.Argument(help="Where to write the CRM export (.csv).")],
    months: Annotated[int, typer.Option(help="How many fiscal months of deals.")] = 6,
    force: Annotated[bool, typer.Option(help="Overwrite an existing export.")] = False,
) -> None:
    """Write a CRM export of deals around the demo's split targets, for import-actuals."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.demo import write_demo_actuals

    with console.progress_bar() as report:
        summary = console.run_command(
            lambda: write_demo_actuals(views.file_port(path, report), out, months, force=force),
            path=str(path),
        )
    views.show_demo_actuals(summary)


MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map", help='Read an export column as a plan column: "Close Date=Period" (repeatable).'
    ),
]
SheetOption = Annotated[str | None, typer.Option(help="The xlsx sheet to read (default: first).")]
SkipBad = Annotated[bool, typer.Option(help="Import the good rows; list the bad ones.")]
DryRun = Annotated[bool, typer.Option(help="Check and report without writing.")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
DecimalOption = Annotated[
    str | None, typer.Option("--decimal", help="The export's decimal separator: . or ,")
]
SourceArg = Annotated[Path, typer.Argument(help="The export: CSV (, ; or tab) or .xlsx.")]
PlanArg = Annotated[Path, typer.Argument(help="The planning workbook.")]


def _import(
    kind: str,
    path: Path,
    source: Path,
    options: tuple[list[str] | None, str | None, bool, bool, str | None],
    json_out: bool,
) -> None:
    from salesgoal_xl import views
    from salesgoal_xl.commands import imports

    maps, sheet, skip_bad, dry_run, decimal = options
    opts = imports.ImportOptions(tuple(maps or ()), sheet, skip_bad, dry_run, decimal)
    run = {
        "actuals": imports.run_import_actuals,
        "history": imports.run_import_history,
        "org": imports.run_import_org,
    }[kind]
    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run(views.file_port(path, report), source, opts),
            path=str(path),
            as_json=json_out,
        )
    views.show_import(summary, str(path), as_json=json_out)


@app.command("import-history", rich_help_panel=STEPS)
def import_history(
    path: PlanArg,
    source: SourceArg,
    maps: MapOption = None,
    sheet: SheetOption = None,
    skip_bad: SkipBad = False,
    dry_run: DryRun = False,
    json_out: JsonOut = False,
    decimal: DecimalOption = None,
) -> None:
    """Load past actuals (months before the plan year) from an export into tblHistory."""
    _import("history", path, source, (maps, sheet, skip_bad, dry_run, decimal), json_out)


@app.command("import-org", rich_help_panel=STEPS)
def import_org(
    path: PlanArg,
    source: SourceArg,
    maps: MapOption = None,
    sheet: SheetOption = None,
    skip_bad: SkipBad = False,
    dry_run: DryRun = False,
    json_out: JsonOut = False,
    decimal: DecimalOption = None,
) -> None:
    """Create and update regions, teams, reps, channels and products from an HR or CRM list."""
    _import("org", path, source, (maps, sheet, skip_bad, dry_run, decimal), json_out)


@app.command(rich_help_panel=STEPS)
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


@app.command(rich_help_panel=STEPS)
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


@app.command("import-actuals", rich_help_panel=STEPS)
def import_actuals(
    path: PlanArg,
    source: SourceArg,
    maps: MapOption = None,
    sheet: SheetOption = None,
    skip_bad: SkipBad = False,
    dry_run: DryRun = False,
    json_out: JsonOut = False,
    decimal: DecimalOption = None,
) -> None:
    """Load actuals from a CRM or ERP export into tblActuals (replacing the periods it covers)."""
    _import("actuals", path, source, (maps, sheet, skip_bad, dry_run, decimal), json_out)


@app.command(rich_help_panel=STEPS)
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


@app.command(rich_help_panel=STEPS)
def adjust(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    dry_run: Annotated[bool, typer.Option(help="Compute and report without writing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Apply the approved requests of the adjustment log to the targets, logged and hashed."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.adjust import run_adjust

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_adjust(views.file_port(path, report), dry_run=dry_run),
            path=str(path),
            as_json=json_out,
        )
    views.show_adjustments(summary, as_json=json_out)


ROUND_TRIPS = "Approvals and emailed round trips"


@app.command(rich_help_panel=ROUND_TRIPS)
def approve(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    scope: Annotated[
        str, typer.Option(help="What is approved: all, region:CODE, team:CODE or rep:ID.")
    ],
    by: Annotated[str, typer.Option("--by", help="The approver's name.")],
    role: Annotated[str, typer.Option(help="The approver's role (e.g. 'VP Sales').")] = "",
    comment: Annotated[str, typer.Option(help="A note kept with the approval.")] = "",
    sign: Annotated[
        Path | None,
        typer.Option("--sign", help="Sign with this private key file (from `keys new`)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Compute and report without writing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Record an approval of the targets in scope, bound to a fingerprint of those numbers."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.approvals import run_approve
    from salesgoal_xl.commands.keys import read_private_key

    key = console.run_command(lambda: read_private_key(sign)) if sign else None
    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_approve(
                views.file_port(path, report),
                scope,
                by,
                role=role,
                comment=comment,
                private_key=key,
                dry_run=dry_run,
            ),
            path=str(path),
            as_json=json_out,
        )
    views.show_approval(summary, as_json=json_out)


@app.command(rich_help_panel=ROUND_TRIPS)
def verify(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Recompute every approval's fingerprint and signature; name each cell changed since."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.approvals import run_verify

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_verify(views.file_port(path, report)), path=str(path), as_json=json_out
        )
    views.show_verification(summary, str(path), as_json=json_out)
    if summary.problems:
        raise typer.Exit(console.EXIT_PROBLEMS)


keys_app = typer.Typer(
    name="keys",
    help="Approvers' Ed25519 signing keys: make a pair, list the public key in a plan.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys", rich_help_panel=ROUND_TRIPS)


@keys_app.command("new")
def keys_new(
    name: Annotated[str, typer.Argument(help="The approver's name, as in tblApprovals.")],
    out: Annotated[Path, typer.Option(help="Folder for NAME.key and NAME.pub.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Replace existing key files.")] = False,
) -> None:
    """Make a key pair: NAME.key (private, keep it to yourself) and NAME.pub (public)."""
    from salesgoal_xl.commands.keys import new_keys

    pair = console.run_command(lambda: new_keys(name, out, force=force))
    console.out.print(f"private key written: {pair.private_path} (readable by you only)")
    console.out.print(f"public key written:  {pair.public_path}")
    console.out.print(f"public key: {pair.public_key}", markup=False, highlight=False)


@keys_app.command("add")
def keys_add(
    path: Annotated[Path, typer.Argument(help="The planning workbook.")],
    name: Annotated[str, typer.Argument(help="The approver's name.")],
    public_key: Annotated[str, typer.Argument(help="A .pub file, or the 'ed25519:...' text.")],
    role: Annotated[str, typer.Option(help="The approver's role.")] = "",
    replace: Annotated[bool, typer.Option(help="Replace a key already listed for NAME.")] = False,
) -> None:
    """List an approver's public key in the plan's tblApprovers (Approvals sheet)."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.keys import add_approver, read_public_key

    key = console.run_command(lambda: read_public_key(public_key))
    with console.progress_bar() as report:
        written = console.run_command(
            lambda: add_approver(
                views.file_port(path, report), name, key, role=role, replace=replace
            ),
            path=str(path),
        )
    console.out.print(
        f"{name}'s public key listed in tblApprovers of {path}"
        if written
        else f"{name}'s public key was already listed in {path}; nothing written"
    )


@app.command(rich_help_panel=STEPS)
def collect(
    master: Annotated[Path, typer.Argument(help="The master planning workbook.")],
    returned: Annotated[list[Path], typer.Argument(help="The returned copies.")],
    dry_run: Annotated[bool, typer.Option(help="Show the changes without writing.")] = False,
    skip_rejected: Annotated[
        bool, typer.Option(help="Apply the accepted copies even when others are refused.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Merge commits and comments from returned copies; refuse tampered or foreign copies."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.collect import run_collect

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_collect(
                views.file_port(master, report),
                returned,
                dry_run=dry_run,
                skip_rejected=skip_rejected,
            ),
            path=str(master),
            as_json=json_out,
        )
    views.show_collect(summary, str(master), as_json=json_out)
    if summary.refused:
        raise typer.Exit(console.EXIT_PROBLEMS)


@app.command(rich_help_panel=OTHER)
def version() -> None:
    """Print the salesgoal_xl version."""
    typer.echo(__version__)


# --- commands are registered below this line, one block each ---


@app.command(rich_help_panel=STEPS)
def export(
    path: Annotated[Path, typer.Argument(help="The split planning workbook (the master).")],
    by: Annotated[str, typer.Option("--by", help="One copy per region, team or manager.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the copies (default: the plan's).")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Copies' language (default: the plan's): en, zh-Hant, zh-Hans."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace copies that already exist.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Write one protected copy per recipient holding only their slice, with a fingerprint."""
    from salesgoal_xl import views
    from salesgoal_xl.commands.export import run_export

    with console.progress_bar(not json_out) as report:
        summary = console.run_command(
            lambda: run_export(
                views.file_port(path, report), path, by, out, lang=lang, force=force
            ),
            path=str(path),
            as_json=json_out,
        )
    views.show_export(summary, as_json=json_out)


@app.command(rich_help_panel=OTHER)
def templates(
    directory: Annotated[Path, typer.Argument(help="Folder for the three templates.")],
) -> None:
    """Write the English, Traditional and Simplified Chinese templates into DIRECTORY."""
    from salesgoal_xl.commands.new import write_templates

    for written in console.run_command(lambda: write_templates(directory)):
        console.out.print(f"template written: {written}")


# salesgoal addin build / install / functions-vba: the sub-commands live with the add-in.
from salesgoal_xl.addin.cli import app as addin_app  # noqa: E402 -- one block per command

app.add_typer(addin_app, name="addin", rich_help_panel=OTHER)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
