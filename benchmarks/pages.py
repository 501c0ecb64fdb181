"""Weight and first-load time of the chart pages, as a browser with an empty cache sees them (prints figures).

    PORT=8106 scripts/run &                      # the demo, as a new user runs it
    .venv/bin/python benchmarks/pages.py --base http://127.0.0.1:8106 --repeat 3

Debian's chromium (Playwright, never a downloaded browser) signs in as demo-office once, then loads the overview
and an indicator page --repeat times, each in a fresh context (empty cache). For each page it prints the bytes
transferred (compressed bodies plus headers, as the network carries them), the bytes of plotly.js among them, and
the median time until the page's charts are drawn, on this machine's loopback and with the link throttled to
--mbps (an office network; the throttled load shows what the bytes cost). Only the given server is contacted.
"""

from __future__ import annotations

import argparse
import statistics
import time

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def load(browser, state, url: str, mbps: float | None) -> tuple[int, int, float]:
    context = browser.new_context(storage_state=state, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    if mbps:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        rate = mbps * 1_000_000 / 8
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 20, "downloadThroughput": rate, "uploadThroughput": rate},
        )
    responses = []
    page.on("requestfinished", lambda r: responses.append(r))
    started = time.perf_counter()
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_selector(".main-svg", timeout=120_000)
    seconds = time.perf_counter() - started
    total = plotly = 0
    for request in responses:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += size
        if "plotly" in request.url:
            plotly += size
    context.close()
    return total, plotly, seconds


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--plan", default="ninghe-2023")
    parser.add_argument("--indicator", type=int, default=None, help="an indicator's id (default: the first charted)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mbps", type=float, default=20.0)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{args.base}/accounts/login/")
        page.fill("input[name=username]", "demo-office")
        page.fill("input[name=password]", "ninghe-demo-2023")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        indicator = args.indicator
        if indicator is None:
            page.goto(f"{args.base}/plans/{args.plan}/targets/")
            href = page.locator("a[href*='/indicators/']").first.get_attribute("href")
            indicator = int(href.rstrip("/").rsplit("/", 1)[-1])
        state = context.storage_state()
        context.close()
        pages = {
            "overview": f"{args.base}/plans/{args.plan}/overview/",
            f"indicator {indicator}": f"{args.base}/plans/{args.plan}/indicators/{indicator}/",
        }
        print(
            f"{'page':<16} {'transfer KB':>12} {'plotly.js KB':>13} {'loopback s':>11} {f'{args.mbps:g} Mbit/s s':>14}"
        )
        for name, url in pages.items():
            local = [load(browser, state, url, None) for _ in range(args.repeat)]
            slow = [load(browser, state, url, args.mbps) for _ in range(args.repeat)]
            print(
                f"{name:<16} {local[0][0] / 1024:>12.0f} {local[0][1] / 1024:>13.0f} "
                f"{statistics.median(s for *_, s in local):>11.2f} {statistics.median(s for *_, s in slow):>14.2f}"
            )
        browser.close()


if __name__ == "__main__":
    main()
