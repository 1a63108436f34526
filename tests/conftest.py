import os
from pathlib import Path

# The development checkout's real data lives beside the repository; a user's is in the
# data home (GDASH_DATA, else the platform's user data directory). Set before any import
# of gdashboard reads it.
os.environ.setdefault("GDASH_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))

import pytest  # noqa: E402
import torch  # noqa: E402

from gdashboard.data.paths import data_home  # noqa: E402

# Two torch processes with two threads each thrash a 2-core machine: one thread.
torch.set_num_threads(1)

SHARED_DATA = data_home()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (set GDASH_DATA to the folder that holds it)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def simulated(tmp_path_factory):
    """A small simulated dataset written to disk once per test session."""
    from gdashboard.data.simulate import simulate, write_simulation

    out = tmp_path_factory.mktemp("simulated")
    write_simulation(simulate(n=2000, seed=1), out)
    return out


@pytest.fixture
def dead_pid() -> int:
    """A pid no process has (above the kernel's pid_max): a temporary named with it is a killed
    writer's."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
