"""The gradebook as CSV: RFC 4180 (CRLF, quotes doubled), UTF-8, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would be read
as a formula by Excel, LibreOffice and Google Sheets (OWASP's "CSV
injection"); it gets a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io

from .gradebook import STATUS_LABELS, Gradebook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """Return a cell's text, defused if a spreadsheet would run it as a formula.

    >>> neutralise("=1+1"), neutralise("Ada"), neutralise("@SUM(A1)")
    ("'=1+1", 'Ada', "'@SUM(A1)")
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _score(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def gradebook_csv(book: Gradebook) -> str:
    """Return the gradebook as CSV text: one row per student, score or status per problem."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = ["Student", "Email"]
    header += [f"{p.label} {p.title} (level {p.level})" for p in book.problems]
    header += ["Total", "Out of"]
    writer.writerow([neutralise(h) for h in header])
    for row in book.rows:
        cells = [
            _score(c.score) if c.status in ("correct", "incorrect") else STATUS_LABELS[c.status]
            for c in row.cells
        ]
        values = [row.student.name, row.student.email, *cells, _score(row.total), book.max_total]
        writer.writerow([neutralise(v) for v in values])
    return buffer.getvalue()
