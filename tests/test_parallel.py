import threading
import time

import numpy as np
import pytest
import torch

from gdashboard.explain.attribution import integrated_gradients
from gdashboard.explain.ism import in_silico_mutagenesis
from gdashboard.explain.saliency import saliency_map
from gdashboard.models import build_model
from gdashboard.parallel import for_each_batch


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_every_batch_once_side_by_side_and_thread_count_restored(two_threads):
    seen, workers = [], set()
    # Batches 0 and 3 are taken first, one by the caller and one by the pool's
    # thread; each waits for the other, so they must run at the same time.
    together = threading.Barrier(2, timeout=30)

    def record(start, stop):
        if start in (0, 3):
            together.wait()
        seen.append((start, stop))
        workers.add(threading.get_ident())
        assert torch.get_num_threads() == 1  # one intra-op thread per worker
        assert not torch.is_grad_enabled()  # the caller's mode is carried over

    with torch.no_grad():
        for_each_batch(record, 10, 3, torch.device("cpu"))
    assert sorted(seen) == [(0, 3), (3, 6), (6, 9), (9, 10)]
    assert len(workers) == 2 and threading.get_ident() in workers  # the caller is one of them
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("failing", [0, 1])
def test_a_failure_stops_the_other_workers_and_waits_for_them(two_threads, failing):
    taken = []

    def fail_one(start, stop):
        taken.append(start)
        if start == failing:
            raise ValueError("bad batch")
        time.sleep(0.05)

    with pytest.raises(ValueError, match="bad batch"):
        for_each_batch(fail_one, 100, 1, torch.device("cpu"))
    finished = len(taken)
    assert finished <= 3  # the batches running when it failed, no more
    time.sleep(0.2)
    assert len(taken) == finished  # nothing still running after the error came back
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("preset", ["small-cnn", "small-rnn"])
def test_parallel_batches_give_the_serial_results(preset, two_threads):
    torch.manual_seed(0)
    model = build_model(preset).eval()
    X = torch.nn.functional.one_hot(torch.randint(0, 4, (40, 101)), 4).transpose(1, 2).float()
    parallel = (
        saliency_map(model, X, batch_size=8)[1],
        integrated_gradients(model, X[:6], n_steps=10, batch_size=20),
        in_silico_mutagenesis(model, X[:6], batch_size=100),
    )
    torch.set_num_threads(1)
    serial = (
        saliency_map(model, X, batch_size=8)[1],
        integrated_gradients(model, X[:6], n_steps=10, batch_size=20),
        in_silico_mutagenesis(model, X[:6], batch_size=100),
    )
    for a, b in zip(parallel, serial):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


# numba resets OpenMP's thread count (torch's) once per process, at its first
# use of its threading layer: each entry point is checked in a fresh process.
NUMBA_ENTRY_POINTS = {
    "tomtom": "from gdashboard.motifs.compare import tomtom_compare; tomtom_compare([x[:, :9].numpy() for x in X])",
    "fimo": (
        "from gdashboard.data.jaspar import motifs_for_tf; from gdashboard.motifs.sites import find_sites; "
        "find_sites(motifs_for_tf('GATA1'), X)"
    ),
    "shuffle": "from gdashboard.data.shuffle import dinucleotide_shuffle; dinucleotide_shuffle(X, seed=0)",
    "references": "from gdashboard.explain.attribution import shuffled_references; shuffled_references(X, 2, 0)",
}


@pytest.mark.parametrize("entry_point", sorted(NUMBA_ENTRY_POINTS))
def test_numba_code_leaves_torch_thread_count_alone(entry_point):
    # Without the guard a one-thread process runs torch on every core afterwards.
    import os
    import subprocess
    import sys

    code = "\n".join(
        [
            "import numpy as np, torch",
            "torch.set_num_threads(1)",
            "rng = np.random.default_rng(0)",
            "X = torch.from_numpy(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (50, 40))].transpose(0, 2, 1).copy())",
            # torch must have run before (as in `gdash motifs`): then, unguarded, Tomtom and
            # FIMO leave torch on 2 threads here (measured); the shuffles did not.
            "torch.nn.functional.conv1d(X, torch.ones(8, 4, 9)).sum()",
            NUMBA_ENTRY_POINTS[entry_point],
            "print(torch.get_num_threads())",
        ]
    )
    environment = {key: value for key, value in os.environ.items() if key != "NUMBA_NUM_THREADS"}
    environment["NUMBA_NUM_THREADS"] = "2"  # as on a 2-core machine, whatever this one has
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "1"
