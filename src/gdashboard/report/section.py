"""One titled table of the report (:class:`Section`) and how its cells are written:
rounded in Markdown, at full precision in its CSV."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

# Every CSV a report may hold: a rerun removes those it no longer makes (see write_report).
CSV_NAMES = (
    "per_experiment.csv",
    "table2.csv",
    "table3_architectures.csv",
    "table3_presets.csv",
    "auto.csv",
    "auto_tests.csv",
    "table4_architectures.csv",
    "table4_presets.csv",
    "patterns.csv",
)


@dataclass
class Section:
    """One titled table of the report, rendered to Markdown and (optionally) a CSV.

    Attributes
    ----------
    key
        Short name; the key of its CSV in :func:`write_report`'s result.
    title
        Markdown heading.
    columns
        Keys of ``rows`` written to the CSV, in order.
    rows
        The data, full precision.
    csv_name
        File name of the CSV, or None for a Markdown-only section.
    markdown_columns, markdown_rows
        What the Markdown table shows, when it differs from the CSV (e.g. "mean ± sd"
        strings); default: ``columns`` and ``rows``.
    before, after
        Markdown paragraphs around the table.
    """

    key: str
    title: str
    columns: list[str]
    rows: list[dict]
    csv_name: str | None = None
    markdown_columns: list[str] | None = None
    markdown_rows: list[dict] | None = None
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.csv_name is not None and self.csv_name not in CSV_NAMES:
            raise ValueError(f"{self.csv_name!r} is not in CSV_NAMES")

    def to_markdown(self) -> str:
        """The section as Markdown: heading, paragraphs and a pipe table."""
        columns = self.markdown_columns or self.columns
        rows = self.markdown_rows if self.markdown_rows is not None else self.rows
        parts = [f"## {self.title}", *self.before]
        if rows:
            lines = [
                "| " + " | ".join(_escape(c) for c in columns) + " |",
                "|" + "|".join("---" for _ in columns) + "|",
            ]
            for row in rows:
                cells = (_escape(format_markdown(c, row.get(c))) for c in columns)
                lines.append("| " + " | ".join(cells) + " |")
            parts.append("\n".join(lines))
        else:
            parts.append("_Nothing to show._")
        parts.extend(self.after)
        return "\n\n".join(parts) + "\n"

    def to_csv(self) -> str:
        """The section's rows as CSV text, floats at full precision, None as empty."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_format_csv(row.get(c)) for c in self.columns])
        return buffer.getvalue()


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def format_markdown(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        # p-values span many orders of magnitude: 3 decimals would print most as 0.000.
        if column in ("p", "first_tf_q", "window_p"):
            return f"{value:.2e}"
        if column.endswith("_seconds"):  # from milliseconds (k-mers) to hours (gkm-SVM)
            return f"{value:.3g}" if value < 100 else f"{value:,.0f}"
        return f"{value:.3f}"
    return str(value)


def _format_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    return str(value)
