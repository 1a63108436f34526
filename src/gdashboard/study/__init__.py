"""The study runner (``gdash study``): every experiment × model × seed, resumable, indexed.

* :mod:`gdashboard.study.plan` — the experiments under data folders and the tasks.
* :mod:`gdashboard.study.index` — the results index (SQLite, WAL) in the study folder.
* :mod:`gdashboard.study.tasks` — one task, and the rules that say whether an output is current.
* :mod:`gdashboard.study.executors` — a local process pool, or Ray.
* :mod:`gdashboard.study.options` — what a study runs (``StudyOptions``) and where (``Execution``).
* :mod:`gdashboard.study.runner` — ``run_study``, ``study_status``, ``rebuild_index``.

It reads and writes runs through :mod:`gdashboard.results` and the commands below it;
only :mod:`gdashboard.cli` imports this package.
"""

from gdashboard.study.options import Execution, StudyOptions

__all__ = ["Execution", "StudyOptions", "run_study"]


def __getattr__(name: str):
    # The runner reads run folders (torch); the options alone, for the command line's help, do not.
    if name == "run_study":
        from gdashboard.study.runner import run_study

        return run_study
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
