"""Run independent batches of an explainer side by side on the CPU's cores.

The models of the paper are small: a batch of a few hundred sequences through a
64-filter convolution or a 32-unit LSTM is too little work for PyTorch's
intra-op threads to share well (an LSTM step is a ``(batch, 128)`` matrix
product; its threads spend much of their time waiting on each other). Batches of
saliency, integrated gradients and ISM are independent, so on a CPU with
``torch.get_num_threads() > 1`` they run in that many Python threads at once,
each with one intra-op thread (PyTorch releases the GIL inside its kernels, and
its autograd engine runs concurrent backward passes of separate graphs). Results
are identical to the serial loop: every batch is computed exactly as it would be
alone. On a GPU, or with one thread, the batches simply run in order.

No maintained library offers this (captum and tangermeme loop over batches in
one thread), hence this small helper; ``benchmarks/attribution_speed.py``
measures what it buys.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import torch


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
        The model's device; batches run concurrently only on the CPU.
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
    threads = torch.get_num_threads()
    try:
        if device.type != "cpu" or threads < 2 or len(starts) < 2:
            for start in starts:
                function(start, min(start + batch_size, n))
                if bar is not None:
                    bar.update()
            return
        # Grad and inference modes are thread-local: carry the caller's into
        # the workers.
        grad_enabled = torch.is_grad_enabled()
        inference = torch.is_inference_mode_enabled()

        def run(start: int) -> None:
            with torch.inference_mode(inference), torch.set_grad_enabled(grad_enabled):
                function(start, min(start + batch_size, n))

        torch.set_num_threads(1)
        try:
            with ThreadPoolExecutor(max_workers=min(threads, len(starts))) as pool:
                for _ in pool.map(run, starts):
                    if bar is not None:
                        bar.update()
        finally:
            torch.set_num_threads(threads)
    finally:
        if bar is not None:
            bar.close()
