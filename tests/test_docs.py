"""The CLI reference in docs/ is generated from the app itself, and must be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_cli_docs_are_current(tmp_path: Path) -> None:
    out = tmp_path / "cli.md"
    typer = Path(sys.executable).with_name("typer")
    subprocess.run(
        [str(typer), "headway.cli", "utils", "docs", "--name", "headway", "--output", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == out.read_text(encoding="utf-8"), "run: make docs"
