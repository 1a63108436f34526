"""The expected wall time of the paper's study (108 experiments x 7 presets) on Ray clusters,
from the per-task training times measured for BENCHMARKS.md#presets (benchmarks/results/table_runs.csv:
18 experiments, CPU runs with one thread, recurrent presets in the paper's mean form).

Each task runs with one thread, so a cluster of M two-core machines runs P = 2M tasks at
once. With T the sum of the task times and t_max the longest task, any schedule takes at
least max(T / P, t_max) and Ray's greedy list scheduling at most T / P + t_max (Graham's
bound); both are printed. The 18 measured experiments stand in for the 108 (the paper's
K562 sets are of similar sizes): T is the mean time per task of each preset times 108.
Motif tasks are not in table_runs.csv and are left out (they add about a tenth: BENCHMARKS.md#table4).

    .venv/bin/python benchmarks/study_projection.py
"""

import csv
from pathlib import Path

from gdashboard.models.catalogue import ARCHITECTURE, ARCHITECTURES

TABLE = Path(__file__).parent / "results" / "table_runs.csv"
EXPERIMENTS = 108


def main() -> None:
    presets = [p for p, a in ARCHITECTURE.items() if a in ARCHITECTURES]
    minutes: dict[str, list[float]] = {p: [] for p in presets}
    for row in csv.DictReader(TABLE.open()):
        on_cpu = row["trained_on"] in ("", "cpu") or row["trained_on"].startswith("cpu")
        if row["preset"] in minutes and row["pooling"] in ("", "mean") and on_cpu and row["train_minutes"]:
            minutes[row["preset"]].append(float(row["train_minutes"]))
    print("| preset | CPU runs measured | mean minutes per task | longest |")
    print("|---|---|---|---|")
    total, longest = 0.0, 0.0
    for preset in presets:
        values = minutes[preset]
        mean = sum(values) / len(values)
        total += mean * EXPERIMENTS
        longest = max(longest, max(values))
        print(f"| {preset} | {len(values)} | {mean:.1f} | {max(values):.1f} |")
    print(
        f"\nT = {total:.0f} task-minutes for {EXPERIMENTS} x {len(presets)} training tasks; t_max = {longest:.1f} min"
    )
    print("\n| cluster | tasks at once P | lower bound max(T/P, t_max) | Graham bound T/P + t_max |")
    print("|---|---|---|---|")
    for machines in (1, 8, 64):
        parallel = 2 * machines
        low, high = max(total / parallel, longest), total / parallel + longest
        print(f"| {machines} x 2 cores | {parallel} | {low / 60:.1f} h | {high / 60:.1f} h |")


if __name__ == "__main__":
    main()
