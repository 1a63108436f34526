"""The report: the paper's Tables 2, 3 and 4 over many runs.

Split by purpose:

* :mod:`gdashboard.report.statistics` computes every table as rows (plain lists of
  dicts) into a :class:`Report`, from :mod:`~gdashboard.report.aucs` (test AUC per
  experiment and model, Table 2's summary, Table 3's paired t-tests),
  :mod:`~gdashboard.report.selection` (the architecture representatives and ``auto``,
  chosen by validation AUC), :mod:`~gdashboard.report.table4` (Table 4's motif
  matches) and :mod:`~gdashboard.report.patterns` (the TF-MoDISco rows). Nothing there
  formats.
* :mod:`gdashboard.report.render` turns those rows into Markdown and CSV sections
  (:mod:`~gdashboard.report.section`, one titled table;
  :mod:`~gdashboard.report.motif_sections`, Table 4's and TF-MoDISco's); the dashboard
  renders the same rows as HTML.
* :mod:`gdashboard.report.write` is ``gdash report``: read the runs through
  :mod:`gdashboard.results`, compute, render, write ``report.md`` and the CSVs.
"""

from gdashboard.report.render import Section, section, sections, to_markdown
from gdashboard.report.statistics import Report, paired_ttest, summarise
from gdashboard.report.write import write_report

__all__ = ["Report", "Section", "paired_ttest", "section", "sections", "summarise", "to_markdown", "write_report"]
