"""What the dashboard's server holds between requests (experiments, test sets, recent
views, class optimisations computed in the background) and the URLs of its views."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qs, urlencode

from gdashboard.dashboard import panels
from gdashboard.errors import InputError
from gdashboard.methods import ClassOptOptions

logger = logging.getLogger(__name__)

VIEW_CACHE_SIZE = 32


class ClassOptimizations:
    """Class optimisations computed one model at a time in one background thread, so
    that a page never waits for them (each takes seconds to minutes on a CPU)."""

    def __init__(self, options: ClassOptOptions | None = None):
        self.options = options or ClassOptOptions()
        self._results: dict[str, dict | str] = {}  # run path -> arrays, or an error line
        self._queue: list = []
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def request(self, runs) -> None:
        """Queue the runs whose optimisation is neither known nor queued."""
        with self._lock:
            for run in runs:
                key = str(run.path)
                if key in self._results or any(str(r.path) == key for r in self._queue):
                    continue
                cached = panels.class_optimized(run, self.options, compute=False)
                if cached is not None:
                    self._results[key] = cached
                else:
                    self._queue.append(run)
            if self._queue and (self._worker is None or not self._worker.is_alive()):
                self._worker = threading.Thread(target=self._work, name="gdashboard-classopt", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    return
                run = self._queue[0]
            try:
                result: dict | str = panels.class_optimized(run, self.options)
            except Exception as error:  # shown in the panel; the dashboard goes on
                logger.exception("class optimisation of %s failed", run.path)
                result = f"failed: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
            with self._lock:
                self._results[str(run.path)] = result
                self._queue.pop(0)

    def get(self, run) -> dict | str | None:
        """The result (dict), an error line (str), or None while pending."""
        with self._lock:
            return self._results.get(str(run.path))


class DashboardState:
    """What the server knows: the experiments, the report, test sets, recent views."""

    def __init__(self, paths: Iterable[str | Path], classopt: ClassOptOptions | None = None):
        self.paths = [Path(p) for p in paths]
        self.experiments = panels.find_experiments(self.paths)
        self.classopt = ClassOptimizations(classopt)
        self._views: OrderedDict = OrderedDict()
        self._test_sets: dict[str, object] = {}
        self._lock = threading.Lock()

    def report(self):
        from gdashboard.report import summarise

        runs = [run.metrics for e in self.experiments.values() for run in e.runs if run.metrics]
        motifs = [m for e in self.experiments.values() for run in e.neural_runs for m in run.motif_results()]
        patterns = [m for e in self.experiments.values() for run in e.neural_runs for m in run.modisco_results()]
        return summarise(runs, motifs=motifs, patterns=patterns)

    def test_set(self, experiment: panels.Experiment):
        """The experiment's test sequences (the first run's that opens, :meth:`Run.test_sequences`)
        as a dataset with an id index, or None when no run's can be opened."""
        with self._lock:
            if experiment.name not in self._test_sets:
                dataset = None
                for run in experiment.neural_runs:
                    try:
                        dataset = run.test_sequences()
                    except InputError:
                        logger.warning("the test sequences of %s cannot be opened", run.path, exc_info=True)
                        continue
                    if dataset is not None:
                        break
                index = {} if dataset is None else {identifier: i for i, identifier in enumerate(dataset.ids)}
                self._test_sets[experiment.name] = (dataset, index)
            return self._test_sets[experiment.name]

    def test_sequence(self, experiment: panels.Experiment, identifier: str) -> str:
        from gdashboard.data import one_hot_decode

        dataset, index = self.test_set(experiment)
        if dataset is None:
            raise ValueError(f"the test sequences of {experiment.name} cannot be opened (their file is missing)")
        if identifier not in index:
            raise ValueError(f"no test sequence {identifier!r} in {experiment.name}")
        return one_hot_decode(dataset.X[index[identifier] : index[identifier] + 1])[0]

    def view(
        self,
        experiment: panels.Experiment,
        sequence: str,
        labels: tuple[str, ...],
        methods: tuple[str, ...] = panels.DEFAULT_VIEW_METHODS,
    ) -> dict:
        """:func:`panels.sequence_view` of the labelled models and the methods asked, the last few kept."""
        key = (experiment.name, sequence, labels, tuple(methods))
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        models = experiment.models()
        view = panels.sequence_view([models[label] for label in labels], sequence, tf=experiment.tf, methods=methods)
        with self._lock:
            self._views[key] = view
            while len(self._views) > VIEW_CACHE_SIZE:
                self._views.popitem(last=False)
        return view


def parse_query(search: str | None) -> dict[str, str]:
    """The first value of each key of a URL query (``?a=1&b=2``)."""
    parsed = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def sequence_href(
    experiment: str,
    *,
    identifier: str | None = None,
    sequence: str | None = None,
    models: Iterable[str] | None = None,
    rc: bool = False,
    methods: Iterable[str] | None = None,
) -> str:
    query = {"experiment": experiment}
    if identifier is not None:
        query["id"] = identifier
    if sequence is not None:
        query["sequence"] = sequence
    if models:
        query["models"] = ",".join(models)
    if rc:
        query["rc"] = "1"
    if methods:
        query["methods"] = ",".join(methods)
    return "/sequence?" + urlencode(query)


def experiment_href(experiment: str) -> str:
    return "/experiment?" + urlencode({"experiment": experiment})
