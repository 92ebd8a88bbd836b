#!/usr/bin/python3
"""pagecheck.py PAGE [--figures N] [--screenshot PNG]: opens PAGE (a report.html)
in Debian's headless Chromium through chromedriver (python3-selenium) and
checks what a reader would see:

- the browser console has no error (a script error, a refused or failed
  load, a Content-Security-Policy violation);
- the page requested nothing but itself (and data: or about: URLs): every
  URL of the DevTools performance log's Network.requestWillBeSent events;
- every figure (figure > svg) is drawn: a box of non-zero width and height
  with drawn elements in it (paths, points, boxes of non-zero size), and,
  with --figures N, there are N of them;
- hovering a point shows its numbers: the pointer moved onto the first
  hover point (g.tip) brings up the page's tooltip with that point's text.

Prints one line per problem and exits 1 if there is one, 0 if none, 77 (and
one line why) when Chromium cannot be started. --screenshot saves the top
of the page, as the browser drew it, before the hover.

No request leaves the machine: Chromium runs with every http(s), ws(s) and
ftp URL blocked (DevTools Network.setBlockedURLs; a blocked request is still
logged, so still reported) and a proxy on a closed loopback port for
anything else. It runs with --no-sandbox (as root it would not start
otherwise; the page is the bench's own file) in a throw-away profile under
$BATS_TEST_TMPDIR (or $TMPDIR).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

SKIP = 77
BLOCKED = ["http:*", "https:*", "ws:*", "wss:*", "ftp:*"]

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
except ImportError:
    print("pagecheck: python3-selenium is not installed")
    sys.exit(SKIP)

FIGURES = """
return Array.from(document.querySelectorAll("figure > svg")).map(function (s) {
  var r = s.getBoundingClientRect(), drawn = 0;
  s.querySelectorAll("path, use, rect, circle, line, polyline, polygon").forEach(function (e) {
    var b = e.getBBox();
    if (b.width > 0 || b.height > 0) drawn++;
  });
  return {id: s.parentNode.id, width: r.width, height: r.height, drawn: drawn};
});
"""

# The first hover point scrolled to the middle of the window: its centre in
# the window, and the text of the hover point on top there (points of two
# series may overlap), null when none is.
HOVER_POINT = """
var g = document.querySelector("svg.plot g.tip");
if (!g) return null;
var e = g.firstElementChild || g;
e.scrollIntoView({block: "center", inline: "center"});
var r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
var at = document.elementFromPoint(x, y), top = at && at.closest && at.closest("g.tip");
return {x: Math.round(x), y: Math.round(y), text: top ? top.getAttribute("data-tip") : null};
"""

TOOLTIP = """
var t = document.getElementById("tip");
return t ? {shown: !t.hidden && t.getBoundingClientRect().width > 0, text: t.textContent}
         : null;
"""

# A gnuplot figure draws its axes, tics, key and data: many elements.
LEAST_DRAWN = 10


def browser(tmp):
    """A headless Chromium session, or exit SKIP saying why there is none."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        print("pagecheck: no chromium or chromedriver (Debian's chromium, chromium-driver)")
        sys.exit(SKIP)
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", f"--user-data-dir={tmp / 'profile'}",
                "--window-size=1280,1000", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--proxy-server=127.0.0.1:9"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    env = dict(os.environ, HOME=str(tmp), XDG_CONFIG_HOME=str(tmp), XDG_CACHE_HOME=str(tmp))
    try:
        return webdriver.Chrome(service=Service(driver, env=env), options=opts)
    except WebDriverException as e:
        why = (e.msg or str(e)).strip().splitlines()[0]
        print(f"pagecheck: chromium cannot run here: {why}")
        sys.exit(SKIP)


def requests(d, page_url):
    """Every URL the page asked for but itself, data: and about:."""
    out = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
        elif msg["method"] == "Network.webSocketCreated":
            url = msg["params"]["url"]
        else:
            continue
        if url.split("#")[0] != page_url and not url.startswith(("data:", "about:")):
            out.append(url)
    return out


def check(d, page, figures, screenshot):
    problems = []
    page_url = page.resolve().as_uri()
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setBlockedURLs", {"urls": BLOCKED})
    # Whatever the browser's first tab loaded is not the page's: drop it.
    d.get("about:blank")
    d.get_log("performance")
    d.get_log("browser")
    d.get(page_url)
    if screenshot:
        d.save_screenshot(str(screenshot))
    for url in requests(d, page_url):
        problems.append(f"request leaving the file: {url}")
    drawn = d.execute_script(FIGURES)
    if figures is not None and len(drawn) != figures:
        problems.append(f"{len(drawn)} figures, expected {figures}")
    for f in drawn:
        if f["width"] <= 0 or f["height"] <= 0 or f["drawn"] < LEAST_DRAWN:
            problems.append(f"figure {f['id'] or '?'} is not drawn: "
                            f"{f['width']:.0f}x{f['height']:.0f} px, "
                            f"{f['drawn']} elements drawn")
    point = d.execute_script(HOVER_POINT)
    if point is None:
        problems.append("no hover point (svg.plot g.tip) in any figure")
    else:
        hover = ActionBuilder(d)
        hover.pointer_action.move_to_location(point["x"], point["y"])
        hover.perform()
        tip = d.execute_script(TOOLTIP)
        if point["text"] is None:
            problems.append("the first hover point is covered by something else")
        elif not (tip and tip["shown"] and tip["text"] and tip["text"] == point["text"]):
            problems.append(f"hovering the first point shows no tooltip with its text "
                            f"({point['text']!r}; tooltip {tip!r})")
    # Read last: the hover's own errors, if any, are in it too.
    for entry in d.get_log("browser"):
        if entry["level"] == "SEVERE":
            problems.append(f"console error: {entry['message']}")
    return problems


def main(argv):
    ap = argparse.ArgumentParser(prog="pagecheck.py", description=__doc__.split("\n")[0])
    ap.add_argument("page", type=Path)
    ap.add_argument("--figures", type=int)
    ap.add_argument("--screenshot", type=Path)
    args = ap.parse_args(argv[1:])
    if not args.page.is_file():
        print(f"pagecheck: {args.page}: no such file")
        return 2
    base = os.environ.get("BATS_TEST_TMPDIR") or None
    tmp = Path(tempfile.mkdtemp(prefix="pagecheck.", dir=base))
    try:
        d = browser(tmp)
        try:
            problems = check(d, args.page, args.figures, args.screenshot)
        finally:
            d.quit()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
