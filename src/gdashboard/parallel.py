"""Run independent pieces of work side by side on the CPU's cores.

The models of the paper are small: a batch of a few hundred sequences through a
64-filter convolution or a 32-unit LSTM is too little work for PyTorch's
intra-op threads to share well (an LSTM step is a ``(batch, 128)`` matrix
product; its threads spend much of their time waiting on each other). Batches of
saliency, integrated gradients and ISM are independent, and so are the shards
of a training batch (:func:`gdashboard.train.fit`), so on a CPU with
``torch.get_num_threads() > 1`` they run in several Python threads at once,
each with a share of the intra-op threads (PyTorch releases the GIL inside its
kernels, and its autograd engine runs concurrent backward passes of separate
graphs). Every piece is computed exactly as it would be alone. On a GPU, or with
one thread, the pieces simply run in order.

No maintained library offers this (captum and tangermeme loop over batches in
one thread), hence this small helper; ``benchmarks/attribution_speed.py`` and
``benchmarks/train_speed.py`` measure what it buys.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Callable

import torch

_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()
_local = threading.local()  # .plan in the caller of a section; .inside while computing a batch


def _start_worker(intra_op: int) -> None:
    # Once per worker thread, before it computes anything: changing the count
    # while other threads compute would disturb them (it resizes shared pools).
    torch.set_num_threads(intra_op)


def _pool(workers: int, intra_op: int) -> ThreadPoolExecutor:
    # The caller's helpers, kept for the life of the process: starting threads
    # for every training step would cost more than the step's small kernels.
    with _pools_lock:
        key = (workers, intra_op)
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="gdashboard", initializer=_start_worker, initargs=(intra_op,)
            )
        return _pools[key]


@contextlib.contextmanager
def parallel_section(device, max_workers: int | None = None):
    """Within this block, :func:`for_each_batch` spreads batches over the cores.

    The intra-op thread count is lowered once on entry (``threads //
    workers`` per worker, ``workers = min(threads, max_workers)``) and restored
    on exit. Changing it is not free (PyTorch resizes its thread pools), so a
    loop that calls :func:`for_each_batch` many times, such as training, opens
    one section around the loop; a single call opens its own. Sections are
    meant for one calling thread at a time (the thread count is process-wide).

    Yields
    ------
    int
        The number of worker threads (1: batches run in order, in this thread).
    """
    if torch.device(device).type != "cpu" or getattr(_local, "inside", False):
        yield 1
        return
    if getattr(_local, "plan", None) is not None:  # nested in an open section
        yield _local.plan[0]
        return
    threads = torch.get_num_threads()
    if threads < 2:
        yield 1
        return
    workers = min(threads, max_workers or threads)
    intra_op = max(1, threads // workers)
    _local.plan = (workers, intra_op)
    torch.set_num_threads(intra_op)
    try:
        yield workers
    finally:
        _local.plan = None
        torch.set_num_threads(threads)


def for_each_batch(
    function: Callable[[int, int], None],
    n: int,
    batch_size: int,
    device: torch.device,
    progress: bool = False,
    desc: str = "",
) -> None:
    """Call ``function(start, stop)`` for every batch ``[start, stop)`` of ``range(n)``.

    Parameters
    ----------
    function : callable
        Computes one batch and stores its result itself (each batch must write
        to its own slice of the output, never to shared state).
    n : int
        Number of items.
    batch_size : int
        Items per call.
    device : torch.device
        Where the work runs; batches run concurrently only on the CPU.
    progress : bool
        Show a progress bar over batches.
    desc : str
        The progress bar's label.
    """
    starts = range(0, n, batch_size)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(starts), desc=desc)
    try:
        with parallel_section(device, max_workers=len(starts)) as workers:
            if workers < 2 or len(starts) < 2:
                for start in starts:
                    function(start, min(start + batch_size, n))
                    if bar is not None:
                        bar.update()
                return
            # The caller is one of the workers: the pool holds the others, and
            # every participant takes the next batch until none is left (one
            # thread hand-off fewer per call, which matters for a training step
            # of a few milliseconds). Grad and inference modes are thread-local:
            # carry the caller's into the pool's threads.
            grad_enabled = torch.is_grad_enabled()
            inference = torch.is_inference_mode_enabled()
            pending = iter(starts)
            lock = threading.Lock()
            failed = threading.Event()

            def take() -> int | None:
                with lock:
                    return None if failed.is_set() else next(pending, None)

            def work() -> None:
                inside = getattr(_local, "inside", False)
                _local.inside = True  # a section opened by ``function`` runs serially
                try:
                    while (start := take()) is not None:
                        function(start, min(start + batch_size, n))
                        if bar is not None:
                            with lock:
                                bar.update()
                except BaseException:
                    failed.set()
                    raise
                finally:
                    _local.inside = inside

            def work_in_pool() -> None:
                with torch.inference_mode(inference), torch.set_grad_enabled(grad_enabled):
                    work()

            workers_plan, intra_op = _local.plan
            pool = _pool(workers_plan - 1, intra_op)
            helpers = []
            try:
                for _ in range(min(workers, len(starts)) - 1):
                    helpers.append(pool.submit(work_in_pool))
                work()
                for helper in helpers:
                    helper.result()
            except BaseException:
                # A failure or Ctrl-C: the others stop taking batches; wait for
                # the ones running (they write into the caller's arrays), then
                # re-raise.
                failed.set()
                wait(helpers)
                raise
    finally:
        if bar is not None:
            bar.close()


@contextlib.contextmanager
def torch_threads_kept():
    """Within this block numba code may run; afterwards torch has its thread count back.

    memelite and tangermeme compile with numba, whose OpenMP threading layer
    shares OpenMP with PyTorch, whose thread count *is* OpenMP's. Once torch
    has run in a process, a Tomtom or FIMO call leaves that count at numba's
    (``NUMBA_NUM_THREADS``, one per core by default): a process that asked
    for one thread then ran PyTorch on every core, and two such processes on
    two cores spun against each other (class optimisation of a recurrent
    model many times slower). Measured on the 2-core machine:
    ``tests/test_parallel.py`` fails for Tomtom and FIMO without this guard.
    The shuffles are guarded too, at no cost.
    """
    threads = torch.get_num_threads()
    try:
        yield
    finally:
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
