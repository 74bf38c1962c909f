"""Outputs: files an LA hands to others, written from the standard model.

- annex_a: the Ofsted ILACS Annex A lists 1-11 as one xlsx (annex_a_lists says which
  columns, in which order, from where)
- xlsx: writing cells safely (no formula injection)
"""

from headway.outputs.annex_a import (
    AnnexAReport,
    ListReport,
    default_as_at,
    print_report,
    write_annex_a,
)

__all__ = ["AnnexAReport", "ListReport", "default_as_at", "print_report", "write_annex_a"]
