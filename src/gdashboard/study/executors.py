"""Where a study's tasks run: a local process pool, or Ray (one machine or a cluster).

Both take tasks one at a time (:meth:`submit`) and hand back finished ones as they end
(:meth:`next_finished`): ``(task, result, None)`` or ``(task, None, error line)``. The
runner decides what to submit next (a motif task once its training has finished, ahead of
the trainings not yet submitted), so neither executor knows about dependencies.
"""

from __future__ import annotations

import os
from pathlib import Path

from gdashboard.study.options import Execution, TaskOptions
from gdashboard.study.plan import Task


def error_line(error: BaseException) -> str:
    """The one line an index and a status table show for a failure."""
    cause = getattr(error, "cause", None)  # Ray wraps the task's exception
    if isinstance(cause, BaseException):
        error = cause
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _start_worker(threads: int) -> None:
    # One torch and numba thread count per worker, set before anything computes:
    # workers x threads stays within the cores the user gave the study.
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    os.environ.setdefault("NUMBA_NUM_THREADS", str(threads))
    import torch

    torch.set_num_threads(threads)


class LocalExecutor:
    """``execution.workers`` processes (started with ``spawn``: no forked torch state), each
    with ``execution.threads`` threads. A failed task is submitted again up to
    ``execution.retries`` times. Every task is given ``options``."""

    name = "local"

    def __init__(self, study: Path, options: TaskOptions, execution: Execution):
        self.study, self.options, self.retries = study, options, execution.retries
        self.workers, self.threads = execution.workers, execution.threads
        self.pool = self._new_pool()
        self.pending: dict = {}  # future -> (task, attempt)

    def _new_pool(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.threads,),
        )

    def submit(self, task: Task, attempt: int = 1) -> None:
        from concurrent.futures.process import BrokenProcessPool

        from gdashboard.study.tasks import run_task

        try:
            future = self.pool.submit(run_task, task.as_dict(), str(self.study), self.options)
        except BrokenProcessPool:
            # A worker died (killed for memory, a crash): the pool is unusable; a new one
            # takes this task, and the tasks that were in flight come back as failures of
            # the old pool, to be tried again there (next_finished).
            self.pool = self._new_pool()
            future = self.pool.submit(run_task, task.as_dict(), str(self.study), self.options)
        self.pending[future] = (task, attempt)

    def next_finished(self):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        while True:
            done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
            future = next(iter(done))
            task, attempt = self.pending.pop(future)
            error = future.exception()
            if error is None:
                return task, future.result(), None, attempt
            if isinstance(error, BrokenProcessPool):
                error = RuntimeError("its worker process died (killed for memory, or crashed)")
            if attempt <= self.retries:
                self.submit(task, attempt + 1)
                continue
            return task, None, error_line(error), attempt

    def __len__(self) -> int:
        return len(self.pending)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class RayExecutor:
    """Each task a Ray task (``num_cpus=threads``), retried by Ray up to ``retries`` times
    on any exception (``execution``'s). ``execution.ray_address`` joins a running cluster;
    without it a local Ray starts with ``workers × threads`` CPUs. Every task is given ``options``."""

    name = "ray"

    def __init__(self, study: Path, options: TaskOptions, execution: Execution):
        try:
            import ray
        except ImportError:
            from gdashboard.errors import InputError

            raise InputError("the Ray executor needs Ray: pip install 'gdashboard[ray]'") from None
        self.ray = ray
        threads, retries = execution.threads, execution.retries
        if not ray.is_initialized():
            if execution.ray_address:
                ray.init(address=execution.ray_address, log_to_driver=False)
            else:
                ray.init(num_cpus=execution.workers * threads, include_dashboard=False, log_to_driver=False)
        from gdashboard.study.tasks import run_task

        def remote_task(task: dict, study: str, options: TaskOptions) -> dict:
            _start_worker(threads)
            return run_task(task, study, options)

        self.remote = ray.remote(num_cpus=threads, max_retries=retries, retry_exceptions=True)(remote_task)
        self.study, self.options, self.retries = study, options, retries
        self.pending: dict = {}  # ObjectRef -> task

    def submit(self, task: Task, attempt: int = 1) -> None:
        reference = self.remote.remote(task.as_dict(), str(self.study), self.options)
        self.pending[reference] = task

    def next_finished(self):
        ready, _ = self.ray.wait(list(self.pending), num_returns=1)
        task = self.pending.pop(ready[0])
        try:
            return task, self.ray.get(ready[0]), None, 1
        except Exception as error:  # Ray has retried it already
            return task, None, error_line(error), self.retries + 1

    def __len__(self) -> int:
        return len(self.pending)

    def close(self) -> None:
        pass  # a Ray started here stops with the process; a cluster is left running
