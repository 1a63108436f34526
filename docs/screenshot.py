"""Screenshot of the dashboard for README: `gdash serve`'s app over run folders, one
sequence view opened in headless Chromium (Debian's, driven by Playwright; every
request to another host aborted).

    .venv/bin/python docs/screenshot.py runs/figure2/GATA1_K562_GATA-1_USC \
        --experiment GATA1_K562_GATA-1_USC --sequence test:2 --out docs/dashboard.png

``--methods saliency,temporal,ism,integrated_gradients`` picks the view's heat maps (any
method of the registry with rows; default the view's own).
"""

import argparse
import shutil
import threading
from urllib.parse import urlparse

from gdashboard.dashboard.app import create_app
from gdashboard.dashboard.components import element_id
from gdashboard.dashboard.method_panels import DEFAULT_VIEW_METHODS, panel_methods
from gdashboard.dashboard.state import sequence_href

LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--sequence", required=True, help="a test sequence id")
    parser.add_argument("--out", default="docs/dashboard.png")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--start-at", default="Sequence and FIMO sites", help="the heading at the top of the shot")
    parser.add_argument(
        "--methods",
        default=",".join(DEFAULT_VIEW_METHODS),
        help=f"comma-separated methods to draw, of {', '.join(panel_methods())}",
    )
    args = parser.parse_args()
    methods = [name.strip() for name in args.methods.split(",") if name.strip()]

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    app = create_app(args.paths)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    href = sequence_href(args.experiment, identifier=args.sequence, methods=methods)
    url = f"http://127.0.0.1:{httpd.server_port}" + href
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.route(
            "**/*",
            lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1" else route.abort(),
        )
        page.goto(url)
        page.wait_for_selector("[data-testid=model-score]", timeout=300_000)
        for method in methods:  # a method no model shown gives has a line instead of a graph
            graph = element_id(method, "heatmap")
            drawn = f"#{graph} .main-svg, p[data-testid=panel-{graph}]"
            page.wait_for_selector(drawn, state="attached", timeout=300_000)
        # The class-optimised logos are cached beside the runs (gdash figure made them).
        page.wait_for_selector("[id^=classopt-] .main-svg", state="attached", timeout=600_000)
        page.wait_for_timeout(1500)
        # The view from the sequence track down: sites, saliency, temporal scores.
        page.get_by_role("heading", name=args.start_at).evaluate("element => element.scrollIntoView()")
        page.wait_for_timeout(500)
        page.screenshot(path=args.out, full_page=False)
        browser.close()
    httpd.shutdown()
    print(args.out)


if __name__ == "__main__":
    main()
