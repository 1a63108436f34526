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
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import torch

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()
_local = threading.local()  # .plan in the caller of a section; .inside and .threads in workers


def _pool(workers: int) -> ThreadPoolExecutor:
    # Kept for the life of the process: starting threads for every training
    # step would cost more than the step's small kernels.
    with _pools_lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(max_workers=workers,
                                                 thread_name_prefix="gdashboard")
        return _pools[workers]


@contextlib.contextmanager
def parallel_section(device, max_workers: int | None = None):
    """Within this block, :func:`for_each_batch` spreads batches over the cores.

    The intra-op thread count is lowered once on entry and restored on exit.
    Changing it is not free (PyTorch resizes its thread pools), so a loop that
    calls :func:`for_each_batch` many times, such as training, opens one
    section around the loop; a single call opens its own.

    Yields
    ------
    int
        The number of worker threads (1: batches run in order, in this thread).
    """
    threads = torch.get_num_threads()
    if (torch.device(device).type != "cpu" or threads < 2 or getattr(_local, "inside", False)
            or getattr(_local, "plan", None) is not None):
        yield 1 if getattr(_local, "plan", None) is None else _local.plan[0]
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


def for_each_batch(function: Callable[[int, int], None], n: int, batch_size: int,
                   device: torch.device, progress: bool = False, desc: str = "") -> None:
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
            if workers < 2 or len(starts) < 2 or getattr(_local, "inside", False):
                for start in starts:
                    function(start, min(start + batch_size, n))
                    if bar is not None:
                        bar.update()
                return
            intra_op = _local.plan[1]
            # Grad and inference modes are thread-local: carry the caller's
            # into the workers.
            grad_enabled = torch.is_grad_enabled()
            inference = torch.is_inference_mode_enabled()

            def run(start: int) -> None:
                if getattr(_local, "threads", None) != intra_op:
                    torch.set_num_threads(intra_op)
                    _local.threads = intra_op
                _local.inside = True
                try:
                    with torch.inference_mode(inference), torch.set_grad_enabled(grad_enabled):
                        function(start, min(start + batch_size, n))
                finally:
                    _local.inside = False

            pool = _pool(workers)
            futures = [pool.submit(run, start) for start in starts]
            error = None
            for future in futures:  # wait for all, even after a failure
                try:
                    future.result()
                except BaseException as failure:  # noqa: BLE001 - re-raised below
                    error = error or failure
                if bar is not None:
                    bar.update()
            if error is not None:
                raise error
    finally:
        if bar is not None:
            bar.close()
