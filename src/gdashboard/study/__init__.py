"""The study runner (``gdash study``): every experiment × model × seed, resumable, indexed.

* :mod:`gdashboard.study.plan` — the experiments under data folders and the tasks.
* :mod:`gdashboard.study.index` — the results index (SQLite, WAL) in the study folder.
* :mod:`gdashboard.study.tasks` — one task, and the rules that say whether an output is current.
* :mod:`gdashboard.study.executors` — a local process pool, or Ray.
* :mod:`gdashboard.study.runner` — ``run_study``, ``study_status``, ``rebuild_index``.

It reads and writes runs through :mod:`gdashboard.results` and the commands below it;
only :mod:`gdashboard.cli` imports this package.
"""
