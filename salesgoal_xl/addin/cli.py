"""`salesgoal addin ...`: build the Excel add-in, install it, regenerate its function wrappers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer

from salesgoal_xl import console

GOLDEN_FUNCTIONS: Final = Path("addin/generated/SalesgoalFunctions.bas")

app = typer.Typer(
    name="addin",
    help="Build and install the Sales Goals Excel add-in (salesgoal.xlam).",
    no_args_is_help=True,
)


@app.command()
def build(
    lang: Annotated[str, typer.Option(help="Ribbon language: en, zh-Hant or zh-Hans.")] = "en",
    out: Annotated[Path, typer.Option(help="Where to write the add-in.")] = Path(
        "dist/salesgoal.xlam"
    ),
    sources: Annotated[Path | None, typer.Option(help="The addin/ source folder.")] = None,
) -> None:
    """Build salesgoal.xlam from the addin/ sources (no Excel needed; the same bytes each time)."""
    from salesgoal_xl.addin.build import SOURCES, build_addin

    report = console.run_command(lambda: build_addin(out, lang, sources or SOURCES))
    console.out.print(
        f"add-in written: {report.path} ({report.size:,} bytes, ribbon in {report.language}, "
        f"sha256 {report.sha256})"
    )


@app.command()
def install(
    addin: Annotated[Path, typer.Option(help="The built add-in to install.")] = Path(
        "dist/salesgoal.xlam"
    ),
    dry_run: Annotated[bool, typer.Option(help="Print the steps without doing them.")] = False,
) -> None:
    """Install the add-in for this user (Windows or macOS) and write its xlwings config."""
    from salesgoal_xl.addin.install import carry_out, current_plan, describe

    plan = console.run_command(lambda: current_plan(addin))
    if dry_run:
        done = [f"would {describe(step)}" for step in plan.steps]
    else:
        done = console.run_command(lambda: carry_out(plan))
    for line in [*done, *plan.afterwards]:
        console.out.print(line, markup=False)


@app.command("functions-vba")
def functions_vba(
    out: Annotated[Path, typer.Argument(help="Where to write the module.")] = GOLDEN_FUNCTIONS,
) -> None:
    """Regenerate the worksheet functions' VBA module (the golden file the tests pin)."""
    from salesgoal_xl.addin.vba_gen import functions_module

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(functions_module().replace("\r\n", "\n"), encoding="utf-8", newline="\n")
    console.out.print(f"worksheet function wrappers written: {out}")
