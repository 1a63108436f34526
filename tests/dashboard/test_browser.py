"""End to end in headless Chromium: overview -> experiment -> test sequence -> pasted
sequence -> CSV download -> the same URL in a fresh browser context.

Uses Debian's chromium (never a downloaded browser); every request to a host other
than 127.0.0.1 is aborted and counted, and none may be needed.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ALONG_THE_SEQUENCE = ("sequence-track", "saliency-heatmap", "temporal-heatmap", "ism-heatmaps")
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
PANELS = [
    "scores",
    "panel-jaspar",
    "panel-classopt",
    "panel-sequence-track",
    "panel-saliency-heatmap",
    "panel-temporal-heatmap",
    "panel-ism-heatmaps",
    "panel-extracted",
    "panel-variant",
]
TIMEOUT_MS = int(os.environ.get("GDASH_BROWSER_TIMEOUT_MS", "60000"))
IG_HEATMAP = "integrated_5fgradients-heatmap"  # element_id("integrated_gradients", "heatmap")


@pytest.fixture(scope="module")
def server(dashboard_app, serving):
    with serving(dashboard_app.server) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


class Offline:
    """Aborts, and counts, every request to a host other than 127.0.0.1."""

    def __init__(self):
        self.blocked: list[str] = []

    def __call__(self, route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


def _context(browser, offline, downloads: bool = False):
    context = browser.new_context(accept_downloads=downloads, viewport={"width": 1400, "height": 1000})
    context.route("**/*", offline)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _scores(page) -> dict[str, str]:
    page.wait_for_selector("[data-testid=model-score]")
    return {e.get_attribute("data-model"): e.inner_text() for e in page.query_selector_all("[data-testid=model-score]")}


def _check_panels(page, recurrent: bool = True) -> None:
    """Every panel of the view is there and every Plotly figure has drawn its SVG; temporal
    output scores only where a recurrent model is shown."""
    for testid in PANELS:
        if recurrent or testid != "panel-temporal-heatmap":
            page.wait_for_selector(f"[data-testid={testid}]", state="attached")
    for graph in ALONG_THE_SEQUENCE:
        if recurrent or graph != "temporal-heatmap":
            page.wait_for_selector(f"#{graph} .main-svg", state="attached")


def _predicted(dashboard_runs, identifier: str | None = None, sequence: str | None = None, tmp: Path | None = None):
    """What `gdash predict` computes (predict_file), per model label."""
    from gdashboard.results import open_run
    from gdashboard.runs import predict_file

    path = dashboard_runs.test_file
    if sequence is not None:
        path = tmp / "pasted.tsv"
        path.write_text(f"id\tsequence\tlabel\npasted\t{sequence}\t1\n")
        identifier = "pasted"
    scores = {}
    for rundir in sorted(dashboard_runs.runs.iterdir()):
        dataset, predicted = predict_file(rundir, path)
        scores[open_run(rundir).label] = float(predicted[dataset.ids.index(identifier)])
    return scores


def _assert_scores_equal(shown: dict[str, str], predicted: dict[str, float]) -> None:
    assert set(shown) == set(predicted)
    for label, score in predicted.items():
        # To the printed precision (6 significant digits, as `gdash predict` prints).
        assert math.isclose(float(shown[label]), score, rel_tol=2e-6, abs_tol=2e-6), (label, shown[label], score)


def test_dashboard_end_to_end(server, browser, dashboard_runs, dashboard_app, tmp_path):
    offline = Offline()
    context = _context(browser, offline, downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Overview: the experiment's table and its link.
    page.goto(server + "/")
    page.wait_for_selector("[data-testid=overview-table] .dash-spreadsheet")
    assert dashboard_runs.experiment in page.inner_text("[data-testid=overview-table]")
    page.wait_for_selector("[data-testid=auto-table] .dash-spreadsheet")
    assert dashboard_runs.experiment in page.inner_text("[data-testid=auto-table]")
    page.click("[data-testid=experiment-link] a")

    # Experiment page: models, curves, test sequences; pick the first row.
    page.wait_for_selector("[data-testid=experiment-title]")
    page.wait_for_selector("#roc-curves .main-svg", state="attached")
    page.wait_for_selector("[data-testid=test-table] td[data-dash-column=id]")
    cell = page.query_selector("[data-testid=test-table] td[data-dash-column=id]")
    identifier = cell.inner_text().strip()
    cell.click()

    page.wait_for_selector("[data-testid=view-title]")
    assert identifier in page.inner_text("[data-testid=view-title]")
    _check_panels(page)
    _assert_scores_equal(_scores(page), _predicted(dashboard_runs, identifier=identifier))
    # Every figure along the sequence puts position p at the same pixel column.
    boxes = [page.locator(f"#{graph} .nsewdrag").first.bounding_box() for graph in ALONG_THE_SEQUENCE]
    assert all(abs(b["x"] - boxes[0]["x"]) < 1 and abs(b["width"] - boxes[0]["width"]) < 1 for b in boxes), boxes
    # The class-optimised logos arrive from the background thread.
    page.wait_for_selector("#classopt-small-cnn .main-svg", state="attached")

    # A bad paste says why in the page; a good one opens its view.
    page.fill("#paste-sequence", "ACGTX")
    page.click("#paste-submit")
    page.wait_for_selector("[data-testid=paste-error]:has-text('position 5')")
    pasted = ("GATAAGGCTTACGT" * 8)[:101]
    page.fill("#paste-sequence", pasted.lower())
    page.click("#paste-submit")
    page.wait_for_selector("[data-testid=view-title]:has-text('pasted sequence')")
    _check_panels(page)
    shown = _scores(page)
    _assert_scores_equal(shown, _predicted(dashboard_runs, sequence=pasted, tmp=tmp_path))

    # The CSV download holds the API's numbers.
    with page.expect_download() as download_info:
        page.click("#download-csv-button")
    csv_path = tmp_path / "view.csv"
    download_info.value.save_as(csv_path)
    with open(csv_path) as handle:
        rows = list(csv.DictReader(handle))
    api = (
        dashboard_app.server.test_client()
        .post(f"/api/experiments/{dashboard_runs.experiment}/explain", json={"sequences": [pasted]})
        .get_json()
    )
    models = api["results"][0]["models"]
    assert {row["model"] for row in rows} == set(models)
    for row in rows:
        model, position = models[row["model"]], int(row["position"]) - 1
        assert float(row["score"]) == model["score"]
        assert float(row["saliency"]) == model["saliency"][position]
        for index, base in enumerate("ACGT"):
            assert float(row[f"ism_{base}"]) == model["ism"][index][position]
        if "forward" in model:
            assert float(row["forward"]) == model["forward"][position]
            assert float(row["backward"]) == model["backward"][position]

    # A method picked on the page: the URL names it, and the page drawn for it has its heat map.
    page.click("#method-select label:has-text('Integrated gradients')")
    page.wait_for_function("() => window.location.search.includes('integrated_gradients')")
    page.wait_for_selector(f"#{IG_HEATMAP} .main-svg", state="attached")
    _check_panels(page)

    # A variant: its edits go into the URL, and the comparison comes back with it.
    page.fill("#variant-sequence", "C" + pasted[1:])
    page.click("#variant-submit")
    page.wait_for_selector("[data-testid=variant-score]")
    page.wait_for_function("() => window.location.search.includes('edits=1C')")
    variant_scores = [e.inner_text() for e in page.query_selector_all("[data-testid=variant-score]")]
    assert "integrated_gradients" in page.url  # kept beside the edits

    # The URL holds the whole view: a fresh context shows the same.
    url = page.url
    fresh_context = _context(browser, offline)
    fresh = fresh_context.new_page()
    fresh.goto(url)
    _check_panels(fresh)
    assert _scores(fresh) == shown
    assert "pasted sequence" in fresh.inner_text("[data-testid=view-title]")
    fresh.wait_for_selector(f"#{IG_HEATMAP} .main-svg", state="attached")
    fresh.wait_for_selector("[data-testid=variant-score]")
    assert [e.inner_text() for e in fresh.query_selector_all("[data-testid=variant-score]")] == variant_scores

    screenshot = Path("docs/dashboard.png") if os.environ.get("GDASH_SCREENSHOT") else tmp_path / "dashboard.png"
    fresh.screenshot(path=str(screenshot), full_page=True)
    fresh_context.close()
    context.close()

    assert offline.blocked == [], f"the page asked other hosts: {offline.blocked[:3]}"
    assert errors == [], errors


# ------------------------------------------------------- runs as a user now makes them


@pytest.fixture(scope="module")
def default_runs(tmp_path_factory):
    """small-cnn with the networks' default options (both strands), seeds 0 and 1, and their
    seed ensemble: the labels a user's dashboard shows (``small-cnn +rc-aug+rc-avg``,
    ``... +ensemble``), with spaces and ``+`` in what the page derives from them."""
    from gdashboard.data.simulate import simulate, write_simulation
    from gdashboard.runs import make_ensemble, train_run
    from gdashboard.train_options import TrainOptions

    root = tmp_path_factory.mktemp("default-runs")
    paths = write_simulation(simulate(n=300, seed=3), root / "GATA1_sim")
    members = []
    for seed in (0, 1):
        folder = root / "runs" / f"small-cnn-seed{seed}"
        options = TrainOptions(seed=seed, epochs=2, restarts=0)
        train_run(paths["train"], paths["test"], "small-cnn", folder, options, progress=False)
        members.append(folder)
    make_ensemble(members, root / "runs" / "small-cnn-ensemble")
    return root, paths["test"]


def test_runs_on_both_strands_and_an_ensemble_in_the_browser(browser, default_runs, serving, tmp_path):
    from gdashboard.dashboard.app import create_app, element_id
    from gdashboard.results import open_run
    from gdashboard.runs import predict_file

    root, test_file = default_runs
    app = create_app([root / "runs"], classopt_steps=20, classopt_restarts=2)
    offline = Offline()
    context = _context(browser, offline)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with serving(app.server) as url:
        pasted = ("GATAAGGCTTACGT" * 8)[:101]
        page.goto(f"{url}/experiment?experiment=GATA1_sim")
        page.wait_for_selector("[data-testid=experiment-title]")
        page.fill("#paste-sequence", pasted)
        page.click("#paste-submit")
        page.wait_for_selector("[data-testid=view-title]:has-text('pasted sequence')")
        _check_panels(page, recurrent=False)
        labels = {"small-cnn +rc-aug+rc-avg", "small-cnn +rc-aug+rc-avg+ensemble"}
        (tmp_path / "pasted.tsv").write_text(f"id\tsequence\tlabel\npasted\t{pasted}\t1\n")
        predicted = {}
        for rundir in (root / "runs").iterdir():
            predicted[open_run(rundir).label] = float(predict_file(rundir, tmp_path / "pasted.tsv")[1][0])
        assert set(predicted) == labels
        _assert_scores_equal(_scores(page), predicted)
        for label in labels:  # each model's class-optimised logo, its label (" ", "+") escaped
            page.wait_for_selector(f"#{element_id('classopt', label)} .main-svg", state="attached")
    context.close()
    assert offline.blocked == [], f"the page asked other hosts: {offline.blocked[:3]}"
    assert errors == [], errors
