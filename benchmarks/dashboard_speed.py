"""Time the dashboard's sequence view against the plain way, in one process.

For one pasted 101-bp sequence and the paper's seven presets (untrained but seeded:
the weights do not change the cost; ``--runs`` loads trained run folders instead):

* ours: :func:`gdashboard.dashboard.panels.sequence_view` (scores, saliency,
  temporal output scores, ISM, FIMO sites of the TF's JASPAR motifs);
* plain: the same numbers one model after another with the usual tools —
  ``model(X)`` for the score, captum ``Saliency``, the per-prefix temporal loop
  (:func:`gdashboard.explain.temporal.temporal_output_scores_naive`), tangermeme's
  ``saturation_mutagenesis`` — and the same FIMO scan.

Prints both medians over ``--repeats`` and their ratio; ``--json`` writes
``benchmarks/results/dashboard_speed.json``. ``--browser`` (needs ``--runs`` and
chromium) also times, in headless Chromium, pasting a sequence until every panel
of its view is drawn (median of 5).

Usage::

    python benchmarks/dashboard_speed.py [--repeats 10] [--threads 1] [--runs RUNS_DIR] [--json] [--browser]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

PAPER_PRESETS = ("small-rnn", "large-rnn", "small-cnn", "med-cnn", "large-cnn", "small-cnn-rnn", "large-cnn-rnn")
SEQUENCE = ("GGCTTATCTGCAAGATAAGCC" + "ACGT" * 20)[:101]
RESULT = Path(__file__).parent / "results" / "dashboard_speed.json"


def untrained_models():
    from gdashboard.dashboard.panels import LoadedModel
    from gdashboard.models.presets import build_model

    models = []
    for preset in PAPER_PRESETS:
        torch.manual_seed(0)
        model = build_model(preset).eval()
        models.append(LoadedModel(run=None, label=preset, model=model))
    return models


def trained_models(paths):
    from gdashboard.dashboard.panels import find_experiments

    experiments = find_experiments(paths)
    experiment = next(iter(experiments.values()))
    return list(experiment.models().values()), experiment.tf


def plain_view(models, sequence: str, tf: str):
    """The same numbers, the usual way: one model after another, library tools."""
    from captum.attr import Saliency
    from tangermeme.saturation_mutagenesis import saturation_mutagenesis

    from gdashboard.dashboard.panels import sequence_sites
    from gdashboard.data import one_hot_encode
    from gdashboard.explain.temporal import temporal_output_scores_naive

    X = one_hot_encode(sequence)
    out = {}
    for loaded in models:
        model = loaded.model
        with torch.no_grad():
            logits = model(X)
        view = {"score": float(logits[0, 1] - logits[0, 0])}
        gradient = Saliency(model).attribute(X.clone().requires_grad_(True), target=1, abs=False)
        view["saliency"] = (gradient * X).abs().sum(dim=1)[0].detach().numpy()
        if loaded.recurrent:
            forward, backward = temporal_output_scores_naive(model, X)
            view["forward"], view["backward"] = forward[0], backward[0]
        y0, y_hat = saturation_mutagenesis(model, X, raw_outputs=True, device="cpu")
        view["ism"] = (y_hat[..., 1] - y0[:, None, None, 1]).numpy()[0]
        out[loaded.label] = view
    return {"models": out, "sites": sequence_sites(sequence, tf, X)}


def check_agreement(ours: dict, plain: dict) -> float:
    """The largest absolute difference between the two ways' numbers."""
    worst = 0.0
    for label, view in plain["models"].items():
        for key, value in view.items():
            mine = np.asarray(ours["models"][label][key], dtype=np.float64)
            worst = max(worst, float(np.max(np.abs(mine - np.asarray(value, dtype=np.float64)))))
    return worst


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def browser_seconds(paths, repeats: int = 5) -> float:
    """Median time in headless Chromium from clicking "Explain" on a pasted sequence
    until every panel of its view is drawn."""
    import shutil
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from gdashboard.dashboard.app import create_app, experiment_href

    # Short class optimisations: the background thread would otherwise compete for the CPU
    # with the views being timed (its cost is not part of drawing a view).
    app = create_app(paths, classopt_steps=20, classopt_restarts=2)
    name = next(iter(app.gdashboard_state.experiments))
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    times = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                headless=True,
                args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_page()
            for repeat in range(repeats + 1):  # the first round warms the server's caches: not counted
                page.goto(base + experiment_href(name))
                # A different sequence every round, so no cached view is reused.
                sequence = SEQUENCE[:-1] + "ACGT"[repeat % 4] if repeat else SEQUENCE
                sequence = sequence[repeat:] + sequence[:repeat]
                page.fill("#paste-sequence", sequence)
                start = time.perf_counter()
                page.click("#paste-submit")
                for graph in ("sequence-track", "saliency-heatmap", "ism-heatmaps"):
                    page.wait_for_selector(f"#{graph} .main-svg", state="attached", timeout=120_000)
                page.wait_for_selector("[data-testid=model-score]", timeout=120_000)
                if repeat:
                    times.append(time.perf_counter() - start)
            browser.close()
    finally:
        httpd.shutdown()
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", nargs="*", help="run folders (one experiment) instead of untrained presets")
    parser.add_argument("--json", action="store_true", help=f"write {RESULT}")
    parser.add_argument("--browser", action="store_true", help="also time the browser (needs --runs)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    from gdashboard.dashboard.panels import sequence_view, warm_up

    if args.runs:
        models, tf = trained_models(args.runs)
    else:
        models, tf = untrained_models(), "GATA1"
    warm_up()  # numba compilation is a one-off, not part of either way's cost

    ours = sequence_view(models, SEQUENCE, tf=tf)
    plain = plain_view(models, SEQUENCE, tf)
    difference = check_agreement(ours, plain)
    ours_s = median_seconds(lambda: sequence_view(models, SEQUENCE, tf=tf), args.repeats)
    plain_s = median_seconds(lambda: plain_view(models, SEQUENCE, tf), args.repeats)
    result = {
        "models": [m.label for m in models],
        "trained": bool(args.runs),
        "sequence_length": len(SEQUENCE),
        "repeats": args.repeats,
        "threads": args.threads,
        "sequence_view_s": ours_s,
        "plain_s": plain_s,
        "speedup": plain_s / ours_s,
        "max_abs_difference": difference,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
    }
    print(f"{len(models)} models, one {len(SEQUENCE)}-bp sequence, {args.threads} thread(s), median of {args.repeats}")
    print(f"sequence_view (ours)                     {ours_s * 1000:8.1f} ms")
    print(f"captum + naive temporal + tangermeme ISM {plain_s * 1000:8.1f} ms")
    print(f"ratio                                    {plain_s / ours_s:8.1f}x  (largest difference {difference:.2g})")
    if args.browser:
        if not args.runs:
            parser.error("--browser needs --runs")
        result["browser_paste_to_drawn_s"] = browser_seconds(args.runs)
        print(f"browser: paste to every panel drawn      {result['browser_paste_to_drawn_s'] * 1000:8.1f} ms")
    if args.json:
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        RESULT.write_text(json.dumps(result, indent=2) + "\n")
        print(RESULT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
