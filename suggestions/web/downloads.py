"""Tables as downloads: CSV with a UTF-8 BOM (so Excel reads the Chinese) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font

RATE = "rate"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == RATE:
        return f"{value:.1%}"
    return str(value)


def csv_response(columns: list[tuple[str, str]], rows: list[list], filename: str) -> Response:
    """The rows as CSV; rates as percentages, an empty cell where a rate has no cases yet."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([heading for heading, _ in columns])
    for row in rows:
        writer.writerow([_cell_text(value, kind) for value, (_, kind) in zip(row, columns, strict=True)])
    return _attachment(Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8"), f"{filename}.csv")


def xlsx_response(title: str, columns: list[tuple[str, str]], rows: list[list], filename: str) -> Response:
    """The rows as one XLSX sheet: counts as numbers, rates as numbers shown as percentages."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append([heading for heading, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell, (_, kind) in zip(sheet[sheet.max_row], columns, strict=True):
            if kind == RATE:
                cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    book.save(buffer)
    return _attachment(Response(buffer.getvalue(), mimetype=XLSX_TYPE), f"{filename}.xlsx")


def _attachment(response: Response, filename: str) -> Response:
    # RFC 6266: an ASCII fallback name and the UTF-8 one.
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    response.headers["Content-Disposition"] = f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "no-store"
    return response
