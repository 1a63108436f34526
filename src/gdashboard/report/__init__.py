"""The report: the paper's Tables 2, 3 and 4 over many runs.

Split by purpose:

* :mod:`gdashboard.report.statistics` computes every table as rows (plain lists of
  dicts): test AUC per experiment and model, Table 2's summary, the architecture
  representatives (chosen by validation AUC), Table 3's paired t-tests, Table 4's
  motif matches. Nothing there formats.
* :mod:`gdashboard.report.render` turns those rows into Markdown and CSV sections;
  the dashboard renders the same rows as HTML.
* :mod:`gdashboard.report.write` is ``gdash report``: read the runs through
  :mod:`gdashboard.results`, compute, render, write ``report.md`` and the CSVs.
"""

from gdashboard.report.render import Section, section, sections, to_markdown
from gdashboard.report.statistics import Report, paired_ttest, summarise
from gdashboard.report.write import write_report

__all__ = ["Report", "Section", "paired_ttest", "section", "sections", "summarise", "to_markdown", "write_report"]
