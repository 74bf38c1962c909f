"""Writing a self-contained HTML page as .html, or as .pdf through WeasyPrint."""

from __future__ import annotations

from pathlib import Path

from headway.errors import HeadwayError


def write_page(html: str, path: Path) -> Path:
    """Write `html` to `path`: as it is for .html, rendered by WeasyPrint for .pdf."""
    suffix = path.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise HeadwayError(
            f"Write it as .html or .pdf, not '{path.suffix}'.",
            "Give a file name ending .html or .pdf.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        path.write_text(html, "utf-8")
    else:
        from weasyprint import HTML  # imported here: it loads Pango, which takes a second

        HTML(string=html).write_pdf(path)
    return path
