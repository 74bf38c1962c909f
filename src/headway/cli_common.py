"""What every `headway` command shares: the consoles, options, error line and progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from headway.errors import HeadwayError
from headway.workspace import Workspace, default_workspace_dir

console = Console(stderr=True)
out = Console()

T = TypeVar("T")

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The LA workspace folder (default: $HEADWAY_WORKSPACE, else ./headway-workspace).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def fail(message: str, hint: str = "") -> None:
    text = escape(message + (f" {hint}" if hint else ""))
    line = f"[bold red]Error:[/] {text}"
    console.print(line, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def run(action: Callable[[], T]) -> T:
    """Run an action; a HeadwayError becomes one line for the analyst and exit code 1."""
    try:
        return action()
    except HeadwayError as exc:
        fail(exc.message, exc.hint)
    except KeyboardInterrupt:
        fail("Stopped. Nothing was changed by the interrupted step.")
    raise AssertionError("unreachable")


def open_workspace(path: Path | None) -> Workspace:
    return run(lambda: Workspace.open(path or default_workspace_dir()))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def show_result(result: Any, as_json: bool) -> None:
    """A report on stdout: JSON for --json, else its own Rich rendering."""
    if as_json:
        print_json(result.to_json())
    else:
        result.render(out)


@contextmanager
def progress(
    label: str, total: int | None, quiet: bool, in_bytes: bool = False
) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields the function that advances it."""
    counter = DownloadColumn() if in_bytes else MofNCompleteColumn()
    with Progress(
        TextColumn(label), BarColumn(), counter, TimeRemainingColumn(),
        console=console, disable=quiet, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
