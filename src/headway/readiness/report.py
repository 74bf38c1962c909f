"""Readiness reports: the terminal summary, one self-contained HTML file for leaders, and an
XLSX workbook for the analyst's own working."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import jinja2
import xlsxwriter
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headway.readiness.engine import AT_RISK, GAP, READY, PackReadiness

_STYLE = {READY: "green", AT_RISK: "dark_orange", GAP: "red"}


def render(packs: Sequence[PackReadiness], console: Console) -> None:
    t = Table("Pack", "Score", "Ready", "At risk", "Gap", "Hours to close", "First blocker",
              title="Readiness")  # fmt: skip
    for p in packs:
        first = p.blockers[0] if p.blockers else None
        t.add_row(
            escape(p.pack_id), f"{p.score:.0f}", str(p.count(READY)),
            f"[{_STYLE[AT_RISK]}]{p.count(AT_RISK)}[/]", f"[{_STYLE[GAP]}]{p.count(GAP)}[/]",
            f"{p.effort_to_close:,.0f}", escape(first.title) if first else "",
        )  # fmt: skip
    console.print(t)


def render_detail(p: PackReadiness, console: Console) -> None:
    console.print(
        f"[bold]{escape(p.title)}[/]: score {p.score:.0f}, "
        f"{p.count(READY)} ready, {p.count(AT_RISK)} at risk, {p.count(GAP)} gaps"
    )
    t = Table("Requirement", "Status", "Why", show_lines=True)
    for r in p.requirements:
        why = "\n".join(escape(x) for x in r.reasons) or "data present and complete"
        label = escape(r.title) + (" (inferred)" if r.basis == "inferred" else "")
        t.add_row(label, f"[{_STYLE[r.status]}]{r.status}[/]", why)
    console.print(t)
    for e in p.expectations_open:
        console.print(f"  Open expectation ({e['level']}): {escape(e['title'])}")


def write_html(packs: Sequence[PackReadiness], path: Path, la_name: str) -> None:
    template = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("headway.readiness").joinpath("templates", name).read_text("utf-8")
            )
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    ).get_template("readiness.html.j2")
    generated = datetime.now(UTC).strftime("%d %B %Y")
    path.write_text(template.render(packs=packs, la_name=la_name, generated=generated), "utf-8")


def write_xlsx(packs: Sequence[PackReadiness], path: Path) -> None:
    # strings_to_formulas off: a value that starts with "=" is written as text, never a formula
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as book:
        bold = book.add_format({"bold": True})
        _sheet(book, "Summary", bold,
               ["Pack", "Title", "Score", "Ready", "At risk", "Gap", "Hours to close"],
               [[p.pack_id, p.title, p.score, p.count(READY), p.count(AT_RISK), p.count(GAP),
                 p.effort_to_close] for p in packs])  # fmt: skip
        _sheet(book, "Requirements", bold,
               ["Pack", "Requirement", "Title", "Status", "Why", "Latest value", "Period", "Due",
                "Hours to close", "Basis"],
               [[p.pack_id, r.id, r.title, r.status, "; ".join(r.reasons),
                 r.run.latest_value if r.run else None, r.run.latest_period if r.run else None,
                 r.due.isoformat() if r.due else None, r.effort_to_close, r.basis]
                for p in packs for r in p.requirements])  # fmt: skip
        _sheet(book, "Items", bold,
               ["Pack", "Requirement", "Item", "Sources", "Year", "Rows", "Filled",
                "Completeness", "Invalid", "DfE findings"],
               [[p.pack_id, r.id, i.item, ", ".join(i.sources), i.year, i.rows, i.filled,
                 round(i.completeness, 4), i.invalid, i.dfe_failures]
                for p in packs for r in p.requirements for i in r.items])  # fmt: skip
        _sheet(book, "Open expectations", bold, ["Pack", "Expectation", "Title", "Level", "Basis"],
               [[p.pack_id, e["id"], e["title"], e["level"], e["basis"]]
                for p in packs for e in p.expectations_open])  # fmt: skip


def _sheet(
    book: xlsxwriter.Workbook,
    name: str,
    bold: object,
    header: list[str],
    rows: list[list[object]],
) -> None:
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, header, bold)
    for n, row in enumerate(rows, 1):
        sheet.write_row(n, 0, row)
    sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    sheet.freeze_panes(1, 0)
