"""The hub's pages for national government: the evidence for a pack, and a position paper
that puts a deliberation's consensus beside that evidence and the sector's asks.

Both are self-contained HTML (no scripts, nothing fetched); a paper written to .pdf goes
through WeasyPrint. Every figure in them is already disclosure-controlled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from headway.hub.deliberation import Deliberation
from headway.hub.evidence import Evidence
from headway.hub.model import Ask
from headway.pages import write_page


def _render(name: str, **context: Any) -> str:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda n: resources.files("headway.hub").joinpath("templates", n).read_text("utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    made = datetime.now(UTC).strftime("%d %B %Y")
    return env.get_template(name).render(made=made, **context)


def write_evidence_html(evidence: Evidence, path: Path) -> Path:
    return write_page(_render("evidence.html.j2", e=evidence.to_json()), path)


def write_paper(
    topic: str, analysis: Deliberation, evidence: Evidence, asks: Sequence[Ask], path: Path
) -> Path:
    a = analysis.to_json()
    html = _render(
        "paper.html.j2",
        topic=topic,
        d=a,
        e=evidence.to_json(),
        asks=[
            {"title": x.title, "ask": x.ask, "status": x.status, "response": x.response}
            for x in asks
        ],
    )
    return write_page(html, path)
